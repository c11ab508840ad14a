import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { CommandStatus, DeviceCommand, DeviceSummary } from '../../../contract/devices';
import { TextField } from '../../components/field';
import { useDevices } from '../../app/stores';
import { ErrorNotice, useAgoText, useNow } from './parts';

/** Ring, lost mode, locate now and erase for the chosen phone. */
export function CommandsCard({ device }: { device: DeviceSummary }) {
  const { t } = useTranslation();
  const busy = useDevices((s) => s.commandBusy);
  const error = useDevices((s) => s.commandError);
  const commandChosen = useDevices((s) => s.commandChosen);
  const eraseChosen = useDevices((s) => s.eraseChosen);
  const [seconds, setSeconds] = useState('30');
  const [message, setMessage] = useState('');
  const [phone, setPhone] = useState('');
  const lost = device.lostMode.state;
  const disabled = device.erased;

  const ring = (event: FormEvent) => {
    event.preventDefault();
    void commandChosen({ type: 'ring', seconds: Number(seconds) });
  };
  const lostMode = async (event: FormEvent) => {
    event.preventDefault();
    if (await commandChosen({ type: 'lost_mode', message, phone })) {
      setMessage('');
    }
  };

  return (
    <section className="card dv-commands" aria-labelledby="dv-commands-title">
      <h2 className="card-title" id="dv-commands-title">
        {t('devices.commands.title')}
      </h2>
      {disabled ? <p className="muted">{t('devices.commands.erased')}</p> : null}
      <ErrorNotice error={error} />
      <div className="dv-command-grid">
        <form className="dv-command" onSubmit={ring}>
          <h3>{t('devices.commands.ringTitle')}</h3>
          <p className="muted dv-small">{t('devices.commands.ringHelp')}</p>
          <div className="dv-inline">
            <TextField label={t('devices.commands.seconds')} type="number" min={5} max={300} step={1} value={seconds} onValueChange={setSeconds} />
            <button type="submit" className="button button-primary" disabled={disabled || busy !== undefined}>
              {t('devices.commands.ring')}
            </button>
          </div>
        </form>
        <div className="dv-command">
          <h3>{t('devices.commands.locateTitle')}</h3>
          <p className="muted dv-small">{t('devices.commands.locateHelp')}</p>
          <div className="dv-inline">
            <button type="button" className="button" disabled={disabled || busy !== undefined} onClick={() => void commandChosen({ type: 'locate_now' })}>
              {t('devices.commands.locate')}
            </button>
          </div>
        </div>
        <form className="dv-command dv-command-wide" onSubmit={(e) => void lostMode(e)}>
          <h3>{t('devices.commands.lostTitle')}</h3>
          {lost === 'off' ? (
            <>
              <p className="muted dv-small">{t('devices.commands.lostHelp')}</p>
              <TextField label={t('devices.commands.lostMessage')} value={message} onValueChange={setMessage} maxLength={200} wide placeholder={t('devices.commands.lostMessagePlaceholder')} />
              <TextField label={t('devices.commands.lostPhone')} value={phone} onValueChange={setPhone} type="tel" autoComplete="tel" maxLength={32} />
              <div className="actions">
                <button type="submit" className="button button-primary" disabled={disabled || busy !== undefined || !message.trim() || !phone.trim()}>
                  {t('devices.commands.lostStart')}
                </button>
              </div>
            </>
          ) : (
            <>
              <p className="dv-lost-now">
                {t(`devices.lostMode.${lost}`)}
                {device.lostMode.message ? <> — “{device.lostMode.message}”</> : null}
                {device.lostMode.phone ? <> · {device.lostMode.phone}</> : null}
              </p>
              <div className="actions">
                <button type="button" className="button" disabled={disabled || busy !== undefined || lost === 'ending'} onClick={() => void commandChosen({ type: 'end_lost_mode' })}>
                  {t('devices.commands.lostEnd')}
                </button>
              </div>
            </>
          )}
        </form>
        <div className="dv-command dv-command-wide dv-danger-zone">
          <h3>{t('devices.commands.eraseTitle')}</h3>
          <p className="muted dv-small">{t('devices.commands.eraseHelp')}</p>
          <div className="actions">
            <button type="button" className="button button-danger" disabled={disabled} onClick={eraseChosen}>
              {t('devices.commands.erase')}
            </button>
          </div>
        </div>
      </div>
      <CommandHistory />
    </section>
  );
}

const steps: CommandStatus[] = ['queued', 'delivered', 'done'];

/** Each command's way from queued to delivered to done (or failed), updated live from events. */
export function CommandHistory() {
  const { t } = useTranslation();
  const commands = useDevices((s) => s.commands.items);
  const error = useDevices((s) => s.commands.error);
  const now = useNow(30_000);
  return (
    <div className="dv-history">
      <h3>{t('devices.commands.sent')}</h3>
      <ErrorNotice error={error} />
      {commands.length === 0 ? <p className="muted dv-small">{t('devices.commands.none')}</p> : null}
      <ol className="dv-command-list" aria-label={t('devices.commands.sent')} aria-live="polite">
        {commands.map((command) => (
          <CommandRow key={command.id} command={command} now={now} />
        ))}
      </ol>
    </div>
  );
}

function CommandRow({ command, now }: { command: DeviceCommand; now: number }) {
  const { t } = useTranslation();
  const agoText = useAgoText();
  const reached = command.status === 'failed' ? (command.deliveredAt ? 1 : 0) : steps.indexOf(command.status);
  return (
    <li className="dv-command-row" data-status={command.status}>
      <div className="dv-command-what">
        <strong>{t(`devices.commandType.${command.type}`)}</strong>
        <span className="muted dv-small">{describeParams(command, t)}</span>
        <span className="muted dv-small">{agoText(command.createdAt, now)}</span>
      </div>
      <div className="dv-steps" aria-hidden="true">
        {steps.map((step, i) => {
          const failedHere = command.status === 'failed' && i === reached + 1;
          const state = failedHere ? 'failed' : i <= reached ? 'on' : 'off';
          return (
            <span key={step} className="dv-step-pill" data-state={state}>
              {failedHere ? t('devices.status.failed') : t(`devices.status.${step}`)}
            </span>
          );
        })}
      </div>
      <span className="dv-status-text">{t('devices.commands.statusLabel', { status: t(`devices.status.${command.status}`) })}</span>
      {command.detail ? <p className="dv-command-detail muted dv-small">{command.detail}</p> : null}
    </li>
  );
}

/** Takes a narrow `t`: the full one's key types grow too deep for the compiler as the translations grow. */
function describeParams(command: DeviceCommand, t: (key: 'devices.commands.ringParams', options: { seconds: number }) => string): string {
  const p = command.params;
  if (command.type === 'ring' && typeof p.seconds === 'number') return t('devices.commands.ringParams', { seconds: p.seconds });
  if (command.type === 'lost_mode' && typeof p.message === 'string') return `“${p.message}” · ${String(p.phone ?? '')}`;
  return '';
}
