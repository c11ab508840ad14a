import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { BackupItemKind } from '../../../contract';
import { TextField } from '../../components/field';
import { PickPathsButtons } from './pick-paths';
import { Icon } from '../../components/icons';
import { AlertNotice } from '../../components/notice';
import { useBackup } from '../../app/stores';
import type { RestoreSelection } from './backup-store';
import { ErrorNotice, InfoNotice, KindCounts, ProgressBar, formatBytes, formatCount, formatDate } from './parts';

const KIND_CHOICES: readonly { id: string; kinds: BackupItemKind[] }[] = [
  { id: 'contacts', kinds: ['contact'] },
  { id: 'messages', kinds: ['sms', 'mms'] },
  { id: 'calls', kinds: ['call'] },
  { id: 'media', kinds: ['media'] },
  { id: 'notes', kinds: ['note'] },
];

function dayStart(value: string): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(`${value}T00:00:00`);
  return Number.isFinite(ms) ? ms : undefined;
}

export function RestoreTab() {
  const { t, i18n } = useTranslation();
  const snapshots = useBackup((s) => s.snapshots);
  const restore = useBackup((s) => s.restore);
  const snapshotsOpened = useBackup((s) => s.snapshotsOpened);
  const restoreDryRunChosen = useBackup((s) => s.restoreDryRunChosen);
  const restoreConfirmed = useBackup((s) => s.restoreConfirmed);
  const restoreReset = useBackup((s) => s.restoreReset);
  const cancelChosen = useBackup((s) => s.cancelChosen);
  useEffect(() => {
    void snapshotsOpened();
  }, [snapshotsOpened]);
  const sorted = [...snapshots].sort((a, b) => b.time - a.time);
  const [snapshot, setSnapshot] = useState('');
  const [scope, setScope] = useState<'all' | 'part'>('all');
  const [kinds, setKinds] = useState<Set<string>>(new Set(KIND_CHOICES.map((k) => k.id)));
  const [contact, setContact] = useState('');
  const [thread, setThread] = useState('');
  const [paths, setPaths] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [target, setTarget] = useState('');
  const [overwrite, setOverwrite] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();
  const chosen = snapshot || sorted[0]?.id || '';

  if (snapshots.length === 0) return <p className="card">{t('backup.restore.noSnapshots')}</p>;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!target.trim()) return setProblem(t('backup.restore.needTarget'));
    const selection: RestoreSelection = {};
    if (scope === 'part') {
      const picked = KIND_CHOICES.filter((k) => kinds.has(k.id)).flatMap((k) => k.kinds);
      if (picked.length === 0) return setProblem(t('backup.restore.needKind'));
      if (picked.length < 6) selection.kinds = picked;
      if (contact.trim()) selection.contact = contact.trim();
      if (thread.trim()) selection.thread = thread.trim();
      const list = paths.split('\n').map((p) => p.trim()).filter(Boolean);
      if (list.length) selection.paths = list;
      const f = dayStart(from);
      const tt = dayStart(to);
      if (f !== undefined) selection.from = f;
      if (tt !== undefined) selection.to = tt + 86_400_000;
      if (f !== undefined && tt !== undefined && tt < f) return setProblem(t('backup.restore.badRange'));
    }
    setProblem(undefined);
    void restoreDryRunChosen({ snapshot: chosen, to: target.trim(), selection, overwrite });
  };

  const dry = restore.dryRun;
  const existing = dry?.files.filter((f) => f.exists).length ?? 0;
  const lang = i18n.language;
  return (
    <div className="card">
      <h2>{t('backup.restore.title')}</h2>
      <p>{t('backup.restore.lead')}</p>
      {restore.state === 'done' && restore.result ? (
        <div role="status" className="bk-done">
          <p>
            <Icon name="check" size={18} />
            {t('backup.restore.done', { count: Object.values(restore.result.counts).reduce((a, b) => a + b, 0), path: restore.result.target })}
          </p>
          <KindCounts counts={restore.result.counts} caption={t('backup.restore.countsCaption')} />
          {restore.result.renamed.length > 0 ? <p className="muted">{t('backup.restore.renamed', { count: restore.result.renamed.length })}</p> : null}
          {restore.result.damaged.length > 0 ? (
            <div className="notice notice-error" role="alert">
              <div>
                <strong>{t('backup.restore.damaged', { count: restore.result.damaged.length })}</strong>
                <ul>
                  {restore.result.damaged.slice(0, 50).map((d, i) => (
                    <li key={i}>
                      {d.what}: {d.reason}
                    </li>
                  ))}
                </ul>
              </div>
            </div>
          ) : null}
          <button type="button" className="button" onClick={restoreReset}>
            {t('backup.restore.again')}
          </button>
        </div>
      ) : restore.state === 'running' && dry ? (
        <div aria-live="polite">
          <ProgressBar label={t('backup.restore.progressLabel')} value={restore.progress?.items} max={Object.values(dry.counts).reduce((a, b) => a + b, 0)} />
          <p>{t('backup.restore.progress', { items: formatCount(restore.progress?.items ?? 0, lang), bytes: formatBytes(restore.progress?.bytes ?? 0, lang) })}</p>
          <button type="button" className="button" onClick={() => void cancelChosen()}>
            {t('backup.cancel')}
          </button>
        </div>
      ) : dry && restore.request ? (
        <div className="bk-dry" role="region" aria-label={t('backup.restore.dryTitle')}>
          <h3>{t('backup.restore.dryTitle')}</h3>
          <p>{t('backup.restore.dryLead', { count: Object.values(dry.counts).reduce((a, b) => a + b, 0), size: formatBytes(dry.bytes, lang), path: dry.target })}</p>
          <KindCounts counts={dry.counts} caption={t('backup.restore.countsCaption')} />
          {dry.files.length > 0 ? (
            <details>
              <summary>{t('backup.restore.files', { count: dry.files.length })}</summary>
              <ul className="bk-files">
                {dry.files.slice(0, 200).map((f) => (
                  <li key={f.path}>
                    <code>{f.path}</code> {f.exists ? <span className="bk-badge bk-badge-warn">{t('backup.restore.exists')}</span> : null}
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
          {existing > 0 && !restore.request.overwrite ? <ErrorNotice error={{ code: 'not_empty', message: t('backup.restore.notEmptyExplain', { count: existing }) }} /> : null}
          {dry.damaged.length > 0 ? <p className="notice notice-error">{t('backup.restore.damaged', { count: dry.damaged.length })}</p> : null}
          <ErrorNotice error={restore.error} />
          <div className="actions">
            <button type="button" className="button button-primary" onClick={() => void restoreConfirmed()} disabled={Object.values(dry.counts).reduce((a, b) => a + b, 0) === 0}>
              {t('backup.restore.confirm')}
            </button>
            <button type="button" className="button" onClick={restoreReset}>
              {t('backup.restore.change')}
            </button>
          </div>
        </div>
      ) : (
        <form className="form" onSubmit={submit} noValidate>
          <div className="field">
            <label className="field-label" htmlFor="bk-restore-snap">
              {t('backup.restore.snapshot')}
            </label>
            <select id="bk-restore-snap" className="select" value={chosen} onChange={(e) => setSnapshot(e.target.value)}>
              {sorted.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.device} · {formatDate(s.time, lang)} · {s.id.slice(0, 8)}
                </option>
              ))}
            </select>
          </div>
          <fieldset className="bk-fieldset">
            <legend className="field-label">{t('backup.restore.what')}</legend>
            <label className="bk-radio">
              <input type="radio" name="bk-scope" checked={scope === 'all'} onChange={() => setScope('all')} />
              {t('backup.restore.all')}
            </label>
            <label className="bk-radio">
              <input type="radio" name="bk-scope" checked={scope === 'part'} onChange={() => setScope('part')} />
              {t('backup.restore.part')}
            </label>
          </fieldset>
          {scope === 'part' ? (
            <>
              <fieldset className="bk-fieldset">
                <legend className="field-label">{t('backup.restore.kinds')}</legend>
                {KIND_CHOICES.map((k) => (
                  <label key={k.id} className="bk-radio">
                    <input
                      type="checkbox"
                      checked={kinds.has(k.id)}
                      onChange={(e) => {
                        const next = new Set(kinds);
                        if (e.target.checked) next.add(k.id);
                        else next.delete(k.id);
                        setKinds(next);
                      }}
                    />
                    {t(`backup.browse.tabs.${k.id as 'contacts'}`)}
                  </label>
                ))}
              </fieldset>
              <div className="form-row">
                <TextField label={t('backup.restore.contact')} hint={t('backup.restore.contactHint')} value={contact} onValueChange={setContact} />
                <TextField label={t('backup.restore.thread')} hint={t('backup.restore.threadHint')} value={thread} onValueChange={setThread} />
              </div>
              <div className="field">
                <label className="field-label" htmlFor="bk-restore-paths">
                  {t('backup.restore.paths')}
                </label>
                <textarea id="bk-restore-paths" className="input bk-textarea" rows={2} value={paths} onChange={(e) => setPaths(e.target.value)} aria-describedby="bk-restore-paths-hint" />
                <p id="bk-restore-paths-hint" className="field-hint">
                  {t('backup.restore.pathsHint')}
                </p>
              </div>
              <div className="form-row">
                <TextField label={t('backup.restore.from')} type="date" value={from} onValueChange={setFrom} />
                <TextField label={t('backup.restore.to')} type="date" value={to} onValueChange={setTo} />
              </div>
            </>
          ) : null}
          <TextField label={t('backup.restore.target')} hint={t('backup.restore.targetHint')} value={target} onValueChange={setTarget} spellCheck={false} required />
          <PickPathsButtons kinds={['folder']} onPicked={(paths) => setTarget(paths[0] ?? '')} />
          <label className="bk-radio">
            <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} />
            {t('backup.restore.overwrite')}
          </label>
          {problem ? (
            <AlertNotice>{problem}</AlertNotice>
          ) : null}
          {restore.state === 'cancelled' ? <InfoNotice>{t('backup.restore.cancelled')}</InfoNotice> : null}
          <ErrorNotice error={restore.error} />
          <div className="actions">
            <button type="submit" className="button button-primary" disabled={restore.state === 'running'}>
              {restore.state === 'running' ? t('backup.restore.checking') : t('backup.restore.dryRun')}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
