import { useTranslation } from 'react-i18next';
import iconUrl from '../../resources/icon.svg';
import { Icon } from '../components/icons';
import { useShell } from './stores';
import type { PanelId } from './shell-store';

const mainPanels = ['account', 'backup', 'devices', 'shop'] as const satisfies readonly PanelId[];

export function Sidebar() {
  const { t } = useTranslation();
  return (
    <div className="sidebar">
      <div className="brand">
        <img className="brand-mark" src={iconUrl} alt="" width={36} height={36} />
        <div>
          <div className="brand-name">{t('app.name')}</div>
          <div className="brand-tagline">{t('app.tagline')}</div>
        </div>
      </div>
      <nav className="nav" aria-label={t('nav.label')}>
        <ul className="nav-list">
          {mainPanels.map((panel) => (
            <li key={panel}>
              <NavItem panel={panel} />
            </li>
          ))}
        </ul>
        <ul className="nav-list nav-list-end">
          <li>
            <NavItem panel="settings" />
          </li>
        </ul>
      </nav>
    </div>
  );
}

function NavItem({ panel }: { panel: PanelId }) {
  const { t } = useTranslation();
  const current = useShell((s) => s.panel === panel);
  const panelChosen = useShell((s) => s.panelChosen);
  return (
    <button type="button" className="nav-item" aria-current={current ? 'page' : undefined} onClick={() => panelChosen(panel)}>
      <Icon name={panel} />
      <span>{t(`nav.${panel}`)}</span>
    </button>
  );
}
