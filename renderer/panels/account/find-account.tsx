import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { TextField } from '../../components/field';
import { Icon } from '../../components/icons';
import { useAccount } from '../../app/stores';
import { BackButton, ErrorNotice, PictureCode, SandboxNote, StepCard, SubmitButton } from './parts';

/** "Forgot account?": the same masked confirmation whether or not an account uses that phone or email. */
export function FindAccountScreen() {
  const { t, i18n } = useTranslation();
  const lookup = useAccount((s) => s.lookup);
  const lookupOpened = useAccount((s) => s.lookupOpened);
  const lookupSubmitted = useAccount((s) => s.lookupSubmitted);
  const lookupRestartChosen = useAccount((s) => s.lookupRestartChosen);
  const backChosen = useAccount((s) => s.backChosen);
  const [identifier, setIdentifier] = useState('');
  const [answer, setAnswer] = useState('');

  if (lookup.sentTo) {
    return (
      <div className="card step-card done-card" role="status">
        <div className="done-mark">
          <Icon name="send" size={26} />
        </div>
        <h2 className="step-title">{t('account.lookup.doneTitle')}</h2>
        <p className="step-lead">{t('account.lookup.done', { masked: lookup.sentTo.masked })}</p>
        <SandboxNote channel={lookup.sentTo.channel} />
        <p className="muted">{t('account.lookup.doneHint')}</p>
        <div className="actions">
          <button type="button" className="button button-primary" onClick={backChosen}>
            {t('account.recovery.goSignIn')}
          </button>
          <button type="button" className="button" onClick={() => void lookupRestartChosen()}>
            {t('account.lookup.again')}
          </button>
        </div>
      </div>
    );
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void lookupSubmitted({ identifier, answer, language: i18n.language === 'id' ? 'id' : 'en' });
    setAnswer('');
  };
  return (
    <StepCard title={t('account.lookup.title')} lead={t('account.lookup.lead')}>
      <form className="form" onSubmit={submit} noValidate>
        <TextField label={t('account.lookup.identifier')} value={identifier} onValueChange={setIdentifier} autoComplete="username" spellCheck={false} maxLength={320} required autoFocus />
        <PictureCode picture={lookup.picture} answer={answer} onAnswer={setAnswer} onNewPicture={(variant) => void lookupOpened(variant)} busy={lookup.busy} />
        <ErrorNotice error={lookup.error} />
        <div className="actions">
          <SubmitButton busy={lookup.busy}>{t('account.lookup.send')}</SubmitButton>
          <BackButton onClick={backChosen} />
        </div>
      </form>
    </StepCard>
  );
}
