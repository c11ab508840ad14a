import { useTranslation } from 'react-i18next';
import { Button, EmptyState, HelpCard, Panel, StepPlaceholder } from '../../components/panel';
import { useShop } from '../../app/stores';

export function ShopPanel() {
  const { t } = useTranslation();
  const step = useShop((s) => s.step);
  const newTicketChosen = useShop((s) => s.newTicketChosen);
  const backChosen = useShop((s) => s.backChosen);

  return (
    <Panel title={t('shop.title')}>
      {step === 'start' ? (
        <>
          <EmptyState icon="shop" message={t('shop.empty')}>
            <Button variant="primary" onClick={newTicketChosen}>
              {t('shop.newTicket')}
            </Button>
          </EmptyState>
          <HelpCard title={t('shop.helpTitle')}>{t('shop.helpText')}</HelpCard>
        </>
      ) : (
        <StepPlaceholder title={t('shop.newTicket')} message={t('common.notReady')} backLabel={t('common.back')} onBack={backChosen} />
      )}
    </Panel>
  );
}
