import { useTranslation } from 'react-i18next';
import { Icon } from '../../components/icons';
import { useDevices } from '../../app/stores';
import { ErrorNotice, useAgoText, useDateTime, useNow } from './parts';

/** Lost phone reported in, SIM changed, erase done: in the panel, and on the desktop once allowed. */
export function AlertsCard() {
  const { t } = useTranslation();
  const alerts = useDevices((s) => s.alerts);
  const permission = useDevices((s) => s.notifications);
  const notificationsChosen = useDevices((s) => s.notificationsChosen);
  const now = useNow(30_000);
  const agoText = useAgoText();
  const dateTime = useDateTime();
  return (
    <section className="card dv-alerts" aria-labelledby="dv-alerts-title">
      <div className="dv-section-head">
        <h2 className="card-title" id="dv-alerts-title">
          {t('devices.alerts.title')}
        </h2>
        {permission === 'default' ? (
          <button type="button" className="button button-small" onClick={() => void notificationsChosen()}>
            {t('devices.alerts.enableNotifications')}
          </button>
        ) : (
          <span className="muted dv-small">{t(`devices.alerts.notifications.${permission}`)}</span>
        )}
      </div>
      <ErrorNotice error={alerts.error} />
      {alerts.items.length === 0 ? (
        <p className="muted">{t('devices.alerts.none')}</p>
      ) : (
        <ul className="dv-alert-list" aria-label={t('devices.alerts.title')}>
          {alerts.items.map((alert) => (
            <li key={alert.id} className="dv-alert" data-kind={alert.kind}>
              <Icon name={alert.kind === 'erase_done' ? 'check' : 'alert'} size={18} />
              <div>
                <p>{alert.message}</p>
                <p className="muted dv-small">
                  {t(`devices.alerts.kind.${alert.kind}`)} · {alert.deviceName} · <time dateTime={new Date(alert.at).toISOString()} title={dateTime(alert.at)}>{agoText(alert.at, now)}</time>
                </p>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
