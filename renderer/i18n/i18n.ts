import i18next, { type i18n as I18n } from 'i18next';
import type { Settings } from '../../contract';
import backupEn from './backup.en.json';
import backupId from './backup.id.json';
import enBase from './en.json';
import idBase from './id.json';
import shopEn from './shop.en.json';
import shopId from './shop.id.json';

export type Language = 'en' | 'id';

/** The bigger panels keep their texts in their own files (backup.*.json, shop.*.json); one tree at run time. */
export const en = { ...enBase, backup: backupEn, shop: shopEn };
export const id = { ...idBase, backup: backupId, shop: shopId };

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof en };
  }
}

/** 'system' follows the browser's (or Electron's) preferred languages; anything not Indonesian gets English. */
export function resolveLanguage(setting: Settings['language'], preferred: readonly string[]): Language {
  if (setting !== 'system') return setting;
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'id' || base === 'in') return 'id';
    if (base === 'en') return 'en';
  }
  return 'en';
}

export function createI18n(language: Language): I18n {
  const instance = i18next.createInstance();
  // Resources are bundled, so initialisation completes synchronously and the first render is translated.
  void instance.init({
    resources: { en: { translation: en }, id: { translation: id } },
    lng: language,
    fallbackLng: 'en',
    supportedLngs: ['en', 'id'],
    initAsync: false,
    // React escapes text itself.
    interpolation: { escapeValue: false },
  });
  return instance;
}
