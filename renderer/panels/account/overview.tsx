import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AccountSummary, SecurityEvent, SessionInfo } from '../../../contract';
import { TextField } from '../../components/field';
import { Icon } from '../../components/icons';
import { useAccount } from '../../app/stores';
import { ErrorNotice, StrengthFor, SubmitButton, SuccessNotice, useFormatTime, useStrengthAsk } from './parts';
import { formatAccountId, VerifyChannel } from './sign-up';

export function OverviewScreen() {
  const account = useAccount((s) => s.account);
  const overviewOpened = useAccount((s) => s.overviewOpened);
  useEffect(() => {
    void overviewOpened();
  }, [overviewOpened]);
  if (!account) return null;
  return (
    <>
      <AccountCard account={account} />
      <ChangesCard account={account} />
      <SessionsCard />
      <SecurityLogCard />
    </>
  );
}

function AccountCard({ account }: { account: AccountSummary }) {
  const { t } = useTranslation();
  const format = useFormatTime();
  const signOutChosen = useAccount((s) => s.signOutChosen);
  const verify = useAccount((s) => s.verify);
  const verificationResendChosen = useAccount((s) => s.verificationResendChosen);
  const channels = [
    { channel: 'email' as const, label: t('account.overview.email'), value: account.email, verified: account.emailVerified },
    { channel: 'sms' as const, label: t('account.overview.phone'), value: account.phone, verified: account.phoneVerified },
  ];
  return (
    <div className="card">
      <div className="card-head">
        <div>
          <h2 className="card-title">{t('account.overview.title')}</h2>
          <p className="muted small">
            {t('account.overview.memberSince', { when: format(account.createdAt) })} · {t('account.overview.passwordChangedAt', { when: format(account.passwordChangedAt) })}
          </p>
        </div>
        <button type="button" className="button" onClick={() => void signOutChosen()}>
          {t('account.overview.signOut')}
        </button>
      </div>
      <dl className="facts account-facts">
        <dt>{t('account.overview.accountId')}</dt>
        <dd className="account-id-inline">{formatAccountId(account.accountId)}</dd>
        {channels.map(({ channel, label, value, verified }) => (
          <div key={channel} className="facts-row">
            <dt>{label}</dt>
            <dd>
              {value ? (
                <span className="channel-value">
                  <span>{maskAddress(channel, value)}</span>
                  <span className={verified ? 'badge badge-ok' : 'badge badge-warn'}>
                    {verified ? <Icon name="check" size={14} /> : null}
                    {verified ? t('account.overview.verified') : t('account.overview.unverified')}
                  </span>
                  {!verified && !verify[channel] ? (
                    <button type="button" className="button button-link" onClick={() => void verificationResendChosen(channel)}>
                      {t('account.overview.confirmNow')}
                    </button>
                  ) : null}
                </span>
              ) : (
                <span className="muted">{t('account.overview.notSet')}</span>
              )}
            </dd>
          </div>
        ))}
      </dl>
      {channels.map(({ channel, verified }) => (verify[channel] && (!verified || verify[channel]?.status === 'verified') ? <VerifyChannel key={channel} channel={channel} /> : null))}
    </div>
  );

}

function ChangesCard({ account }: { account: AccountSummary }) {
  const { t } = useTranslation();
  const change = useAccount((s) => s.change);
  const changeFormChosen = useAccount((s) => s.changeFormChosen);
  const forms = [
    { form: 'password' as const, label: t('account.changes.changePassword') },
    { form: 'email' as const, label: t('account.changes.changeEmail') },
    { form: 'phone' as const, label: t('account.changes.changePhone') },
  ];
  const doneText = change.done === 'password' ? t('account.changes.donePassword') : change.done === 'email' ? t('account.changes.doneEmail') : change.done === 'phone' ? t('account.changes.donePhone') : undefined;
  return (
    <div className="card">
      <h2 className="card-title">{t('account.changes.title')}</h2>
      <p className="muted card-lead">{t('account.changes.lead')}</p>
      {doneText ? <SuccessNotice>{doneText}</SuccessNotice> : null}
      {change.form === undefined ? (
        <div className="actions">
          {forms.map(({ form, label }) => (
            <button key={form} type="button" className="button" onClick={() => changeFormChosen(form)}>
              {label}
            </button>
          ))}
        </div>
      ) : change.form === 'password' ? (
        <PasswordChangeForm account={account} />
      ) : (
        <ChannelChangeForm kind={change.form} />
      )}
    </div>
  );
}

function PasswordChangeForm({ account }: { account: AccountSummary }) {
  const { t } = useTranslation();
  const change = useAccount((s) => s.change);
  const passwordChangeSubmitted = useAccount((s) => s.passwordChangeSubmitted);
  const changeFormChosen = useAccount((s) => s.changeFormChosen);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const context: { email?: string; phone?: string } = {};
  if (account.email) context.email = account.email;
  if (account.phone) context.phone = account.phone;
  useStrengthAsk('change', next, context);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void passwordChangeSubmitted({ currentPassword: current, newPassword: next, confirmPassword: confirm });
  };
  return (
    <form className="form" onSubmit={submit} noValidate aria-label={t('account.changes.changePassword')}>
      <TextField label={t('account.fields.currentPassword')} type="password" value={current} onValueChange={setCurrent} autoComplete="current-password" required />
      <TextField label={t('account.fields.newPassword')} type="password" value={next} onValueChange={setNext} autoComplete="new-password" required />
      <StrengthFor form="change" password={next} />
      <TextField label={t('account.fields.confirmNewPassword')} type="password" value={confirm} onValueChange={setConfirm} autoComplete="new-password" required />
      <ErrorNotice error={change.error} />
      <div className="actions">
        <SubmitButton busy={change.busy}>{t('account.changes.changePassword')}</SubmitButton>
        <button type="button" className="button button-quiet" onClick={() => changeFormChosen(undefined)}>
          {t('account.changes.cancel')}
        </button>
      </div>
    </form>
  );
}

function ChannelChangeForm({ kind }: { kind: 'email' | 'phone' }) {
  const { t } = useTranslation();
  const change = useAccount((s) => s.change);
  const emailChangeSubmitted = useAccount((s) => s.emailChangeSubmitted);
  const phoneChangeSubmitted = useAccount((s) => s.phoneChangeSubmitted);
  const changeFormChosen = useAccount((s) => s.changeFormChosen);
  const [current, setCurrent] = useState('');
  const [value, setValue] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (kind === 'email') void emailChangeSubmitted({ currentPassword: current, email: value });
    else void phoneChangeSubmitted({ currentPassword: current, phone: value });
  };
  return (
    <form className="form" onSubmit={submit} noValidate aria-label={kind === 'email' ? t('account.changes.changeEmail') : t('account.changes.changePhone')}>
      {kind === 'email' ? (
        <TextField label={t('account.changes.newEmail')} type="email" value={value} onValueChange={setValue} autoComplete="email" required />
      ) : (
        <TextField label={t('account.changes.newPhone')} hint={t('account.fields.phoneHint')} type="tel" value={value} onValueChange={setValue} autoComplete="tel" required />
      )}
      <TextField label={t('account.fields.currentPassword')} type="password" value={current} onValueChange={setCurrent} autoComplete="current-password" required />
      <ErrorNotice error={change.error} />
      <div className="actions">
        <SubmitButton busy={change.busy}>{t('account.changes.save')}</SubmitButton>
        <button type="button" className="button button-quiet" onClick={() => changeFormChosen(undefined)}>
          {t('account.changes.cancel')}
        </button>
      </div>
    </form>
  );
}

function SessionsCard() {
  const { t } = useTranslation();
  const sessions = useAccount((s) => s.sessions);
  return (
    <div className="card">
      <h2 className="card-title">{t('account.sessions.title')}</h2>
      <p className="muted card-lead">{t('account.sessions.lead')}</p>
      <ErrorNotice error={sessions.error} />
      {sessions.items.length === 0 && !sessions.loading ? <p className="muted">{t('account.sessions.empty')}</p> : null}
      <ul className="row-list" aria-label={t('account.sessions.title')}>
        {sessions.items.map((session) => (
          <SessionRow key={session.sessionId} session={session} />
        ))}
      </ul>
    </div>
  );
}

function SessionRow({ session }: { session: SessionInfo }) {
  const { t } = useTranslation();
  const format = useFormatTime();
  const sessionEndChosen = useAccount((s) => s.sessionEndChosen);
  const name = describeAgent(session.userAgent) ?? t('account.sessions.unknownBrowser');
  return (
    <li className="row">
      <div className="row-main">
        <div className="row-title">
          {name}
          {session.current ? <span className="badge badge-ok">{t('account.sessions.thisOne')}</span> : null}
          {session.keepSignedIn ? <span className="badge">{t('account.sessions.kept')}</span> : null}
        </div>
        <div className="muted small">
          {t('account.sessions.started', { when: format(session.createdAt) })}, {t('account.sessions.lastSeen', { when: format(session.lastSeenAt) })} · {session.ip}
        </div>
      </div>
      <button type="button" className="button" aria-label={t('account.sessions.endSession')} title={t('account.sessions.endSessionOf', { name })} onClick={() => void sessionEndChosen(session.sessionId)}>
        {t('account.sessions.endSession')}
      </button>
    </li>
  );
}

/** Addresses are shown masked, as the service masks them in messages (`jo****@mail.com`, `+62****89`). */
export function maskAddress(channel: 'email' | 'sms', address: string): string {
  if (channel === 'email') {
    const at = address.lastIndexOf('@');
    if (at < 1) return '****';
    return `${address.slice(0, Math.min(2, at))}****${address.slice(at)}`;
  }
  const digits = address.replace(/[^\d+]/g, '');
  return digits.length > 5 ? `${digits.slice(0, 3)}****${digits.slice(-2)}` : '****';
}

/** A short, readable name for a user agent ("Chrome on Linux"); the raw string stays out of the way. */
export function describeAgent(userAgent: string): string | undefined {
  if (!userAgent) return undefined;
  const browser = /Edg\//.test(userAgent) ? 'Edge' : /Firefox\//.test(userAgent) ? 'Firefox' : /Electron\//.test(userAgent) ? 'Lifeline desktop' : /Chrom(e|ium)\//.test(userAgent) ? 'Chrome' : /Safari\//.test(userAgent) ? 'Safari' : /node|undici/i.test(userAgent) ? 'Script' : undefined;
  const system = /Windows/.test(userAgent) ? 'Windows' : /Android/.test(userAgent) ? 'Android' : /iPhone|iPad/.test(userAgent) ? 'iOS' : /Mac OS X/.test(userAgent) ? 'macOS' : /Linux/.test(userAgent) ? 'Linux' : undefined;
  if (browser && system) return `${browser} · ${system}`;
  return browser ?? system ?? userAgent.slice(0, 40);
}

function SecurityLogCard() {
  const { t } = useTranslation();
  const log = useAccount((s) => s.securityLog);
  const securityLogMoreChosen = useAccount((s) => s.securityLogMoreChosen);
  return (
    <div className="card">
      <h2 className="card-title">{t('account.log.title')}</h2>
      <p className="muted card-lead">{t('account.log.lead')}</p>
      <ErrorNotice error={log.error} />
      {log.items.length === 0 && !log.loading ? <p className="muted">{t('account.log.empty')}</p> : null}
      <ol className="row-list log-list" aria-label={t('account.log.title')}>
        {log.items.map((event) => (
          <LogRow key={event.id} event={event} />
        ))}
      </ol>
      {log.more ? (
        <div className="actions">
          <button type="button" className="button" disabled={log.loading} onClick={() => void securityLogMoreChosen()}>
            {t('account.log.more')}
          </button>
        </div>
      ) : null}
    </div>
  );
}

function LogRow({ event }: { event: SecurityEvent }) {
  const { t, i18n } = useTranslation();
  const format = useFormatTime();
  const key = `account.log.events.${event.event}`;
  const title = i18n.exists(key) ? t(key as 'account.log.events.sign_in') : event.event.replace(/_/g, ' ');
  return (
    <li className="row log-row" data-event={event.event}>
      <div className="row-main">
        <div className="row-title">{title}</div>
        <div className="muted small">
          <time dateTime={new Date(event.at).toISOString()}>{format(event.at)}</time> · {t('account.log.from', { ip: event.ip })}
          {event.detail ? ` · ${event.detail}` : null}
        </div>
      </div>
    </li>
  );
}
