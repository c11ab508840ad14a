import { useTranslation } from 'react-i18next';
import { Button, EmptyState, HelpCard, Panel, StepPlaceholder } from '../../components/panel';
import { useBackup } from '../../app/stores';

export function BackupPanel() {
  const { t } = useTranslation();
  const step = useBackup((s) => s.step);
  const setUpStoreChosen = useBackup((s) => s.setUpStoreChosen);
  const importChosen = useBackup((s) => s.importChosen);
  const backChosen = useBackup((s) => s.backChosen);

  return (
    <Panel title={t('backup.title')}>
      {step === 'start' ? (
        <>
          <EmptyState icon="backup" message={t('backup.empty')}>
            <Button variant="primary" onClick={setUpStoreChosen}>
              {t('backup.setUp')}
            </Button>
            <Button onClick={importChosen}>{t('backup.import')}</Button>
          </EmptyState>
          <HelpCard title={t('backup.helpTitle')}>{t('backup.helpText')}</HelpCard>
        </>
      ) : (
        <StepPlaceholder
          title={t(step === 'setUpStore' ? 'backup.setUp' : 'backup.import')}
          message={t('common.notReady')}
          backLabel={t('common.back')}
          onBack={backChosen}
        />
      )}
    </Panel>
  );
}
