import { useEffect, useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { Settings } from '../../../contract';
import { Icon } from '../../components/icons';
import { Panel } from '../../components/panel';
import { useSettings, useShell } from '../../app/stores';
import { BackupRetentionSettings } from '../backup/retention';

const languages = ['system', 'en', 'id'] as const satisfies readonly Settings['language'][];
const themes = ['system', 'light', 'dark'] as const satisfies readonly Settings['theme'][];

export function SettingsPanel() {
  const { t } = useTranslation();
  const language = useSettings((s) => s.settings.language);
  const theme = useSettings((s) => s.settings.theme);
  const status = useSettings((s) => s.status);
  const error = useSettings((s) => s.error);
  const languageChosen = useSettings((s) => s.languageChosen);
  const themeChosen = useSettings((s) => s.themeChosen);
  const settingsOpened = useSettings((s) => s.settingsOpened);
  const busy = status === 'loading' || status === 'idle';

  useEffect(() => {
    void settingsOpened();
  }, [settingsOpened]);
  const languageId = useId();
  const themeName = useId();

  return (
    <Panel title={t('settings.title')} intro={t('settings.intro')}>
      {error ? (
        <p className="notice notice-error" role="alert">
          <Icon name="alert" size={18} />
          {t('settings.saveFailed', { message: error })}
        </p>
      ) : null}

      <div className="card settings-card">
        <label className="field-label" htmlFor={languageId}>
          {t('settings.languageLabel')}
        </label>
        <select
          id={languageId}
          className="select"
          value={language}
          disabled={busy}
          onChange={(event) => void languageChosen(event.target.value as Settings['language'])}
        >
          {languages.map((value) => (
            <option key={value} value={value}>
              {t(`settings.language.${value}`)}
            </option>
          ))}
        </select>
      </div>

      <fieldset className="card settings-card" disabled={busy}>
        <legend className="field-label">{t('settings.themeLabel')}</legend>
        <div className="segmented">
          {themes.map((value) => (
            <label key={value} className="segmented-option">
              <input type="radio" name={themeName} value={value} checked={theme === value} onChange={() => void themeChosen(value)} />
              <span>{t(`settings.theme.${value}`)}</span>
            </label>
          ))}
        </div>
      </fieldset>

      {busy ? <p className="muted">{t('settings.loading')}</p> : null}

      <BackupRetentionSettings />

      <About />
    </Panel>
  );
}

function About() {
  const { t } = useTranslation();
  const system = useShell((s) => s.system);
  if (system.kind !== 'ready') return null;
  const { info } = system;
  return (
    <div className="card">
      <h2 className="card-title">{t('settings.aboutTitle')}</h2>
      <dl className="facts">
        <dt>{t('settings.version')}</dt>
        <dd>{info.version}</dd>
        <dt>{t('settings.dataDir')}</dt>
        <dd className="path">{info.dataDir}</dd>
        <dt>{t('settings.host')}</dt>
        <dd>{t(info.host === 'desktop' ? 'status.hostDesktop' : 'status.hostWeb')}</dd>
      </dl>
    </div>
  );
}
