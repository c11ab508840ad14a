import { useTranslation } from 'react-i18next';
import iconUrl from '../../resources/icon.svg';
import { useShell } from './stores';

/** Shown instead of the app when the web page was opened without the printed link. */
export function AuthNeeded() {
  const { t } = useTranslation();
  return (
    <main className="full-page">
      <div className="full-page-card">
        <img src={iconUrl} alt="" width={64} height={64} />
        <h1>{t('auth.title')}</h1>
        <p className="full-page-message">{t('auth.message')}</p>
        <p className="muted">{t('auth.hint')}</p>
      </div>
    </main>
  );
}

export function Unreachable({ message }: { message: string }) {
  const { t } = useTranslation();
  const retryChosen = useShell((s) => s.retryChosen);
  return (
    <main className="full-page">
      <div className="full-page-card" role="alert">
        <img src={iconUrl} alt="" width={64} height={64} />
        <h1>{t('unreachable.title')}</h1>
        <p className="full-page-message">{t('unreachable.message', { message })}</p>
        <div className="actions actions-center">
          <button type="button" className="button button-primary" onClick={() => void retryChosen()}>
            {t('common.retry')}
          </button>
        </div>
      </div>
    </main>
  );
}
