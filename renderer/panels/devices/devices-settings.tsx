import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { DeviceSettings } from '../../../contract/devices';
import { TextField } from '../../components/field';
import { useDevices } from '../../app/stores';
import { ErrorNotice } from './parts';

/** OpenStreetMap's standard tiles; their usage policy allows light interactive use like this. */
export const DEFAULT_TILE_URL = 'https://tile.openstreetmap.org/{z}/{x}/{y}.png';

/** The Devices panel's own settings: how long history is kept and the optional online street map. */
export function DevicesSettingsCard() {
  const { t } = useTranslation();
  const settings = useDevices((s) => s.settings);
  if (!settings.value) {
    return (
      <section className="card dv-settings" aria-labelledby="dv-settings-title">
        <h2 className="card-title" id="dv-settings-title">
          {t('devices.settings.title')}
        </h2>
        <ErrorNotice error={settings.error} />
        {!settings.error ? <p className="muted">{t('devices.loading')}</p> : null}
      </section>
    );
  }
  return <SettingsForm value={settings.value} />;
}

function SettingsForm({ value }: { value: DeviceSettings }) {
  const { t } = useTranslation();
  const settings = useDevices((s) => s.settings);
  const settingsSubmitted = useDevices((s) => s.settingsSubmitted);
  const [days, setDays] = useState(String(value.historyRetentionDays));
  const [online, setOnline] = useState(value.onlineTileUrl !== null);
  const [url, setUrl] = useState(value.onlineTileUrl ?? DEFAULT_TILE_URL);
  useEffect(() => {
    setDays(String(value.historyRetentionDays));
    setOnline(value.onlineTileUrl !== null);
    setUrl(value.onlineTileUrl ?? DEFAULT_TILE_URL);
  }, [value]);
  const daysNumber = Number(days);
  const daysValid = Number.isInteger(daysNumber) && daysNumber >= 1 && daysNumber <= 365;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!daysValid) return;
    void settingsSubmitted({ historyRetentionDays: daysNumber, onlineTileUrl: online ? url.trim() : null });
  };
  return (
    <section className="card dv-settings" aria-labelledby="dv-settings-title">
      <h2 className="card-title" id="dv-settings-title">
        {t('devices.settings.title')}
      </h2>
      <form className="dv-settings-form" onSubmit={submit}>
        <TextField
          label={t('devices.settings.retention')}
          type="number"
          min={1}
          max={365}
          step={1}
          value={days}
          onValueChange={setDays}
          hint={t('devices.settings.retentionHint')}
          error={daysValid ? undefined : t('devices.settings.retentionInvalid')}
        />
        <label className="dv-check">
          <input type="checkbox" checked={online} onChange={(e) => setOnline(e.target.checked)} />
          <span>{t('devices.settings.online')}</span>
        </label>
        <p className="muted dv-small">{t('devices.settings.onlineHint')}</p>
        {online ? <TextField label={t('devices.settings.tileUrl')} value={url} onValueChange={setUrl} wide spellCheck={false} hint={t('devices.settings.tileUrlHint')} /> : null}
        <ErrorNotice error={settings.error} />
        <div className="actions">
          <button type="submit" className="button button-primary" disabled={settings.busy || !daysValid}>
            {t('devices.settings.save')}
          </button>
          {settings.saved ? (
            <span role="status" className="dv-saved">
              {t('devices.settings.saved')}
            </span>
          ) : null}
        </div>
      </form>
    </section>
  );
}
