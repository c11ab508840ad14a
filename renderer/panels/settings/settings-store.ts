import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Settings } from '../../../contract';
import type { LifelineClient } from '../../api/client';

export interface SettingsState {
  status: 'idle' | 'loading' | 'ready' | 'failed';
  settings: Settings;
  /** What went wrong with the last load or save, in the dispatcher's words. */
  error: string | undefined;
  settingsOpened(): Promise<void>;
  languageChosen(language: Settings['language']): Promise<void>;
  themeChosen(theme: Settings['theme']): Promise<void>;
  /** Another window (or this one) changed the settings. */
  settingsChanged(settings: Settings): void;
}

export type SettingsStore = StoreApi<SettingsState>;

export const defaultSettings: Settings = { language: 'system', theme: 'system' };

export function createSettingsStore(client: LifelineClient): SettingsStore {
  let loading = false;
  const store = createStore<SettingsState>()((set, get) => {
    // Shows the choice at once; puts the old value back if the host refuses it, so the screen never lies.
    async function update(change: Partial<Settings>): Promise<void> {
      const before = get().settings;
      set({ settings: { ...before, ...change }, error: undefined });
      const result = await client.call('settings.update', change);
      if (result.ok) set({ settings: result.value, status: 'ready' });
      else set({ settings: before, error: result.error.message });
    }
    return {
      status: 'idle',
      settings: defaultSettings,
      error: undefined,
      settingsOpened: async () => {
        if (loading) return;
        loading = true;
        // Once loaded, reopening refreshes quietly instead of disabling the controls again.
        if (get().status !== 'ready') set({ status: 'loading' });
        const result = await client.call('settings.get', {});
        loading = false;
        if (result.ok) set({ status: 'ready', settings: result.value, error: undefined });
        else set({ status: get().status === 'ready' ? 'ready' : 'failed', error: result.error.message });
      },
      languageChosen: (language) => update({ language }),
      themeChosen: (theme) => update({ theme }),
      settingsChanged: (settings) => set({ settings, status: 'ready' }),
    };
  });
  client.on('settings.changed', (settings) => store.getState().settingsChanged(settings));
  return store;
}
