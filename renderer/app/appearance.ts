import type { i18n as I18n } from 'i18next';
import type { Settings } from '../../contract';
import { resolveLanguage } from '../i18n/i18n';
import type { SettingsStore } from '../panels/settings/settings-store';

/**
 * Keeps the page's theme and language in step with the settings store. With theme 'system' the
 * attribute is removed and the stylesheet's prefers-color-scheme rules decide.
 */
export function followSettings(
  store: SettingsStore,
  i18n: I18n,
  root: HTMLElement,
  preferredLanguages: () => readonly string[],
): () => void {
  const apply = (settings: Settings) => {
    if (settings.theme === 'system') delete root.dataset.theme;
    else root.dataset.theme = settings.theme;
    const language = resolveLanguage(settings.language, preferredLanguages());
    root.lang = language;
    if (i18n.language !== language) void i18n.changeLanguage(language);
  };
  apply(store.getState().settings);
  return store.subscribe((state, previous) => {
    if (state.settings !== previous.settings) apply(state.settings);
  });
}
