import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BackupDiff, BackupSnapshot } from '../../../contract';
import { useBackup } from '../../app/stores';
import { SnapshotBrowserView } from './browser';
import { ErrorNotice, formatBytes, formatCount, formatDate } from './parts';

export function SnapshotsTab() {
  const browsing = useBackup((s) => s.browsing);
  const diff = useBackup((s) => s.compare.diff);
  const snapshotsOpened = useBackup((s) => s.snapshotsOpened);
  useEffect(() => {
    void snapshotsOpened();
  }, [snapshotsOpened]);
  if (browsing) return <SnapshotBrowserView />;
  if (diff) return <DiffView diff={diff} />;
  return (
    <>
      <Timeline />
      <CompareForm />
    </>
  );
}

function byDevice(snapshots: BackupSnapshot[]): [string, BackupSnapshot[]][] {
  const map = new Map<string, BackupSnapshot[]>();
  for (const s of snapshots) map.set(s.device, [...(map.get(s.device) ?? []), s]);
  return [...map.entries()].map(([d, list]) => [d, [...list].sort((a, b) => b.time - a.time)]);
}

export function Timeline() {
  const { t, i18n } = useTranslation();
  const snapshots = useBackup((s) => s.snapshots);
  const error = useBackup((s) => s.snapshotsError);
  const snapshotChosen = useBackup((s) => s.snapshotChosen);
  const tabChosen = useBackup((s) => s.tabChosen);
  if (error) return <ErrorNotice error={error} />;
  if (snapshots.length === 0) {
    return (
      <div className="card">
        <p>{t('backup.snapshots.empty')}</p>
        <div className="actions">
          <button type="button" className="button button-primary" onClick={() => tabChosen('backup')}>
            {t('backup.run.start')}
          </button>
        </div>
      </div>
    );
  }
  return (
    <div className="bk-timelines">
      {byDevice(snapshots).map(([device, list]) => (
        <section key={device} className="card" aria-label={t('backup.snapshots.deviceTimeline', { device })}>
          <h2>{device}</h2>
          <ol className="bk-timeline">
            {list.map((s) => (
              <li key={s.id}>
                <span className="bk-dot" aria-hidden="true" />
                <button type="button" className="bk-snapshot" onClick={() => void snapshotChosen(s.id)} aria-label={t('backup.snapshots.open', { date: formatDate(s.time, i18n.language), device })}>
                  <strong>{formatDate(s.time, i18n.language)}</strong>
                  <span className="muted">
                    {t('backup.snapshots.meta', { items: formatCount(s.items, i18n.language), size: formatBytes(s.bytes, i18n.language), host: s.hostname })}
                  </span>
                  <code className="muted">{s.id.slice(0, 8)}</code>
                </button>
              </li>
            ))}
          </ol>
        </section>
      ))}
    </div>
  );
}

function CompareForm() {
  const { t, i18n } = useTranslation();
  const snapshots = useBackup((s) => s.snapshots);
  const compare = useBackup((s) => s.compare);
  const compareChosen = useBackup((s) => s.compareChosen);
  const sorted = [...snapshots].sort((a, b) => a.time - b.time);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  if (snapshots.length < 2) return null;
  const label = (s: BackupSnapshot) => `${s.device} · ${formatDate(s.time, i18n.language)} · ${s.id.slice(0, 8)}`;
  const a = from || sorted[sorted.length - 2]?.id || '';
  const b = to || sorted[sorted.length - 1]?.id || '';
  return (
    <div className="card">
      <h2>{t('backup.compare.title')}</h2>
      <p className="muted">{t('backup.compare.lead')}</p>
      <div className="form-row bk-inline">
        <SnapshotSelect id="bk-cmp-from" label={t('backup.compare.from')} snapshots={sorted} value={a} onChange={setFrom} optionLabel={label} />
        <SnapshotSelect id="bk-cmp-to" label={t('backup.compare.to')} snapshots={sorted} value={b} onChange={setTo} optionLabel={label} />
        <button type="button" className="button" disabled={compare.busy || a === b} onClick={() => void compareChosen(a, b)}>
          {compare.busy ? t('backup.compare.busy') : t('backup.compare.submit')}
        </button>
      </div>
      <ErrorNotice error={compare.error} />
    </div>
  );
}

const CHANGES = ['added', 'changed', 'removed'] as const;

function SnapshotSelect(props: {
  id: string;
  label: string;
  snapshots: readonly BackupSnapshot[];
  value: string;
  onChange: (id: string) => void;
  optionLabel: (s: BackupSnapshot) => string;
}) {
  return (
    <div className="field">
      <label className="field-label" htmlFor={props.id}>
        {props.label}
      </label>
      <select id={props.id} className="select" value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        {props.snapshots.map((s) => (
          <option key={s.id} value={s.id}>
            {props.optionLabel(s)}
          </option>
        ))}
      </select>
    </div>
  );
}

export function DiffView({ diff }: { diff: BackupDiff }) {
  const { t, i18n } = useTranslation();
  const compareClosed = useBackup((s) => s.compareClosed);
  const kinds = Object.keys(diff.byKind).sort();
  return (
    <div className="card">
      <h2>{t('backup.compare.resultTitle')}</h2>
      <p className="muted">{t('backup.compare.between', { from: diff.from.slice(0, 8), to: diff.to.slice(0, 8) })}</p>
      {kinds.length === 0 ? (
        <p role="status">{t('backup.compare.same')}</p>
      ) : (
        <table className="bk-table" aria-label={t('backup.compare.tableLabel')}>
          <thead>
            <tr>
              <th scope="col">{t('backup.summary.kind')}</th>
              {CHANGES.map((c) => (
                <th key={c} scope="col">
                  {t(`backup.compare.${c}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {kinds.map((k) => (
              <tr key={k}>
                <th scope="row">{t(`backup.kinds.${k as 'sms'}`)}</th>
                {CHANGES.map((c) => (
                  <td key={c} className={`bk-diff-${c}`}>
                    {formatCount(diff.byKind[k]?.[c] ?? 0, i18n.language)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {CHANGES.map((c) => {
        const entries = diff.entries.filter((e) => e.change === c);
        if (entries.length === 0) return null;
        return (
          <section key={c} aria-label={t(`backup.compare.${c}List`)}>
            <h3>{t(`backup.compare.${c}List`)}</h3>
            <ul className="bk-diff-list">
              {entries.map((e) => (
                <li key={`${c}-${e.item.key}`} className={`bk-diff-${c}`}>
                  <span className="bk-badge">{t(`backup.kinds.${e.item.kind}`)}</span> {e.item.name ?? e.item.relPath ?? e.item.address ?? ''}
                  {e.item.preview ? <span className="muted"> — {e.item.preview}</span> : null}
                  {e.item.date ? <span className="muted"> · {formatDate(e.item.date, i18n.language)}</span> : null}
                </li>
              ))}
            </ul>
          </section>
        );
      })}
      <div className="actions">
        <button type="button" className="button" onClick={compareClosed}>
          {t('backup.back')}
        </button>
      </div>
    </div>
  );
}
