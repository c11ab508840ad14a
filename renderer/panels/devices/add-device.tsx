import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon } from '../../components/icons';
import { useDevices } from '../../app/stores';
import { agentBaseUrl, agentCommand, countdown, groupCode } from './format';
import { ErrorNotice, useNow } from './parts';

/** "Add device": the one-time code, its QR code and how to run the agent with it. */
export function AddDevice() {
  const { t } = useTranslation();
  const enroll = useDevices((s) => s.enroll);
  const newCodeChosen = useDevices((s) => s.newCodeChosen);
  const addDeviceClosed = useDevices((s) => s.addDeviceClosed);
  const now = useNow(1000);
  const ticket = enroll.ticket;
  const left = ticket ? ticket.expiresAt - now : 0;
  const expired = ticket !== undefined && left <= 0;

  return (
    <div className="card dv-add">
      <div className="dv-add-head">
        <h2 className="card-title">{t('devices.add.title')}</h2>
        <button type="button" className="button" onClick={addDeviceClosed}>
          <Icon name="arrowLeft" size={18} />
          {t('devices.add.done')}
        </button>
      </div>
      <ErrorNotice error={enroll.error} />
      {!ticket && enroll.busy ? <p className="muted">{t('devices.add.creating')}</p> : null}
      {ticket ? (
        <div className="dv-add-body">
          <div className="dv-add-code">
            <p className="dv-step">{t('devices.add.stepCode')}</p>
            <p className="dv-code" aria-label={t('devices.add.codeLabel')} data-expired={expired || undefined}>
              {groupCode(ticket.code)}
            </p>
            <p className="dv-countdown" role="timer" aria-live="off">
              {expired ? t('devices.add.expired') : t('devices.add.expiresIn', { time: countdown(left) })}
            </p>
            {expired ? (
              <button type="button" className="button button-primary" onClick={() => void newCodeChosen()} disabled={enroll.busy}>
                <Icon name="refresh" size={18} />
                {t('devices.add.newCode')}
              </button>
            ) : null}
            <p className="dv-step">{t('devices.add.stepAgent')}</p>
            <CommandLine text={agentCommand(ticket.enrollUrl, ticket.code)} />
            <p className="muted dv-small">{t('devices.add.agentHelp', { url: agentBaseUrl(ticket.enrollUrl) })}</p>
            {!ticket.reachableFromPhones ? (
              <p className="notice notice-warning">
                <Icon name="info" size={18} />
                <span>{t('devices.add.loopback')}</span>
              </p>
            ) : null}
            <p className="dv-waiting" role="status">
              <span className="dv-spinner" aria-hidden="true" />
              {t('devices.add.waiting')}
            </p>
          </div>
          <figure className="dv-qr">
            <img src={ticket.qrDataUrl} alt={t('devices.add.qrAlt')} width={220} height={220} />
            <figcaption className="muted dv-small">{t('devices.add.qrCaption')}</figcaption>
          </figure>
        </div>
      ) : null}
    </div>
  );
}

/** A command to copy into a terminal. */
export function CommandLine({ text }: { text: string }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <div className="dv-cmdline">
      <code>{text}</code>
      <button type="button" className="button button-small" onClick={() => void copy()}>
        {copied ? t('devices.copied') : t('devices.copy')}
      </button>
    </div>
  );
}
