import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { NewPasswordFields } from '../../components/new-password-fields';
import type { MaskedChannel } from '../../../contract';
import { TextField } from '../../components/field';
import { Icon } from '../../components/icons';
import { AlertNotice } from '../../components/notice';
import { useAccount } from '../../app/stores';
import { BackButton, ErrorNotice, PictureCode, SandboxNote, StepCard, StrengthFor, SubmitButton, useErrorText, useSecondsLeft, useStrengthAsk } from './parts';

/** "Forgot password?": what you need -> which account -> picture code -> code -> new password -> done. */
export function RecoveryScreen() {
  const step = useAccount((s) => s.recovery.step);
  switch (step) {
    case 'intro':
      return <RecoveryIntro />;
    case 'identifier':
      return <IdentifierStep />;
    case 'picture':
      return <PictureStep />;
    case 'code':
      return <CodeStep />;
    case 'password':
      return <PasswordStep />;
    case 'done':
      return <DoneStep />;
    case 'expired':
      return <ExpiredStep />;
  }
}

function RecoveryIntro() {
  const { t } = useTranslation();
  const recoveryStartChosen = useAccount((s) => s.recoveryStartChosen);
  const backChosen = useAccount((s) => s.backChosen);
  return (
    <StepCard title={t('account.recovery.title')} lead={t('account.recovery.introLead')}>
      <h3 className="sub-title">{t('account.recovery.needTitle')}</h3>
      <ul className="checklist">
        <li>{t('account.recovery.needIdentifier')}</li>
        <li>{t('account.recovery.needChannel')}</li>
        <li>{t('account.recovery.needTime')}</li>
      </ul>
      <div className="notice notice-warning" role="note">
        <Icon name="lock" size={20} />
        <div>
          <strong>{t('account.recovery.holdTitle')}</strong>
          <p>{t('account.recovery.holdText')}</p>
        </div>
      </div>
      <div className="actions">
        <button type="button" className="button button-primary" onClick={recoveryStartChosen}>
          {t('account.recovery.start')}
        </button>
        <BackButton onClick={backChosen} />
      </div>
    </StepCard>
  );
}

function IdentifierStep() {
  const { t, i18n } = useTranslation();
  const recovery = useAccount((s) => s.recovery);
  const identifierSubmitted = useAccount((s) => s.identifierSubmitted);
  const recoveryOpened = useAccount((s) => s.recoveryOpened);
  const [identifier, setIdentifier] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void identifierSubmitted(identifier, i18n.language === 'id' ? 'id' : 'en');
  };
  return (
    <StepCard step={1} title={t('account.recovery.identifierTitle')} lead={t('account.recovery.identifierLead')}>
      <form className="form" onSubmit={submit} noValidate>
        <TextField
          label={t('account.fields.identifier')}
          value={identifier}
          onValueChange={setIdentifier}
          autoComplete="username"
          spellCheck={false}
          maxLength={320}
          required
          autoFocus
        />
        <ErrorNotice error={recovery.error} />
        <div className="actions">
          <SubmitButton busy={recovery.busy}>{t('account.recovery.next')}</SubmitButton>
          <BackButton onClick={recoveryOpened} />
        </div>
      </form>
    </StepCard>
  );
}

function PictureStep() {
  const { t } = useTranslation();
  const recovery = useAccount((s) => s.recovery);
  const pictureAnswerSubmitted = useAccount((s) => s.pictureAnswerSubmitted);
  const newPictureChosen = useAccount((s) => s.newPictureChosen);
  const recoveryRestartChosen = useAccount((s) => s.recoveryRestartChosen);
  const [answer, setAnswer] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void pictureAnswerSubmitted(answer);
    setAnswer('');
  };
  return (
    <StepCard step={2} title={t('account.recovery.pictureTitle')} lead={t('account.recovery.pictureLead')}>
      <form className="form" onSubmit={submit} noValidate>
        <PictureCode picture={recovery.picture} answer={answer} onAnswer={setAnswer} onNewPicture={(variant) => void newPictureChosen(variant)} busy={recovery.busy} />
        <ErrorNotice error={recovery.error} />
        <div className="actions">
          <SubmitButton busy={recovery.busy}>{t('account.recovery.sendCode')}</SubmitButton>
          <BackButton onClick={recoveryRestartChosen} />
        </div>
      </form>
    </StepCard>
  );
}

function CodeStep() {
  const { t } = useTranslation();
  const recovery = useAccount((s) => s.recovery);
  const codeSubmitted = useAccount((s) => s.codeSubmitted);
  const resendChosen = useAccount((s) => s.resendChosen);
  const recoveryRestartChosen = useAccount((s) => s.recoveryRestartChosen);
  const [code, setCode] = useState('');
  const [switching, setSwitching] = useState(false);
  const seconds = useSecondsLeft(recovery.resendAt);
  const sent = recovery.sent;
  if (!sent) return null;
  const others = sent.channels.filter((c) => c.channel !== sent.sentTo.channel);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void codeSubmitted(code);
  };
  const canSend = sent.sendsLeft > 0;
  return (
    <StepCard step={3} title={t('account.recovery.codeTitle')}>
      <p className="step-lead" role="status">
        {recovery.resent ? t('account.recovery.codeResent', { masked: sent.sentTo.masked }) : t('account.recovery.codeSent', { masked: sent.sentTo.masked })}
      </p>
      <SandboxNote channel={sent.sentTo.channel} />
      <form className="form" onSubmit={submit} noValidate>
        <TextField
          label={t('account.fields.verificationCode')}
          hint={t('account.fields.codeHint')}
          value={code}
          onValueChange={setCode}
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={40}
          required
          autoFocus
        />
        <ErrorNotice error={recovery.error} />
        <div className="actions">
          <SubmitButton busy={recovery.busy}>{t('account.verify.verify')}</SubmitButton>
          <button type="button" className="button" disabled={recovery.busy || seconds > 0 || !canSend} onClick={() => void resendChosen()}>
            <Icon name="refresh" size={18} />
            {t('account.recovery.resendCode')}
          </button>
          {seconds > 0 && canSend ? <span className="muted cooldown">{t('account.recovery.resendIn', { seconds })}</span> : null}
        </div>
        <p className="muted small">{canSend ? t('account.recovery.sendsLeft', { count: sent.sendsLeft }) : t('account.recovery.noSendsLeft')}</p>
      </form>
      <div className="switch-channel">
        <button type="button" className="button button-link" aria-expanded={switching} onClick={() => setSwitching(!switching)}>
          {t('account.recovery.notWorking')}
        </button>
        {switching ? <ChannelSwitch others={others} seconds={seconds} disabled={recovery.busy || !canSend} /> : null}
      </div>
      <div className="actions step-foot">
        <BackButton onClick={recoveryRestartChosen} label={t('account.recovery.startAgain')} />
      </div>
    </StepCard>
  );
}

function ChannelSwitch({ others, seconds, disabled }: { others: MaskedChannel[]; seconds: number; disabled: boolean }) {
  const { t } = useTranslation();
  const channelChosen = useAccount((s) => s.channelChosen);
  if (others.length === 0) return <p className="muted switch-body">{t('account.recovery.noOtherChannel')}</p>;
  return (
    <div className="switch-body">
      <p className="muted">{t('account.recovery.switchLead')}</p>
      <div className="actions">
        {others.map((c) => (
          <button key={c.channel} type="button" className="button" disabled={disabled || seconds > 0} onClick={() => void channelChosen(c.channel)}>
            {c.channel === 'email' ? t('account.recovery.useEmail', { masked: c.masked }) : t('account.recovery.useSms', { masked: c.masked })}
          </button>
        ))}
      </div>
      {seconds > 0 ? <p className="muted small">{t('account.recovery.resendIn', { seconds })}</p> : null}
    </div>
  );
}

function PasswordStep() {
  const { t } = useTranslation();
  const recovery = useAccount((s) => s.recovery);
  const newPasswordSubmitted = useAccount((s) => s.newPasswordSubmitted);
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  useStrengthAsk('recovery', password);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void newPasswordSubmitted(password, confirm);
  };
  return (
    <StepCard step={4} title={t('account.recovery.passwordTitle')} lead={t('account.recovery.passwordLead')}>
      <form className="form" onSubmit={submit} noValidate>
        <NewPasswordFields
          labels={{
            password: t('account.fields.newPassword'),
            confirm: t('account.fields.confirmNewPassword'),
            hint: t('account.signUpForm.passwordRules'),
            mismatch: t('account.signUpForm.mismatch'),
          }}
          value={password}
          confirm={confirm}
          onValueChange={setPassword}
          onConfirmChange={setConfirm}
          meter={<StrengthFor form="recovery" password={password} />}
          autoFocus
        />
        <ErrorNotice error={recovery.error} />
        <div className="actions">
          <SubmitButton busy={recovery.busy}>{t('account.recovery.changePassword')}</SubmitButton>
        </div>
      </form>
    </StepCard>
  );
}

function DoneStep() {
  const { t } = useTranslation();
  const result = useAccount((s) => s.recovery.result);
  const signInChosen = useAccount((s) => s.signInChosen);
  return (
    <div className="card step-card done-card" role="status">
      <div className="done-mark">
        <Icon name="check" size={28} />
      </div>
      <h2 className="step-title">{t('account.recovery.doneTitle')}</h2>
      <p className="step-lead">{t('account.recovery.doneLead')}</p>
      <h3 className="sub-title">{t('account.recovery.doneNext')}</h3>
      <ul className="checklist">
        <li>{result && result.sessionsEnded > 0 ? t('account.recovery.doneSessionsCount', { count: result.sessionsEnded }) : t('account.recovery.doneSessions')}</li>
        <li>{t('account.recovery.doneNotice')}</li>
        <li>{t('account.recovery.doneHold')}</li>
      </ul>
      <div className="actions">
        <button type="button" className="button button-primary" onClick={signInChosen}>
          {t('account.recovery.goSignIn')}
        </button>
      </div>
    </div>
  );
}

function ExpiredStep() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const error = useAccount((s) => s.recovery.error);
  const recoveryRestartChosen = useAccount((s) => s.recoveryRestartChosen);
  const backChosen = useAccount((s) => s.backChosen);
  return (
    <StepCard title={t('account.recovery.expiredTitle')} lead={t('account.recovery.expiredLead')}>
      {error ? (
        <AlertNotice>{errorText(error)}</AlertNotice>
      ) : null}
      <div className="actions">
        <button type="button" className="button button-primary" onClick={recoveryRestartChosen}>
          {t('account.recovery.startAgain')}
        </button>
        <BackButton onClick={backChosen} />
      </div>
    </StepCard>
  );
}
