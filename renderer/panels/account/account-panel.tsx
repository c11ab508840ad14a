import { useTranslation } from 'react-i18next';
import { Button, EmptyState, HelpCard, Panel, StepPlaceholder } from '../../components/panel';
import { useAccount } from '../../app/stores';
import type { AccountStep } from './account-store';

const stepTitles = {
  signIn: 'account.signIn',
  createAccount: 'account.createAccount',
  recoverPassword: 'account.forgotPassword',
  findAccount: 'account.findAccount',
} as const satisfies Record<Exclude<AccountStep, 'start'>, string>;

export function AccountPanel() {
  const { t } = useTranslation();
  const step = useAccount((s) => s.step);
  const signInChosen = useAccount((s) => s.signInChosen);
  const createAccountChosen = useAccount((s) => s.createAccountChosen);
  const forgotPasswordChosen = useAccount((s) => s.forgotPasswordChosen);
  const findAccountChosen = useAccount((s) => s.findAccountChosen);
  const backChosen = useAccount((s) => s.backChosen);

  return (
    <Panel title={t('account.title')}>
      {step === 'start' ? (
        <>
          <EmptyState icon="account" message={t('account.intro')}>
            <Button variant="primary" onClick={signInChosen}>
              {t('account.signIn')}
            </Button>
            <Button onClick={createAccountChosen}>{t('account.createAccount')}</Button>
            <Button variant="link" onClick={forgotPasswordChosen}>
              {t('account.forgotPassword')}
            </Button>
            <Button variant="link" onClick={findAccountChosen}>
              {t('account.findAccount')}
            </Button>
          </EmptyState>
          <HelpCard title={t('account.helpTitle')}>{t('account.helpText')}</HelpCard>
        </>
      ) : (
        <StepPlaceholder title={t(stepTitles[step])} message={t('common.notReady')} backLabel={t('common.back')} onBack={backChosen} />
      )}
    </Panel>
  );
}
