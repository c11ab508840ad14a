import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Channel, Picture, PictureVariant } from '../../../contract';
import { TextField } from '../../components/field';
import { Icon } from '../../components/icons';
import { AlertNotice, Notice } from '../../components/notice';
import { PasswordStrengthMeter } from '../../components/password-strength';
import { useAccount, useShell } from '../../app/stores';
import type { AccountError, StrengthForm } from './account-store';

/** The words for a failure: ours for the ones the screens know, the service's (which say what to do next) otherwise. */
export function useErrorText(): (error: AccountError) => string {
  const { t } = useTranslation();
  return (error) => {
    switch (error.code) {
      case 'delivery_failed':
        return t('account.errors.deliveryFailed');
      case 'invalid_credentials':
        return error.message || t('account.errors.signInFailed');
      case 'current_password':
        return error.message || t('account.errors.currentPassword');
      default:
        return error.message;
    }
  };
}

export function ErrorNotice({ error }: { error: AccountError | undefined }) {
  const text = useErrorText();
  if (!error) return null;
  return (
    <AlertNotice>{text(error)}</AlertNotice>
  );
}

export function SuccessNotice({ children }: { children: ReactNode }) {
  return (
    <Notice icon="check" className="notice-success">
      {children}
    </Notice>
  );
}

/** Said wherever a code is sent while that channel goes to the local outbox instead of a real inbox or phone. */
export function SandboxNote({ channel }: { channel: Channel | undefined }) {
  const { t } = useTranslation();
  const system = useShell((s) => s.system);
  if (system.kind !== 'ready' || !channel) return null;
  const { delivery } = system.info;
  const sandboxed = channel === 'email' ? delivery.email === 'outbox' : delivery.sms === 'outbox';
  if (!sandboxed) return null;
  return (
    <p className="notice notice-sandbox">
      <Icon name="flask" size={18} />
      <span>
        {delivery.outboxDir ? t('account.sandbox.note', { outboxDir: delivery.outboxDir }) : t('account.sandbox.noteNoDir')}
      </span>
    </p>
  );
}

/** A card with the step's heading (h2) and what goes under it. */
export function StepCard({ title, lead, children, step }: { title: string; lead?: string | undefined; children: ReactNode; step?: number }) {
  const { t } = useTranslation();
  return (
    <div className="card step-card">
      {step ? <p className="step-count">{t('account.recovery.stepOf', { step })}</p> : null}
      <h2 className="step-title">{title}</h2>
      {lead ? <p className="step-lead">{lead}</p> : null}
      {children}
    </div>
  );
}

export function BackButton({ onClick, label }: { onClick: () => void; label?: string }) {
  const { t } = useTranslation();
  return (
    <button type="button" className="button button-quiet" onClick={onClick}>
      <Icon name="arrowLeft" size={18} />
      {label ?? t('common.back')}
    </button>
  );
}

export function SubmitButton({ busy, children, disabled }: { busy: boolean; children: ReactNode; disabled?: boolean }) {
  return (
    <button type="submit" className="button button-primary" disabled={busy || disabled} aria-busy={busy || undefined}>
      {children}
    </button>
  );
}

/** The picture code: image, answer field, "New picture" and the clearer variant for people who find it hard to read. */
export function PictureCode({
  picture,
  answer,
  onAnswer,
  onNewPicture,
  busy,
}: {
  picture: Picture | undefined;
  answer: string;
  onAnswer: (value: string) => void;
  onNewPicture: (variant?: PictureVariant) => void;
  busy: boolean;
}) {
  const { t } = useTranslation();
  return (
    <div className="picture-code">
      <div className="picture-frame" data-variant={picture?.variant}>
        {picture ? (
          <img src={picture.image} alt={t('account.picture.alt')} width={picture.width} height={picture.height} />
        ) : (
          <span className="muted">{t('account.working')}</span>
        )}
      </div>
      <div className="picture-actions">
        <button type="button" className="button" disabled={busy} onClick={() => onNewPicture()}>
          <Icon name="refresh" size={18} />
          {t('account.picture.newPicture')}
        </button>
        {picture?.variant !== 'clear' ? (
          <button type="button" className="button button-link" disabled={busy} onClick={() => onNewPicture('clear')}>
            {t('account.picture.clearer')}
          </button>
        ) : null}
      </div>
      <TextField
        label={t('account.picture.answer')}
        hint={t('account.picture.answerHint')}
        value={answer}
        onValueChange={onAnswer}
        autoComplete="off"
        autoCapitalize="characters"
        spellCheck={false}
        maxLength={40}
        required
      />
    </div>
  );
}

/** The strength meter for one form; the store keeps only the newest answer, for the form that asked. */
export function StrengthFor({ form, password }: { form: StrengthForm; password: string }) {
  const { t } = useTranslation();
  const strength = useAccount((s) => (s.strength && s.strength.form === form && s.strength.password === password ? s.strength.result : undefined));
  if (!password) return null;
  return (
    <PasswordStrengthMeter
      strength={strength}
      label={t('account.strength.label')}
      scoreLabels={[t('account.strength.score0'), t('account.strength.score1'), t('account.strength.score2'), t('account.strength.score3'), t('account.strength.score4')]}
      notAllowed={(problem) => t('account.strength.notAllowed', { problem })}
    />
  );
}

/** Asks the store for the strength of what is typed, a moment after typing stops. */
export function useStrengthAsk(form: StrengthForm, password: string, context: { email?: string; phone?: string } = {}) {
  const passwordTyped = useAccount((s) => s.passwordTyped);
  const { email, phone } = context;
  useEffect(() => {
    const timer = setTimeout(() => {
      const ctx: { email?: string; phone?: string } = {};
      if (email) ctx.email = email;
      if (phone) ctx.phone = phone;
      void passwordTyped(form, password, ctx);
    }, 150);
    return () => clearTimeout(timer);
  }, [form, password, email, phone, passwordTyped]);
}

/** Seconds left until a local-clock time, ticking once a second while there are any. */
export function useSecondsLeft(until: number): number {
  const [now, setNow] = useState(() => Date.now());
  const left = Math.max(0, Math.ceil((until - now) / 1000));
  useEffect(() => {
    if (left <= 0) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [left]);
  useEffect(() => setNow(Date.now()), [until]);
  return left;
}

/** Dates from the service, in the page's language. */
export function useFormatTime(): (at: number) => string {
  const { i18n } = useTranslation();
  const format = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short' });
  return (at) => format.format(new Date(at));
}

export function channelOfMasked(masked: string): Channel {
  return masked.includes('@') ? 'email' : 'sms';
}
