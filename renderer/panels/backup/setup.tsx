import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { NewPasswordFields } from '../../components/new-password-fields';
import { TextField } from '../../components/field';
import { Icon } from '../../components/icons';
import { AlertNotice } from '../../components/notice';
import { PasswordStrengthMeter } from '../../components/password-strength';
import { useBackup } from '../../app/stores';
import { ErrorNotice } from './parts';

function RememberOption({ checked, onChange }: { checked: boolean; onChange: (v: boolean) => void }) {
  const { t } = useTranslation();
  const keychain = useBackup((s) => s.status?.keychain);
  const available = keychain?.available ?? false;
  return (
    <div className="bk-check">
      <label>
        <input type="checkbox" checked={checked && available} disabled={!available} onChange={(e) => onChange(e.target.checked)} />
        <span>{t('backup.setup.remember')}</span>
      </label>
      <p className="field-hint">{available ? t('backup.setup.rememberHint') : (keychain?.reason ?? t('backup.setup.rememberUnavailable'))}</p>
    </div>
  );
}

export function SetupScreen() {
  const { t } = useTranslation();
  const busy = useBackup((s) => s.busy);
  const error = useBackup((s) => s.error);
  const dir = useBackup((s) => s.status?.dir);
  const strength = useBackup((s) => s.strength);
  const passphraseTyped = useBackup((s) => s.passphraseTyped);
  const storeCreated = useBackup((s) => s.storeCreated);
  const backChosen = useBackup((s) => s.backChosen);
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [understood, setUnderstood] = useState(false);
  const [remember, setRemember] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();

  useEffect(() => {
    const timer = setTimeout(() => void passphraseTyped(passphrase), 150);
    return () => clearTimeout(timer);
  }, [passphrase, passphraseTyped]);

  const current = strength && strength.passphrase === passphrase ? strength.result : undefined;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (passphrase.length < 8) return setProblem(t('backup.setup.tooShort'));
    if (current && !current.acceptable) return setProblem(t('backup.setup.notAccepted'));
    if (passphrase !== confirm) return setProblem(t('backup.setup.mismatch'));
    if (!understood) return setProblem(t('backup.setup.mustUnderstand'));
    setProblem(undefined);
    void storeCreated(passphrase, remember);
  };

  return (
    <div className="card bk-narrow">
      <h2>{t('backup.setup.title')}</h2>
      <p>{t('backup.setup.lead', { dir: dir ?? '' })}</p>
      <form className="form" onSubmit={submit} noValidate>
        <NewPasswordFields
          labels={{
            password: t('backup.setup.passphrase'),
            confirm: t('backup.setup.confirm'),
            hint: t('backup.setup.passphraseHint'),
            mismatch: t('backup.setup.mismatch'),
          }}
          value={passphrase}
          confirm={confirm}
          onValueChange={setPassphrase}
          onConfirmChange={setConfirm}
          meter={
            passphrase ? (
              <PasswordStrengthMeter
                strength={current}
                label={t('backup.setup.strength')}
                scoreLabels={[t('backup.strength.score0'), t('backup.strength.score1'), t('backup.strength.score2'), t('backup.strength.score3'), t('backup.strength.score4')]}
                notAllowed={(p) => t('backup.strength.notAllowed', { problem: p })}
              />
            ) : null
          }
        />
        <div className="bk-warning" role="note">
          <Icon name="alert" size={18} />
          <p>{t('backup.setup.warning')}</p>
        </div>
        <div className="bk-check">
          <label>
            <input type="checkbox" checked={understood} onChange={(e) => setUnderstood(e.target.checked)} />
            <span>{t('backup.setup.understand')}</span>
          </label>
        </div>
        <RememberOption checked={remember} onChange={setRemember} />
        {problem ? (
          <AlertNotice>{problem}</AlertNotice>
        ) : null}
        <ErrorNotice error={error} />
        <div className="actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? t('backup.setup.creating') : t('backup.setup.create')}
          </button>
          <button type="button" className="button" onClick={backChosen}>
            <Icon name="arrowLeft" size={18} />
            {t('backup.back')}
          </button>
        </div>
        {busy ? <p className="muted" role="status">{t('backup.setup.slow')}</p> : null}
      </form>
    </div>
  );
}

export function UnlockScreen() {
  const { t } = useTranslation();
  const busy = useBackup((s) => s.busy);
  const error = useBackup((s) => s.error);
  const status = useBackup((s) => s.status);
  const unlockSubmitted = useBackup((s) => s.unlockSubmitted);
  const rememberedUnlockChosen = useBackup((s) => s.rememberedUnlockChosen);
  const [passphrase, setPassphrase] = useState('');
  const [remember, setRemember] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!passphrase) return;
    void unlockSubmitted(passphrase, remember).then((ok) => {
      if (!ok) setPassphrase('');
    });
  };
  return (
    <div className="card bk-narrow">
      <h2>{t('backup.unlock.title')}</h2>
      <p>{t('backup.unlock.lead', { dir: status?.dir ?? '' })}</p>
      {status?.keychain?.remembered ? (
        <div className="actions">
          <button type="button" className="button button-primary" disabled={busy} onClick={() => void rememberedUnlockChosen()}>
            <Icon name="lock" size={18} />
            {t('backup.unlock.withSaved')}
          </button>
        </div>
      ) : null}
      <form className="form" onSubmit={submit} noValidate>
        <TextField label={t('backup.unlock.passphrase')} type="password" value={passphrase} onValueChange={setPassphrase} autoComplete="current-password" required />
        <RememberOption checked={remember} onChange={setRemember} />
        <ErrorNotice error={error} />
        <div className="actions">
          <button type="submit" className="button button-primary" disabled={busy || !passphrase}>
            {busy ? t('backup.unlock.opening') : t('backup.unlock.submit')}
          </button>
        </div>
      </form>
    </div>
  );
}
