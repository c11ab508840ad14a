import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { TextField } from '../../components/field';
import { Icon } from '../../components/icons';
import { useDevices } from '../../app/stores';
import { ErrorNotice } from './parts';

/** The erase or remove dialog, whichever the store has open. */
export function DeviceDialogs() {
  const dialog = useDevices((s) => s.dialog);
  const device = useDevices((s) => s.devices.find((d) => d.id === s.dialog?.deviceId));
  if (!dialog || !device) return null;
  return dialog.kind === 'erase' ? <EraseDialog deviceName={device.name} /> : <RemoveDialog deviceName={device.name} activationLock={device.activationLock} />;
}

/** Erase cannot be undone: it needs the password again and the device's name typed exactly. */
export function eraseAllowed(input: { password: string; typedName: string; deviceName: string }): boolean {
  return input.password.length > 0 && input.typedName.trim() === input.deviceName.trim();
}

export function EraseDialog({ deviceName }: { deviceName: string }) {
  const { t } = useTranslation();
  const dialog = useDevices((s) => s.dialog);
  const eraseSubmitted = useDevices((s) => s.eraseSubmitted);
  const dialogClosed = useDevices((s) => s.dialogClosed);
  const [password, setPassword] = useState('');
  const [typedName, setTypedName] = useState('');
  const allowed = eraseAllowed({ password, typedName, deviceName });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (allowed) void eraseSubmitted({ password, confirmName: typedName.trim() });
  };
  return (
    <Modal title={t('devices.erase.title', { name: deviceName })} onClose={dialogClosed} danger>
      <form className="dv-dialog-form" onSubmit={submit}>
        <p>{t('devices.erase.warning')}</p>
        <TextField label={t('devices.erase.password')} type="password" autoComplete="current-password" value={password} onValueChange={setPassword} wide />
        <TextField label={t('devices.erase.typeName', { name: deviceName })} value={typedName} onValueChange={setTypedName} autoComplete="off" spellCheck={false} wide />
        <ErrorNotice error={dialog?.error} />
        <div className="actions dv-dialog-actions">
          <button type="button" className="button" onClick={dialogClosed}>
            {t('devices.cancel')}
          </button>
          <button type="submit" className="button button-danger" disabled={!allowed || dialog?.busy} aria-busy={dialog?.busy || undefined}>
            {t('devices.erase.confirm')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

export function RemoveDialog({ deviceName, activationLock }: { deviceName: string; activationLock: boolean }) {
  const { t } = useTranslation();
  const dialog = useDevices((s) => s.dialog);
  const removeSubmitted = useDevices((s) => s.removeSubmitted);
  const dialogClosed = useDevices((s) => s.dialogClosed);
  const [password, setPassword] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (password) void removeSubmitted({ password });
  };
  return (
    <Modal title={t('devices.remove.title', { name: deviceName })} onClose={dialogClosed}>
      <form className="dv-dialog-form" onSubmit={submit}>
        <p>{activationLock ? t('devices.remove.explainLocked') : t('devices.remove.explain')}</p>
        <TextField label={t('devices.remove.password')} type="password" autoComplete="current-password" value={password} onValueChange={setPassword} wide />
        <ErrorNotice error={dialog?.error} />
        <div className="actions dv-dialog-actions">
          <button type="button" className="button" onClick={dialogClosed}>
            {t('devices.cancel')}
          </button>
          <button type="submit" className="button button-danger" disabled={!password || dialog?.busy} aria-busy={dialog?.busy || undefined}>
            {t('devices.remove.confirm')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** A modal dialog: focus moves in, Escape closes, the page behind is dimmed. */
function Modal({ title, onClose, danger, children }: { title: string; onClose: () => void; danger?: boolean; children: ReactNode }) {
  const titleId = useId();
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    box.current?.querySelector<HTMLElement>('input, button')?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      previous?.focus();
    };
  }, [onClose]);
  return (
    <div className="dv-backdrop">
      <div ref={box} className="dv-dialog" role="dialog" aria-modal="true" aria-labelledby={titleId} data-danger={danger || undefined}>
        <h2 id={titleId} className="dv-dialog-title">
          {danger ? <Icon name="alert" size={20} /> : <Icon name="lock" size={20} />}
          {title}
        </h2>
        {children}
      </div>
    </div>
  );
}
