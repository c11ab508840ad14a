import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { TextField } from '../../components/field';
import { useShop } from '../../app/stores';
import { ErrorNotice } from './parts';

export function ShopSettingsCard() {
  const { t } = useTranslation();
  const settings = useShop((s) => s.status?.settings);
  const saved = useShop((s) => s.settingsSaved);
  const error = useShop((s) => s.settingsError);
  const settingsSubmitted = useShop((s) => s.settingsSubmitted);
  const [days, setDays] = useState('');
  const [server, setServer] = useState('');
  const [adbPath, setAdbPath] = useState('');
  useEffect(() => {
    if (!settings) return;
    setDays(String(settings.retentionDays));
    setServer(settings.adbServer ?? '');
    setAdbPath(settings.adbPath ?? '');
  }, [settings]);
  if (!settings) return null;
  return (
    <form
      className="card sh-settings"
      aria-label={t('shop.settings.title')}
      onSubmit={(e) => {
        e.preventDefault();
        void settingsSubmitted({ retentionDays: Number(days), adbServer: server.trim() || null, adbPath: adbPath.trim() || null });
      }}
    >
      <h2>{t('shop.settings.title')}</h2>
      <TextField label={t('shop.settings.retentionDays')} hint={t('shop.settings.retentionHint')} type="number" min={1} max={365} value={days} onValueChange={setDays} />
      <TextField label={t('shop.settings.adbServer')} hint={t('shop.settings.adbServerHint')} value={server} onValueChange={setServer} placeholder="127.0.0.1:5037" />
      <TextField label={t('shop.settings.adbPath')} hint={t('shop.settings.adbPathHint')} value={adbPath} onValueChange={setAdbPath} />
      <ErrorNotice error={error} />
      {saved ? (
        <p className="notice" role="status">
          {t('shop.settings.saved')}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="button">
          {t('shop.settings.save')}
        </button>
      </div>
    </form>
  );
}
