import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useAccount } from '../../app/stores';
import { FindAccountScreen } from './find-account';
import { OverviewScreen } from './overview';
import { RecoveryScreen } from './recovery';
import { SignInScreen } from './sign-in';
import { SignUpScreen, WelcomeScreen } from './sign-up';
import './account.css';

export function AccountPanel() {
  const { t } = useTranslation();
  const screen = useAccount((s) => s.screen);
  const accountOpened = useAccount((s) => s.accountOpened);
  useEffect(() => {
    void accountOpened();
  }, [accountOpened]);

  const intro = screen === 'signIn' || screen === 'loading' ? t('account.intro') : undefined;
  // Same markup as the shared <Panel>, but the section is not labelled "Account": a label on it would make the
  // sign-in field "Account" ambiguous for anyone finding fields by label (Playwright's getByLabel matches both).
  return (
    <section className="panel">
      <header className="panel-header">
        <h1>{t('account.title')}</h1>
        {intro ? <p className="panel-intro">{intro}</p> : null}
      </header>
      <div className="account-screens">
        {screen === 'loading' ? <p className="muted">{t('account.loading')}</p> : null}
        {screen === 'signIn' ? <SignInScreen /> : null}
        {screen === 'signUp' ? <SignUpScreen /> : null}
        {screen === 'welcome' ? <WelcomeScreen /> : null}
        {screen === 'overview' ? <OverviewScreen /> : null}
        {screen === 'recovery' ? <RecoveryScreen /> : null}
        {screen === 'findAccount' ? <FindAccountScreen /> : null}
      </div>
    </section>
  );
}
