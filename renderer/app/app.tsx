import { useTranslation } from 'react-i18next';
import { Icon } from '../components/icons';
import { AccountPanel } from '../panels/account/account-panel';
import { BackupPanel } from '../panels/backup/backup-panel';
import { DevicesPanel } from '../panels/devices/devices-panel';
import { SettingsPanel } from '../panels/settings/settings-panel';
import { ShopPanel } from '../panels/shop/shop-panel';
import { AuthNeeded, Unreachable } from './full-page';
import type { PanelId } from './shell-store';
import { Sidebar } from './sidebar';
import { StatusBar } from './status-bar';
import { useShell } from './stores';

const panels: Record<PanelId, () => React.JSX.Element> = {
  account: AccountPanel,
  backup: BackupPanel,
  devices: DevicesPanel,
  shop: ShopPanel,
  settings: SettingsPanel,
};

export function App() {
  const system = useShell((s) => s.system);
  const panel = useShell((s) => s.panel);
  if (system.kind === 'unauthorized') return <AuthNeeded />;
  if (system.kind === 'unreachable') return <Unreachable message={system.message} />;
  const Current = panels[panel];
  return (
    <div className="app">
      {system.kind === 'ready' && system.info.testHooks ? <TestHooksBanner /> : null}
      <Sidebar />
      <main className="content">
        <Current />
      </main>
      <StatusBar />
    </div>
  );
}

function TestHooksBanner() {
  const { t } = useTranslation();
  return (
    <div className="banner banner-warning" role="status">
      <Icon name="flask" size={18} />
      <strong>{t('banner.testHooks')}</strong>
      <span>{t('banner.testHooksDetail')}</span>
    </div>
  );
}
