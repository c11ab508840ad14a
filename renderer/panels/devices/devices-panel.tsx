import { useTranslation } from 'react-i18next';
import { Button, EmptyState, HelpCard, Panel, StepPlaceholder } from '../../components/panel';
import { useDevices, useShell } from '../../app/stores';

export function DevicesPanel() {
  const { t } = useTranslation();
  const step = useDevices((s) => s.step);
  const addPhoneChosen = useDevices((s) => s.addPhoneChosen);
  const backChosen = useDevices((s) => s.backChosen);
  const panelChosen = useShell((s) => s.panelChosen);

  return (
    <Panel title={t('devices.title')}>
      {step === 'start' ? (
        <>
          <EmptyState icon="devices" message={t('devices.empty')}>
            <Button variant="primary" onClick={() => panelChosen('account')}>
              {t('devices.goToAccount')}
            </Button>
            <Button onClick={addPhoneChosen}>{t('devices.addPhone')}</Button>
          </EmptyState>
          <HelpCard title={t('devices.helpTitle')}>{t('devices.helpText')}</HelpCard>
        </>
      ) : (
        <StepPlaceholder title={t('devices.addPhone')} message={t('common.notReady')} backLabel={t('common.back')} onBack={backChosen} />
      )}
    </Panel>
  );
}
