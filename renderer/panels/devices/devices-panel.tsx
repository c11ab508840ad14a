import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon } from '../../components/icons';
import { EmptyState, HelpCard } from '../../components/panel';
import { useDevices, useShell } from '../../app/stores';
import { AddDevice } from './add-device';
import { AlertsCard } from './alerts';
import { DeviceDetail } from './device-detail';
import { DeviceList } from './device-list';
import { DevicesSettingsCard } from './devices-settings';
import { DeviceDialogs } from './dialogs';
import { ErrorNotice } from './parts';
import './devices.css';

export function DevicesPanel() {
  const { t } = useTranslation();
  const session = useDevices((s) => s.session);
  const screen = useDevices((s) => s.screen);
  const devicesOpened = useDevices((s) => s.devicesOpened);
  useEffect(() => {
    void devicesOpened();
  }, [devicesOpened]);

  return (
    <section className="panel dv-panel" aria-labelledby="dv-title">
      <header className="panel-header">
        <h1 id="dv-title">{t('devices.title')}</h1>
        <p className="panel-intro">{t('devices.intro')}</p>
      </header>
      {session === 'signedOut' ? <SignedOut /> : null}
      {session === 'unknown' || session === 'loading' ? <p className="muted">{t('devices.loading')}</p> : null}
      {session === 'signedIn' ? screen === 'add' ? <AddDevice /> : <SignedIn /> : null}
      <DeviceDialogs />
    </section>
  );
}

function SignedOut() {
  const { t } = useTranslation();
  const panelChosen = useShell((s) => s.panelChosen);
  return (
    <>
      <EmptyState icon="devices" message={t('devices.empty')}>
        <button type="button" className="button button-primary" onClick={() => panelChosen('account')}>
          <Icon name="account" size={18} />
          {t('devices.goToAccount')}
        </button>
      </EmptyState>
      <p className="muted">{t('devices.signedOut')}</p>
      <HelpCard title={t('devices.helpTitle')}>{t('devices.helpText')}</HelpCard>
    </>
  );
}

function SignedIn() {
  const { t } = useTranslation();
  const devices = useDevices((s) => s.devices);
  const listError = useDevices((s) => s.listError);
  const selected = useDevices((s) => s.devices.find((d) => d.id === s.selectedId));
  const addDeviceChosen = useDevices((s) => s.addDeviceChosen);
  const refreshChosen = useDevices((s) => s.refreshChosen);
  return (
    <>
      <div className="actions">
        <button type="button" className="button button-primary" onClick={() => void addDeviceChosen()}>
          {t('devices.addPhone')}
        </button>
        {devices.length > 0 ? (
          <button type="button" className="button" onClick={() => void refreshChosen()}>
            <Icon name="refresh" size={18} />
            {t('devices.refresh')}
          </button>
        ) : null}
      </div>
      <ErrorNotice error={listError} />
      {devices.length === 0 ? (
        <>
          <EmptyState icon="devices" message={t('devices.emptySignedIn')} />
          <HelpCard title={t('devices.helpTitle')}>{t('devices.helpText')}</HelpCard>
        </>
      ) : (
        <>
          <DeviceList />
          {selected ? <DeviceDetail device={selected} /> : null}
        </>
      )}
      <AlertsCard />
      <DevicesSettingsCard />
    </>
  );
}
