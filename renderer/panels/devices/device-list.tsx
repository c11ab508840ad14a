import { useTranslation } from 'react-i18next';
import type { DeviceSummary } from '../../../contract/devices';
import { useDevices } from '../../app/stores';
import { Badge, useAgoText, useNow } from './parts';

/** The account's phones as cards; choosing one shows it on the map with its commands. */
export function DeviceList() {
  const { t } = useTranslation();
  const devices = useDevices((s) => s.devices);
  const selectedId = useDevices((s) => s.selectedId);
  const deviceChosen = useDevices((s) => s.deviceChosen);
  const now = useNow(30_000);
  return (
    <ul className="dv-list" aria-label={t('devices.list.label')}>
      {devices.map((device) => (
        <li key={device.id}>
          <DeviceCard device={device} selected={device.id === selectedId} now={now} onChoose={() => void deviceChosen(device.id)} />
        </li>
      ))}
    </ul>
  );
}

export function DeviceCard({ device, selected, now, onChoose }: { device: DeviceSummary; selected: boolean; now: number; onChoose: () => void }) {
  const { t } = useTranslation();
  const agoText = useAgoText();
  const seen = device.online
    ? t('devices.card.online')
    : device.lastSeenAt === null
      ? t('devices.card.neverSeen')
      : t('devices.card.lastSeen', { when: agoText(device.lastSeenAt, now) });
  const lost = device.lostMode.state;
  return (
    <article className="dv-card" data-selected={selected || undefined} aria-label={device.name}>
      <header className="dv-card-head">
        <button type="button" className="dv-card-name" aria-pressed={selected} onClick={onChoose}>
          {device.name}
        </button>
        <span className="dv-presence" data-online={device.online || undefined}>
          <span className="dot" aria-hidden="true" />
          {seen}
        </span>
      </header>
      <p className="dv-card-model muted">
        {device.model} · {t(`devices.platform.${device.platform}`)} {device.osVersion}
      </p>
      <dl className="dv-facts">
        <div>
          <dt>{t('devices.card.battery')}</dt>
          <dd>
            {device.battery
              ? device.battery.charging
                ? t('devices.card.batteryCharging', { percent: device.battery.percent })
                : t('devices.card.batteryPercent', { percent: device.battery.percent })
              : t('devices.card.unknown')}
          </dd>
        </div>
        <div>
          <dt>{t('devices.card.network')}</dt>
          <dd>
            {device.network
              ? [t(`devices.network.${device.network.type}`), device.network.operator].filter(Boolean).join(' · ')
              : t('devices.card.unknown')}
          </dd>
        </div>
        <div>
          <dt>{t('devices.card.sim')}</dt>
          <dd>{device.sim ? [t('devices.card.simSlot', { slot: device.sim.slot + 1 }), device.sim.operator].filter(Boolean).join(' · ') : t('devices.card.noSim')}</dd>
        </div>
      </dl>
      <div className="dv-badges">
        {device.erased ? <Badge tone="danger">{t('devices.card.erased')}</Badge> : null}
        {lost !== 'off' ? <Badge tone="warn">{t(`devices.lostMode.${lost}`)}</Badge> : null}
        {device.activationLock ? <Badge tone="good">{t('devices.card.lockOn')}</Badge> : <Badge tone="muted">{t('devices.card.lockOff')}</Badge>}
      </div>
    </article>
  );
}
