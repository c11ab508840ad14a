import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, EmptyState, HelpCard, Panel } from '../../components/panel';
import { Icon } from '../../components/icons';
import { useBackup } from '../../app/stores';
import { BackupNow } from './backup-now';
import { ErrorNotice, Tabs } from './parts';
import { RestoreTab } from './restore';
import { SetupScreen, UnlockScreen } from './setup';
import { SnapshotsTab } from './snapshots';
import { VerifyTab } from './verify';
import type { BackupTab } from './backup-store';
import './backup.css';

export function BackupPanel() {
  const { t } = useTranslation();
  const step = useBackup((s) => s.step);
  const status = useBackup((s) => s.status);
  const statusError = useBackup((s) => s.statusError);
  const error = useBackup((s) => s.error);
  const panelOpened = useBackup((s) => s.panelOpened);
  const setUpStoreChosen = useBackup((s) => s.setUpStoreChosen);
  const importChosen = useBackup((s) => s.importChosen);

  useEffect(() => {
    void panelOpened();
  }, [panelOpened]);

  return (
    <Panel title={t('backup.title')}>
      {step === 'start' ? (
        <>
          <EmptyState icon="backup" message={t('backup.empty')}>
            <Button variant="primary" onClick={setUpStoreChosen}>
              {t('backup.setUp')}
            </Button>
            {status?.exists ? <Button onClick={importChosen}>{t('backup.import')}</Button> : null}
          </EmptyState>
          <ErrorNotice error={statusError && statusError.code !== 'unknown_method' ? statusError : undefined} />
          <ErrorNotice error={error?.code === 'store_missing' ? error : undefined} />
          <HelpCard title={t('backup.helpTitle')}>{t('backup.helpText')}</HelpCard>
        </>
      ) : step === 'setUpStore' ? (
        <SetupScreen />
      ) : step === 'unlock' ? (
        <>
          {status?.missing ? <ErrorNotice error={{ code: 'store_missing', message: t('backup.missing', { dir: status.dir }) }} /> : null}
          <UnlockScreen />
        </>
      ) : (
        <Home />
      )}
    </Panel>
  );
}

function Home() {
  const { t } = useTranslation();
  const tab = useBackup((s) => s.tab);
  const tabChosen = useBackup((s) => s.tabChosen);
  const lockChosen = useBackup((s) => s.lockChosen);
  const forgetRememberedChosen = useBackup((s) => s.forgetRememberedChosen);
  const status = useBackup((s) => s.status);
  const running = status?.running;
  const tabs: { id: BackupTab; label: string }[] = [
    { id: 'backup', label: t('backup.tabs.backup') },
    { id: 'snapshots', label: t('backup.tabs.snapshots') },
    { id: 'restore', label: t('backup.tabs.restore') },
    { id: 'verify', label: t('backup.tabs.verify') },
  ];
  return (
    <>
      <div className="bk-toolbar">
        <p className="muted">
          <Icon name="lock" size={16} /> {t('backup.storeAt', { dir: status?.dir ?? '' })}
          {running ? ` · ${t(`backup.running.${running}`)}` : ''}
        </p>
        <div className="actions">
          {status?.keychain?.remembered ? (
            <button type="button" className="button button-link" onClick={() => void forgetRememberedChosen()}>
              {t('backup.unlock.forgetSaved')}
            </button>
          ) : null}
          <button type="button" className="button" onClick={() => void lockChosen()}>
            {t('backup.lock')}
          </button>
        </div>
      </div>
      <Tabs label={t('backup.tabs.label')} tabs={tabs} value={tab} onChange={tabChosen} />
      <div role="tabpanel" className="bk-tabpanel">
        {tab === 'backup' ? <BackupNow /> : null}
        {tab === 'snapshots' ? <SnapshotsTab /> : null}
        {tab === 'restore' ? <RestoreTab /> : null}
        {tab === 'verify' ? <VerifyTab /> : null}
      </div>
    </>
  );
}
