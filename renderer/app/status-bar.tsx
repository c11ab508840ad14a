import { useTranslation } from 'react-i18next';
import type { SystemInfo } from '../../contract';
import { Icon } from '../components/icons';
import { useShell } from './stores';

/** The bottom line of the window: where the data lives and where sent codes really go. */
export function StatusBar() {
  const { t } = useTranslation();
  const system = useShell((s) => s.system);
  return (
    <footer className="status-bar">
      {system.kind === 'ready' ? (
        <StatusFacts info={system.info} />
      ) : (
        <span className="status-item">{t('status.connecting')}</span>
      )}
    </footer>
  );
}

function StatusFacts({ info }: { info: SystemInfo }) {
  const { t } = useTranslation();
  const { delivery } = info;
  const sandbox = delivery.mode === 'sandbox';
  const deliveryText = sandbox
    ? delivery.outboxDir
      ? t('status.deliverySandbox', { outboxDir: delivery.outboxDir })
      : t('status.deliverySandboxNoDir')
    : t('status.deliveryReal', {
        email: t(delivery.email === 'smtp' ? 'status.emailSmtp' : 'status.emailOutbox'),
        sms: t(delivery.sms === 'webhook' ? 'status.smsWebhook' : 'status.smsOutbox'),
      });
  const dataText = t('status.dataDir', { dataDir: info.dataDir });
  return (
    <>
      <span className="status-item">
        <Icon name="monitor" size={16} />
        {t(info.host === 'desktop' ? 'status.hostDesktop' : 'status.hostWeb')}
        <span className="muted">{t('status.version', { version: info.version })}</span>
      </span>
      <span className="status-item status-item-grow" title={dataText}>
        <Icon name="folder" size={16} />
        <span className="truncate">{dataText}</span>
      </span>
      <span className={`status-item delivery delivery-${delivery.mode}`} title={deliveryText}>
        <span className="dot" aria-hidden="true" />
        <span className="truncate">{deliveryText}</span>
      </span>
    </>
  );
}
