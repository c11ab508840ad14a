import type { i18n as I18n } from 'i18next';
import type { ReactElement } from 'react';
import { I18nextProvider } from 'react-i18next';
import { createClient } from '../api/client';
import type { Transport } from '../api/transport';
import { createI18n, resolveLanguage } from '../i18n/i18n';
import { App } from './app';
import { followSettings } from './appearance';
import { createStores, StoresProvider, type Stores } from './stores';

export interface Lifeline {
  stores: Stores;
  i18n: I18n;
  element: ReactElement;
  /** Loads what the first screen shows (system info for the status bar, settings for theme and language). */
  start(): Promise<void>;
}

/** Builds the whole renderer around one transport; main.tsx and the component tests share it. */
export function createLifeline(transport: Transport, page: { root: HTMLElement; languages: () => readonly string[] }): Lifeline {
  const client = createClient(transport);
  const stores = createStores(client);
  const i18n = createI18n(resolveLanguage('system', page.languages()));
  followSettings(stores.settings, i18n, page.root, page.languages);
  const element = (
    <I18nextProvider i18n={i18n}>
      <StoresProvider stores={stores}>
        <App />
      </StoresProvider>
    </I18nextProvider>
  );
  return {
    stores,
    i18n,
    element,
    start: async () => {
      // system.info first: over HTTP it is the call that proves the page is authorized.
      await stores.shell.getState().appStarted();
      if (stores.shell.getState().system.kind === 'ready') await stores.settings.getState().settingsOpened();
    },
  };
}
