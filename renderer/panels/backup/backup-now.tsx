import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { BackupReceipt } from '../../../contract';
import { TextField } from '../../components/field';
import { Icon } from '../../components/icons';
import { AlertNotice } from '../../components/notice';
import { useBackup, useShell } from '../../app/stores';
import { isError } from './backup-store';
import { PickPathsButtons } from './pick-paths';
import { ErrorNotice, InfoNotice, KindCounts, ProgressBar, downloadBase64, formatBytes, formatCount, formatDuration, timeLeft } from './parts';

export function BackupNow() {
  const run = useBackup((s) => s.run);
  if (run.state === 'running') return <BackupProgressView />;
  if (run.state === 'done' && run.result) return <BackupSummary receipt={run.result} />;
  return <BackupForm />;
}

function BackupForm() {
  const { t } = useTranslation();
  const run = useBackup((s) => s.run);
  const backupStarted = useBackup((s) => s.backupStarted);
  const host = useShell((s) => (s.system.kind === 'ready' ? s.system.info.host : undefined));
  const [device, setDevice] = useState('');
  const [sources, setSources] = useState('');
  const [problem, setProblem] = useState<string | undefined>();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const list = sources
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean);
    if (!device.trim()) return setProblem(t('backup.run.needDevice'));
    if (list.length === 0) return setProblem(t('backup.run.needSource'));
    setProblem(undefined);
    void backupStarted(device.trim(), list);
  };
  return (
    <div className="card">
      <h2>{t('backup.run.title')}</h2>
      <p>{t('backup.run.lead')}</p>
      {run.state === 'cancelled' ? <InfoNotice>{t('backup.run.cancelled')}</InfoNotice> : null}
      {run.state === 'failed' ? <ErrorNotice error={run.error} /> : null}
      <form className="form" onSubmit={submit} noValidate>
        <TextField label={t('backup.run.device')} hint={t('backup.run.deviceHint')} value={device} onValueChange={setDevice} maxLength={200} required />
        <div className="field">
          <label className="field-label" htmlFor="bk-sources">
            {t('backup.run.sources')}
          </label>
          <textarea
            id="bk-sources"
            className="input bk-textarea"
            rows={3}
            value={sources}
            spellCheck={false}
            aria-describedby="bk-sources-hint"
            onChange={(e) => setSources(e.target.value)}
            placeholder={t('backup.run.sourcesPlaceholder')}
          />
          <p id="bk-sources-hint" className="field-hint">
            {host === 'desktop' ? t('backup.run.sourcesHintDesktop') : t('backup.run.sourcesHintWeb')}
          </p>
          <PickPathsButtons kinds={['folder', 'files']} onPicked={(paths) => setSources((before) => [before.trim(), ...paths].filter(Boolean).join('\n'))} />
        </div>
        {problem ? (
          <AlertNotice>{problem}</AlertNotice>
        ) : null}
        <div className="actions">
          <button type="submit" className="button button-primary">
            <Icon name="backup" size={18} />
            {t('backup.run.start')}
          </button>
        </div>
      </form>
    </div>
  );
}

function BackupProgressView() {
  const { t, i18n } = useTranslation();
  const run = useBackup((s) => s.run);
  const cancelChosen = useBackup((s) => s.cancelChosen);
  const [cancelling, setCancelling] = useState(false);
  const p = run.progress;
  const left = timeLeft(p);
  return (
    <div className="card" aria-live="polite">
      <h2>{t('backup.run.running')}</h2>
      <ProgressBar label={t('backup.run.progressLabel')} value={p?.sourceBytesRead} max={p?.sourceBytesTotal} />
      <p className="bk-progress-line">
        {t('backup.run.progressItems', { items: formatCount(p?.items ?? 0, i18n.language), bytes: formatBytes(p?.bytes ?? 0, i18n.language) })}
        {' · '}
        {left !== undefined ? t('backup.run.timeLeft', { time: formatDuration(left, t) }) : t('backup.run.estimating')}
      </p>
      {p?.phase === 'checking' ? <p className="muted">{t('backup.run.readingBack')}</p> : p?.file ? <p className="muted truncate">{t('backup.run.reading', { file: p.file })}</p> : null}
      <KindCounts counts={p?.kinds ?? {}} caption={t('backup.run.countsCaption')} />
      {p?.skipped ? <p className="muted">{t('backup.run.skippedSoFar', { count: p.skipped })}</p> : null}
      <div className="actions">
        <button
          type="button"
          className="button"
          disabled={cancelling}
          onClick={() => {
            setCancelling(true);
            void cancelChosen().finally(() => setCancelling(false));
          }}
        >
          {t('backup.cancel')}
        </button>
      </div>
      <p className="field-hint">{t('backup.run.cancelHint')}</p>
    </div>
  );
}

export function ReceiptButtons({ snapshot }: { snapshot: string }) {
  const { t } = useTranslation();
  const receiptRequested = useBackup((s) => s.receiptRequested);
  const [folder, setFolder] = useState('');
  const [message, setMessage] = useState<string | undefined>();
  const [error, setError] = useState<{ code: string; message: string } | undefined>();
  const get = async (format: 'json' | 'pdf', save: boolean) => {
    setMessage(undefined);
    setError(undefined);
    const r = await receiptRequested(snapshot, format, save ? folder.trim() : undefined);
    if (isError(r)) return setError(r);
    if (r.savedTo) setMessage(t('backup.receipt.saved', { path: r.savedTo }));
    else downloadBase64(r.fileName, r.mime, r.data);
  };
  return (
    <div className="bk-receipt">
      <div className="actions">
        <button type="button" className="button" onClick={() => void get('pdf', false)}>
          {t('backup.receipt.pdf')}
        </button>
        <button type="button" className="button" onClick={() => void get('json', false)}>
          {t('backup.receipt.json')}
        </button>
      </div>
      <div className="form-row bk-inline">
        <TextField label={t('backup.receipt.folder')} hint={t('backup.receipt.folderHint')} value={folder} onValueChange={setFolder} spellCheck={false} />
        <button type="button" className="button" disabled={!folder.trim()} onClick={() => void get('pdf', true)}>
          {t('backup.receipt.savePdf')}
        </button>
        <button type="button" className="button" disabled={!folder.trim()} onClick={() => void get('json', true)}>
          {t('backup.receipt.saveJson')}
        </button>
      </div>
      {message ? <InfoNotice>{message}</InfoNotice> : null}
      <ErrorNotice error={error} />
    </div>
  );
}

function BackupSummary({ receipt }: { receipt: BackupReceipt }) {
  const { t, i18n } = useTranslation();
  const backupDismissed = useBackup((s) => s.backupDismissed);
  const snapshotChosen = useBackup((s) => s.snapshotChosen);
  const tabChosen = useBackup((s) => s.tabChosen);
  const lang = i18n.language;
  const kinds = Object.entries(receipt.kinds);
  const readBackLine = (rb: NonNullable<BackupReceipt['readBack']>): string =>
    rb.packsRead === rb.packsWritten
      ? t('backup.summary.readBackAll', { count: rb.packsWritten, bytes: formatBytes(rb.bytesRead, lang) })
      : t('backup.summary.readBackSome', { read: formatCount(rb.packsRead, lang), written: formatCount(rb.packsWritten, lang), bytes: formatBytes(rb.bytesRead, lang) });
  return (
    <div className="card">
      <h2>
        <Icon name="check" size={20} />
        {t('backup.summary.title', { device: receipt.device })}
      </h2>
      <p>
        {t('backup.summary.lead', {
          items: formatCount(receipt.totals.items, lang),
          newItems: formatCount(receipt.totals.newItems, lang),
          stored: formatBytes(receipt.totals.storedBytes, lang),
        })}
      </p>
      <table className="bk-table">
        <caption className="bk-sr-only">{t('backup.summary.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('backup.summary.kind')}</th>
            <th scope="col">{t('backup.summary.items')}</th>
            <th scope="col">{t('backup.summary.new')}</th>
            <th scope="col">{t('backup.summary.unchanged')}</th>
            <th scope="col">{t('backup.summary.size')}</th>
          </tr>
        </thead>
        <tbody>
          {kinds.map(([kind, s]) => (
            <tr key={kind}>
              <th scope="row">{t(`backup.kinds.${kind as 'sms'}`)}</th>
              <td>{formatCount(s.items, lang)}</td>
              <td>{formatCount(s.newItems, lang)}</td>
              <td>{formatCount(s.items - s.newItems, lang)}</td>
              <td>{formatBytes(s.bytes, lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {receipt.duplicates > 0 ? <p className="muted">{t('backup.summary.duplicates', { count: receipt.duplicates })}</p> : null}
      {receipt.readBack && !receipt.readBack.ok ? <AlertNotice>{t('backup.summary.readBackDamaged')}</AlertNotice> : null}
      {receipt.readBack?.ok && receipt.readBack.packsRead > 0 ? <p className="muted">{readBackLine(receipt.readBack)}</p> : null}
      {receipt.skipped.count > 0 ? (
        <details className="bk-skipped" open={receipt.skipped.count <= 5}>
          <summary>{t('backup.summary.skipped', { count: receipt.skipped.count })}</summary>
          <ul>
            {receipt.skipped.items.map((s, i) => (
              <li key={i}>
                <code>{s.file}</code>
                {s.line !== undefined ? t('backup.summary.line', { line: s.line }) : ''}: {s.reason}
              </li>
            ))}
          </ul>
        </details>
      ) : (
        <p className="muted">{t('backup.summary.nothingSkipped')}</p>
      )}
      <p className="muted">
        {t('backup.summary.snapshot')} <code>{receipt.snapshot.slice(0, 12)}</code>
      </p>
      <h3>{t('backup.receipt.title')}</h3>
      <ReceiptButtons snapshot={receipt.snapshot} />
      <div className="actions">
        <button
          type="button"
          className="button button-primary"
          onClick={() => {
            tabChosen('snapshots');
            void snapshotChosen(receipt.snapshot);
          }}
        >
          {t('backup.summary.browse')}
        </button>
        <button type="button" className="button" onClick={backupDismissed}>
          {t('backup.summary.another')}
        </button>
      </div>
    </div>
  );
}
