import { useState, type FormEvent, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { TextField } from '../../components/field';
import { HelpCard } from '../../components/panel';
import { useAccount } from '../../app/stores';
import { ErrorNotice, PictureCode, SubmitButton } from './parts';

/** An in-panel link: a real link for people and tests, which changes the screen instead of the address. */
export function PanelLink({ onChoose, children, href }: { onChoose: () => void; children: string; href: string }) {
  return (
    <a
      className="link"
      href={href}
      onClick={(event: MouseEvent) => {
        event.preventDefault();
        onChoose();
      }}
    >
      {children}
    </a>
  );
}

export function SignInScreen() {
  const { t } = useTranslation();
  const signIn = useAccount((s) => s.signIn);
  const notice = useAccount((s) => s.signedOutNotice);
  const signInSubmitted = useAccount((s) => s.signInSubmitted);
  const signInPictureRequested = useAccount((s) => s.signInPictureRequested);
  const createAccountChosen = useAccount((s) => s.createAccountChosen);
  const forgotPasswordChosen = useAccount((s) => s.forgotPasswordChosen);
  const findAccountChosen = useAccount((s) => s.findAccountChosen);
  const [account, setAccount] = useState('');
  const [password, setPassword] = useState('');
  const [keepSignedIn, setKeepSignedIn] = useState(false);
  const [pictureAnswer, setPictureAnswer] = useState('');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const ok = await signInSubmitted({ account, password, keepSignedIn, pictureAnswer });
    setPictureAnswer('');
    if (!ok) setPassword('');
  };

  return (
    <>
      <div className="card step-card auth-card">
        <h2 className="step-title">{t('account.signInForm.title')}</h2>
        {notice ? <p className="notice notice-info">{t('account.signInForm.sessionEnded')}</p> : null}
        <form className="form" onSubmit={(event) => void submit(event)} noValidate>
          <TextField
            label={t('account.fields.account')}
            hint={t('account.fields.accountHint')}
            value={account}
            onValueChange={setAccount}
            autoComplete="username"
            spellCheck={false}
            required
          />
          <TextField label={t('account.fields.password')} type="password" value={password} onValueChange={setPassword} autoComplete="current-password" required />
          <label className="checkbox">
            <input type="checkbox" checked={keepSignedIn} onChange={(event) => setKeepSignedIn(event.target.checked)} />
            <span>{t('account.fields.keepSignedIn')}</span>
          </label>
          {signIn.picture ? (
            <div className="picture-block">
              <p className="muted">{t('account.picture.signInNeeded')}</p>
              <PictureCode
                picture={signIn.picture}
                answer={pictureAnswer}
                onAnswer={setPictureAnswer}
                onNewPicture={(variant) => void signInPictureRequested(variant)}
                busy={signIn.busy}
              />
            </div>
          ) : null}
          <ErrorNotice error={signIn.error} />
          <div className="actions">
            <SubmitButton busy={signIn.busy}>{t('account.signIn')}</SubmitButton>
            <PanelLink href="#forgot-password" onChoose={forgotPasswordChosen}>
              {t('account.forgotPassword')}
            </PanelLink>
            <PanelLink href="#forgot-account" onChoose={findAccountChosen}>
              {t('account.forgotAccount')}
            </PanelLink>
          </div>
        </form>
        <p className="auth-footer">
          <span className="muted">{t('account.signInForm.noAccount')}</span>{' '}
          <PanelLink href="#create-account" onChoose={createAccountChosen}>
            {t('account.createAccount')}
          </PanelLink>
        </p>
      </div>
      <HelpCard title={t('account.helpTitle')}>{t('account.helpText')}</HelpCard>
    </>
  );
}
