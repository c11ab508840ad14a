import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BackupRetention } from '../../../contract';
import { useBackup } from '../../app/stores';
import { ErrorNotice, InfoNotice, formatBytes, formatDate } from './parts';

const RULES = ['keepLast', 'keepDaily', 'keepWeekly', 'keepMonthly'] as const;

/** The Settings panel's "Backups" section: keep rules for the backup store and "prune now". */
export function BackupRetentionSettings() {
  const { t, i18n } = useTranslation();
  const status = useBackup((s) => s.status);
  const retention = useBackup((s) => s.retention);
  const panelOpened = useBackup((s) => s.panelOpened);
  const retentionOpened = useBackup((s) => s.retentionOpened);
  const retentionSaved = useBackup((s) => s.retentionSaved);
  const pruneChosen = useBackup((s) => s.pruneChosen);
  const [draft, setDraft] = useState<Record<string, string>>({});
  useEffect(() => {
    void panelOpened();
  }, [panelOpened]);
  useEffect(() => {
    if (status?.exists) void retentionOpened();
  }, [status?.exists, retentionOpened]);
  useEffect(() => {
    setDraft(Object.fromEntries(RULES.map((r) => [r, retention.rules[r] !== undefined ? String(retention.rules[r]) : ''])));
  }, [retention.rules]);

  const title = <h2 className="card-title">{t('backup.retention.title')}</h2>;
  if (!status?.exists) {
    return (
      <section className="card settings-card" aria-label={t('backup.retention.title')}>
        {title}
        <p className="muted">{t('backup.retention.noStore')}</p>
      </section>
    );
  }
  const rules = (): BackupRetention => {
    const out: BackupRetention = {};
    for (const r of RULES) {
      const n = Number.parseInt(draft[r] ?? '', 10);
      if (Number.isFinite(n) && n >= 0) out[r] = n;
    }
    return out;
  };
  const pruned = retention.pruned;
  return (
    <section className="card settings-card" aria-label={t('backup.retention.title')}>
      {title}
      <p className="muted">{t('backup.retention.lead')}</p>
      <div className="bk-rules">
        {RULES.map((r) => (
          <div className="field" key={r}>
            <label className="field-label" htmlFor={`bk-rule-${r}`}>
              {t(`backup.retention.${r}`)}
            </label>
            <input
              id={`bk-rule-${r}`}
              className="input"
              type="number"
              min={0}
              max={10000}
              inputMode="numeric"
              value={draft[r] ?? ''}
              onChange={(e) => setDraft({ ...draft, [r]: e.target.value })}
            />
          </div>
        ))}
      </div>
      <div className="actions">
        <button type="button" className="button button-primary" disabled={retention.busy} onClick={() => void retentionSaved(rules())}>
          {t('backup.retention.save')}
        </button>
        <button type="button" className="button" disabled={retention.busy || !status.unlocked} onClick={() => void pruneChosen(true)}>
          {t('backup.retention.preview')}
        </button>
        <button type="button" className="button" disabled={retention.busy || !status.unlocked} onClick={() => void pruneChosen(false)}>
          {t('backup.retention.pruneNow')}
        </button>
      </div>
      {!status.unlocked ? <p className="field-hint">{t('backup.retention.unlockFirst')}</p> : null}
      {retention.saved ? <InfoNotice>{t('backup.retention.saved')}</InfoNotice> : null}
      <ErrorNotice error={retention.error} />
      {pruned ? (
        <div role="status">
          <p>{pruned.dryRun ? t('backup.retention.wouldRemove', { count: pruned.remove.length }) : t('backup.retention.removed', { count: pruned.remove.length })}</p>
          <ul>
            {pruned.remove.slice(0, 50).map((s) => (
              <li key={s.id}>
                {s.device} · {formatDate(s.time, i18n.language)}
              </li>
            ))}
          </ul>
          {pruned.prune ? <p className="muted">{t('backup.retention.freed', { size: formatBytes(Math.max(0, pruned.prune.bytesBefore - pruned.prune.bytesAfter), i18n.language) })}</p> : null}
        </div>
      ) : null}
    </section>
  );
}
