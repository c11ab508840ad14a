import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { NewPasswordFields } from '../../components/new-password-fields';
import type { Channel } from '../../../contract';
import { TextField } from '../../components/field';
import { Icon } from '../../components/icons';
import { AlertNotice } from '../../components/notice';
import { useAccount } from '../../app/stores';
import { BackButton, ErrorNotice, SandboxNote, StepCard, StrengthFor, SubmitButton, SuccessNotice, useSecondsLeft, useStrengthAsk } from './parts';

export function SignUpScreen() {
  const { t, i18n } = useTranslation();
  const signUp = useAccount((s) => s.signUp);
  const signUpSubmitted = useAccount((s) => s.signUpSubmitted);
  const backChosen = useAccount((s) => s.backChosen);
  const [email, setEmail] = useState('');
  const [phone, setPhone] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [problem, setProblem] = useState<string | undefined>();
  useStrengthAsk('signUp', password, { email, phone });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!email.trim() && !phone.trim()) return setProblem(t('account.signUpForm.needChannel'));
    if (confirm && password !== confirm) return setProblem(t('account.signUpForm.mismatch'));
    setProblem(undefined);
    void signUpSubmitted({ email, phone, password, confirmPassword: confirm, language: i18n.language === 'id' ? 'id' : 'en' });
  };

  return (
    <StepCard title={t('account.signUpForm.title')} lead={t('account.signUpForm.lead')}>
      <form className="form" onSubmit={submit} noValidate>
        <div className="form-row">
          <TextField label={t('account.fields.email')} type="email" value={email} onValueChange={setEmail} autoComplete="email" spellCheck={false} />
          <TextField label={t('account.fields.phone')} hint={t('account.fields.phoneHint')} type="tel" value={phone} onValueChange={setPhone} autoComplete="tel" />
        </div>
        <NewPasswordFields
          labels={{
            password: t('account.fields.password'),
            confirm: t('account.fields.confirmPassword'),
            hint: t('account.signUpForm.passwordRules'),
            mismatch: t('account.signUpForm.mismatch'),
          }}
          value={password}
          confirm={confirm}
          onValueChange={setPassword}
          onConfirmChange={setConfirm}
          meter={<StrengthFor form="signUp" password={password} />}
        />
        {problem ? (
          <AlertNotice>{problem}</AlertNotice>
        ) : null}
        <ErrorNotice error={signUp.error} />
        <div className="actions">
          <SubmitButton busy={signUp.busy}>{t('account.createAccount')}</SubmitButton>
          <BackButton onClick={backChosen} />
        </div>
      </form>
    </StepCard>
  );
}

/** Right after sign-up: the new account ID, big, and a code box per channel. */
export function WelcomeScreen() {
  const { t } = useTranslation();
  const account = useAccount((s) => s.account);
  const verify = useAccount((s) => s.verify);
  const welcomeDone = useAccount((s) => s.welcomeDone);
  if (!account) return null;
  const channels = (['email', 'sms'] as const).filter((c) => verify[c]);
  const allDone = channels.every((c) => verify[c]?.status === 'verified');
  return (
    <>
      <div className="card account-id-card">
        <p className="account-id-label">{t('account.welcome.idLabel')}</p>
        <p className="account-id" aria-label={`${t('account.welcome.idLabel')}: ${account.accountId}`}>
          {formatAccountId(account.accountId)}
        </p>
        <p className="account-id-note">
          <Icon name="info" size={18} />
          <span>{t('account.welcome.writeItDown')}</span>
        </p>
      </div>
      {channels.length > 0 ? (
        <StepCard title={t('account.welcome.verifyTitle')} lead={t('account.welcome.verifyLead')}>
          <div className="verify-list">
            {channels.map((channel) => (
              <VerifyChannel key={channel} channel={channel} />
            ))}
          </div>
        </StepCard>
      ) : null}
      <div className="actions">
        <button type="button" className={allDone ? 'button button-primary' : 'button'} onClick={welcomeDone}>
          {allDone ? t('account.welcome.continue') : t('account.welcome.later')}
        </button>
      </div>
    </>
  );
}

/** Shown in groups of digits so it is easy to copy down, read out and check. */
export function formatAccountId(id: string): string {
  return id.replace(/^(\d{3})(\d{3})(\d{4})$/, '$1 $2 $3');
}

/** One channel's code box: "Verification code", "Verify", and "Resend code" with its cooldown. */
export function VerifyChannel({ channel }: { channel: Channel }) {
  const { t } = useTranslation();
  const state = useAccount((s) => s.verify[channel]);
  const verificationCodeSubmitted = useAccount((s) => s.verificationCodeSubmitted);
  const verificationResendChosen = useAccount((s) => s.verificationResendChosen);
  const [code, setCode] = useState('');
  const seconds = useSecondsLeft(state?.resendAt ?? 0);
  if (!state) return null;
  if (state.status === 'verified') return <SuccessNotice>{t('account.verify.verified', { masked: state.masked })}</SuccessNotice>;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void verificationCodeSubmitted(channel, code);
  };
  return (
    <section className="verify-channel" aria-label={t('account.verify.title', { masked: state.masked })}>
      <p className="verify-sent">
        {state.status === 'notSent' && state.busy ? t('account.working') : state.status === 'notSent' ? t('account.verify.notSent', { masked: state.masked }) : t('account.verify.sentTo', { masked: state.masked })}
      </p>
      <SandboxNote channel={channel} />
      <form className="form form-inline" onSubmit={submit} noValidate>
        <TextField
          label={t('account.fields.verificationCode')}
          hint={t('account.fields.codeHint')}
          value={code}
          onValueChange={setCode}
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={40}
          required
        />
        <div className="actions">
          <SubmitButton busy={state.busy}>{t('account.verify.verify')}</SubmitButton>
          <button type="button" className="button" disabled={state.busy || seconds > 0} onClick={() => void verificationResendChosen(channel)}>
            {t('account.verify.resend')}
          </button>
          {seconds > 0 ? <span className="muted cooldown">{t('account.recovery.resendIn', { seconds })}</span> : null}
        </div>
      </form>
      <ErrorNotice error={state.error} />
    </section>
  );
}
