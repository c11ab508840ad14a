import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon } from '../../components/icons';
import { useBackup } from '../../app/stores';
import { ErrorNotice, InfoNotice, ProgressBar, formatBytes, formatCount, formatDate } from './parts';

export function VerifyTab() {
  const { t, i18n } = useTranslation();
  const verify = useBackup((s) => s.verify);
  const verifyStarted = useBackup((s) => s.verifyStarted);
  const cancelChosen = useBackup((s) => s.cancelChosen);
  const [mode, setMode] = useState<'quick' | 'full'>('quick');
  const report = verify.result;
  const lang = i18n.language;
  return (
    <div className="card">
      <h2>{t('backup.verify.title')}</h2>
      <p>{t('backup.verify.lead')}</p>
      <fieldset className="bk-fieldset" disabled={verify.state === 'running'}>
        <legend className="field-label">{t('backup.verify.mode')}</legend>
        <label className="bk-radio">
          <input type="radio" name="bk-verify" checked={mode === 'quick'} onChange={() => setMode('quick')} />
          {t('backup.verify.quick')}
        </label>
        <label className="bk-radio">
          <input type="radio" name="bk-verify" checked={mode === 'full'} onChange={() => setMode('full')} />
          {t('backup.verify.full')}
        </label>
      </fieldset>
      {verify.state === 'running' ? (
        <div aria-live="polite">
          <ProgressBar label={t('backup.verify.progressLabel')} value={verify.progress?.items} max={verify.progress?.total} />
          <p>
            {t('backup.verify.progress', {
              packs: formatCount(verify.progress?.items ?? 0, lang),
              total: formatCount(verify.progress?.total ?? 0, lang),
              bytes: formatBytes(verify.progress?.bytes ?? 0, lang),
            })}
          </p>
          <button type="button" className="button" onClick={() => void cancelChosen()}>
            {t('backup.cancel')}
          </button>
        </div>
      ) : (
        <div className="actions">
          <button type="button" className="button button-primary" onClick={() => void verifyStarted(mode)}>
            {t('backup.verify.start')}
          </button>
        </div>
      )}
      {verify.state === 'cancelled' ? <InfoNotice>{t('backup.verify.cancelled')}</InfoNotice> : null}
      {verify.state === 'failed' ? <ErrorNotice error={verify.error} /> : null}
      {verify.state === 'done' && report ? (
        report.ok ? (
          <p className="bk-ok" role="status">
            <Icon name="check" size={18} />
            {t('backup.verify.ok', { snapshots: report.snapshots, packs: report.packs, read: report.packsRead })}
          </p>
        ) : (
          <div className="bk-report" role="alert">
            <h3>{t('backup.verify.problems', { count: report.problems.length })}</h3>
            <p>{report.summary}</p>
            <ul>
              {report.problems.slice(0, 20).map((p, i) => (
                <li key={i}>{p.message}</li>
              ))}
            </ul>
            {report.affected.itemCount > 0 ? (
              <>
                <h4>{t('backup.verify.affected', { count: report.affected.itemCount })}</h4>
                <ul className="bk-affected" aria-label={t('backup.verify.affectedList')}>
                  {report.affected.items.slice(0, 500).map((it, i) => (
                    <li key={i}>
                      <span className="bk-badge">{t(`backup.kinds.${it.kind as 'sms'}`)}</span> {it.name ?? it.relPath ?? it.address ?? t('backup.verify.unnamed')}
                      {it.date ? <span className="muted"> · {formatDate(it.date, lang)}</span> : null}
                    </li>
                  ))}
                </ul>
                {report.affected.snapshots.length > 0 ? (
                  <p className="muted">
                    {t('backup.verify.inSnapshots', { list: report.affected.snapshots.map((s) => `${s.device} ${formatDate(s.time, lang)}`).join('; ') })}
                  </p>
                ) : null}
              </>
            ) : null}
            <p>{t('backup.verify.next')}</p>
          </div>
        )
      ) : null}
    </div>
  );
}
