import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DeviceSummary } from '../../../contract/devices';
import { Icon } from '../../components/icons';
import { useDevices } from '../../app/stores';
import { CommandsCard } from './commands';
import type { ExportedFile } from './devices-store';
import { ErrorNotice, useAgoText, useDateTime, useNow } from './parts';

// Leaflet and the world basemap are a separate chunk: they load when a phone is first shown on the map.
const DeviceMap = lazy(() => import('./device-map').then((m) => ({ default: m.DeviceMap })));

/** The chosen phone: where it is, its trail with the time slider, its commands, export and activation lock. */
export function DeviceDetail({ device }: { device: DeviceSummary }) {
  const { t } = useTranslation();
  const history = useDevices((s) => s.history);
  const tileUrl = useDevices((s) => s.settings.value?.onlineTileUrl ?? null);
  const timeMoved = useDevices((s) => s.timeMoved);
  const now = useNow(30_000);
  const agoText = useAgoText();
  const dateTime = useDateTime();
  const last = device.lastLocation;
  const points = history.deviceId === device.id ? history.points : [];
  const at = points[history.index];

  return (
    <div className="dv-detail">
      <section className="card dv-where" aria-labelledby="dv-where-title">
        <div className="dv-section-head">
          <h2 className="card-title" id="dv-where-title">
            {t('devices.map.title', { name: device.name })}
          </h2>
          {last ? (
            <p className="dv-place">
              <strong>{last.place ?? t('devices.map.noPlace')}</strong>
              <span className="muted dv-small">
                {t('devices.map.accuracy', { meters: Math.round(last.accuracyM) })} · {t(`devices.source.${last.source}`)} · {agoText(last.at, now)}
              </span>
            </p>
          ) : null}
        </div>
        {!last && points.length === 0 ? <p className="muted">{t('devices.map.noLocation')}</p> : null}
        <div className="dv-map-frame">
          <Suspense fallback={<div className="dv-map dv-map-loading">{t('devices.map.loading')}</div>}>
            <DeviceMap deviceId={device.id} points={points} index={history.index} last={last} tileUrl={tileUrl} label={t('devices.map.label', { name: device.name })} />
          </Suspense>
        </div>
        <ErrorNotice error={history.error} />
        <div className="dv-slider">
          <label className="dv-slider-label" htmlFor="dv-time">
            {t('devices.map.time')}
          </label>
          <input
            id="dv-time"
            type="range"
            min={0}
            max={Math.max(0, points.length - 1)}
            step={1}
            value={history.index}
            disabled={points.length < 2}
            aria-valuetext={at ? dateTime(at.at) : t('devices.map.noHistory')}
            onChange={(e) => timeMoved(Number(e.target.value))}
          />
          <output htmlFor="dv-time" className="dv-slider-value">
            {at ? dateTime(at.at) : t('devices.map.noHistory')}
          </output>
        </div>
        <p className="muted dv-small">
          {points.length > 0 ? t('devices.map.points', { count: points.length }) : null}
          {history.truncated ? ` ${t('devices.map.truncated')}` : ''}
        </p>
        <ExportRow disabled={points.length === 0} />
      </section>
      <CommandsCard device={device} />
      <ActivationLockCard device={device} />
    </div>
  );
}

function ExportRow({ disabled }: { disabled: boolean }) {
  const { t } = useTranslation();
  const exported = useDevices((s) => s.exported);
  const exportChosen = useDevices((s) => s.exportChosen);
  const exportClosed = useDevices((s) => s.exportClosed);
  return (
    <div className="dv-export">
      <div className="actions">
        <button type="button" className="button button-small" disabled={disabled || exported.busy} onClick={() => void exportChosen('gpx')}>
          {t('devices.export.gpx')}
        </button>
        <button type="button" className="button button-small" disabled={disabled || exported.busy} onClick={() => void exportChosen('geojson')}>
          {t('devices.export.geojson')}
        </button>
      </div>
      <ErrorNotice error={exported.error} />
      {exported.file ? <ExportedFileCard file={exported.file} onClose={exportClosed} /> : null}
    </div>
  );
}

/**
 * The export as a download link (a Blob URL, for the web page) and as text to copy: the desktop window blocks
 * downloads, so copying is the way there.
 */
function ExportedFileCard({ file, onClose }: { file: ExportedFile; onClose: () => void }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const url = useMemo(() => URL.createObjectURL(new Blob([file.content], { type: file.mimeType })), [file]);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(file.content);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <div className="dv-exported" role="status">
      <p>{t('devices.export.ready', { fileName: file.fileName, count: file.points })}</p>
      <div className="actions">
        <a className="button button-small button-primary" href={url} download={file.fileName}>
          {t('devices.export.download', { fileName: file.fileName })}
        </a>
        <button type="button" className="button button-small" onClick={() => void copy()}>
          {copied ? t('devices.copied') : t('devices.export.copy')}
        </button>
        <button type="button" className="button button-small button-link" onClick={onClose}>
          {t('devices.export.close')}
        </button>
      </div>
      <details>
        <summary>{t('devices.export.show')}</summary>
        <textarea className="dv-export-text" readOnly value={file.content} aria-label={t('devices.export.text', { fileName: file.fileName })} rows={8} />
      </details>
    </div>
  );
}

function ActivationLockCard({ device }: { device: DeviceSummary }) {
  const { t } = useTranslation();
  const removeChosen = useDevices((s) => s.removeChosen);
  return (
    <section className="card dv-lock" aria-labelledby="dv-lock-title">
      <h2 className="card-title" id="dv-lock-title">
        <Icon name="lock" size={18} />
        {t('devices.lock.title')}
      </h2>
      <p>{device.activationLock ? t('devices.lock.on') : t('devices.lock.off')}</p>
      {device.erased ? <p className="muted dv-small">{t('devices.lock.erased')}</p> : null}
      <div className="actions">
        <button type="button" className="button" onClick={removeChosen}>
          {t('devices.lock.remove')}
        </button>
      </div>
    </section>
  );
}
