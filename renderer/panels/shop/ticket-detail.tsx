import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ShopKindCount, ShopTicket } from '../../../contract/shop';
import { TextField } from '../../components/field';
import { Icon } from '../../components/icons';
import { useShop } from '../../app/stores';
import { ErrorNotice, StepCard, formatBytes, saveFile, useDateTime } from './parts';

const ORDER = ['connect', 'identity', 'readiness', 'backup', 'ready', 'restore', 'closed'] as const;
const reached = (t: ShopTicket, step: (typeof ORDER)[number]): boolean => ORDER.indexOf(t.step) >= ORDER.indexOf(step);

export function TicketDetail() {
  const { t } = useTranslation();
  const ticket = useShop((s) => s.ticket);
  const error = useShop((s) => s.error);
  const backChosen = useShop((s) => s.backChosen);
  if (!ticket) return null;
  const closed = ticket.step === 'closed';
  return (
    <div className="sh-detail">
      <div className="actions">
        <button type="button" className="button" onClick={backChosen}>
          <Icon name="arrowLeft" size={18} />
          {t('shop.backToList')}
        </button>
      </div>
      <div className="card">
        <h2>{t('shop.ticketTitle', { number: ticket.number, name: ticket.customerName })}</h2>
        <dl className="sh-facts">
          <dt>{t('shop.form.contact')}</dt>
          <dd>{ticket.contact}</dd>
          <dt>{t('shop.form.device')}</dt>
          <dd>{ticket.device}</dd>
          <dt>{t('shop.form.problem')}</dt>
          <dd>{ticket.problem}</dd>
          <dt>{t('shop.consent')}</dt>
          <dd>
            {t(ticket.consentBackup ? 'shop.consentBackupYes' : 'shop.consentBackupNo')}; {t(ticket.consentRetention ? 'shop.consentRetentionYes' : 'shop.consentRetentionNo')}
          </dd>
        </dl>
        <ol className="sh-steps" aria-label={t('shop.stepsLabel')}>
          {ORDER.map((s) => (
            <li key={s} aria-current={ticket.step === s ? 'step' : undefined} className={reached(ticket, s) ? 'sh-reached' : undefined}>
              {t(`shop.steps.${s}`)}
            </li>
          ))}
        </ol>
      </div>
      <ErrorNotice error={error} />
      {closed ? null : (
        <>
          <ConnectStep ticket={ticket} />
          <IdentityStep ticket={ticket} />
          <ReadinessStep ticket={ticket} />
          <BackupStep ticket={ticket} />
          <ReadyStep ticket={ticket} />
          <RestoreStep ticket={ticket} />
        </>
      )}
      <CloseStep ticket={ticket} />
      <AuditLog ticket={ticket} />
    </div>
  );
}

function ConnectStep({ ticket }: { ticket: ShopTicket }) {
  const { t } = useTranslation();
  const phones = useShop((s) => s.phones);
  const selected = useShop((s) => s.selectedSerial);
  const busy = useShop((s) => s.busy);
  const phoneSelected = useShop((s) => s.phoneSelected);
  const phonesRefreshed = useShop((s) => s.phonesRefreshed);
  const connectChosen = useShop((s) => s.connectChosen);
  const list = phones?.phones ?? [];
  const ready = list.filter((p) => p.state === 'device');
  const unauthorized = list.filter((p) => p.state === 'unauthorized');
  const offline = list.filter((p) => p.state === 'offline');
  return (
    <StepCard title={t('shop.steps.connect')} done={ticket.serial !== null}>
      {ticket.serial ? <p>{t('shop.connect.connected', { serial: ticket.serial })}</p> : null}
      <ul className="sh-checklist" aria-label={t('shop.connect.checklist')}>
        <li className={list.length > 0 ? 'sh-ok' : undefined}>{t('shop.connect.usbDebugging')}</li>
        <li className={list.length > 0 && unauthorized.length === 0 ? 'sh-ok' : undefined}>{t('shop.connect.allowComputer')}</li>
        <li className={ready.length === 1 ? 'sh-ok' : undefined}>{t('shop.connect.onePhone')}</li>
      </ul>
      {phones ? <p className="muted">{t('shop.connect.server', { server: phones.server })}</p> : null}
      {phones?.problem ? (
        <p className="notice notice-error" role="alert">
          {phones.problem.message}
        </p>
      ) : null}
      {phones && !phones.problem && list.length === 0 ? <p role="status">{t('shop.connect.none')}</p> : null}
      {unauthorized.length > 0 ? (
        <p className="notice sh-warn" role="alert">
          {t('shop.connect.unauthorizedHelp')}
        </p>
      ) : null}
      {offline.length > 0 ? <p className="notice sh-warn">{t('shop.connect.offlineHelp')}</p> : null}
      {list.length > 0 ? (
        <fieldset className="sh-phones">
          <legend>{ready.length > 1 ? t('shop.connect.pickOne') : t('shop.connect.phones')}</legend>
          {list.map((p) => (
            <label key={p.serial} className="sh-phone">
              <input type="radio" name="sh-phone" value={p.serial} disabled={p.state !== 'device'} checked={selected === p.serial} onChange={() => phoneSelected(p.serial)} />
              <span>{p.model ?? p.product ?? t('shop.connect.unknownModel')}</span>
              <span className="muted">{p.serial}</span>
              <span className="sh-pill">{t(`shop.connect.state.${p.state}`)}</span>
            </label>
          ))}
        </fieldset>
      ) : null}
      <div className="actions">
        <button type="button" className="button" onClick={() => void phonesRefreshed()}>
          <Icon name="refresh" size={18} />
          {t('shop.connect.refresh')}
        </button>
        <button type="button" className="button button-primary" disabled={busy !== undefined || ready.length === 0 || (ready.length > 1 && !selected)} onClick={() => void connectChosen()}>
          {t('shop.connect.connect')}
        </button>
      </div>
    </StepCard>
  );
}

function IdentityStep({ ticket }: { ticket: ShopTicket }) {
  const { t } = useTranslation();
  const busy = useShop((s) => s.busy);
  const identifyChosen = useShop((s) => s.identifyChosen);
  const id = ticket.identity;
  return (
    <StepCard title={t('shop.steps.identity')} done={id !== null}>
      {id ? (
        <dl className="sh-facts" aria-label={t('shop.identity.label')}>
          <dt>{t('shop.identity.phone')}</dt>
          <dd>{phoneName(id.brand, id.marketingName ?? id.model)}</dd>
          <dt>{t('shop.identity.model')}</dt>
          <dd>{id.model ?? '-'}</dd>
          <dt>{t('shop.identity.serial')}</dt>
          <dd>{id.serial ?? '-'}</dd>
          <dt>{t('shop.identity.android')}</dt>
          <dd>
            {id.android ?? '-'}
            {id.securityPatch ? ` (${t('shop.identity.patch', { patch: id.securityPatch })})` : ''}
          </dd>
          <dt>{t('shop.identity.vendorOs')}</dt>
          <dd>{id.vendorOs ?? '-'}</dd>
          <dt>{t('shop.identity.imei')}</dt>
          <dd>{id.imeis.length ? id.imeis.join(', ') : id.imeiNote}</dd>
          <dt>{t('shop.identity.battery')}</dt>
          <dd>{id.battery ?? '-'}</dd>
          <dt>{t('shop.identity.storage')}</dt>
          <dd>{id.storage ?? '-'}</dd>
        </dl>
      ) : null}
      <div className="actions">
        <button type="button" className="button button-primary" disabled={!ticket.serial || busy !== undefined} onClick={() => void identifyChosen()}>
          {id ? t('shop.identity.again') : t('shop.identity.read')}
        </button>
      </div>
    </StepCard>
  );
}

function ReadinessStep({ ticket }: { ticket: ShopTicket }) {
  const { t } = useTranslation();
  const busy = useShop((s) => s.busy);
  const readinessChosen = useShop((s) => s.readinessChosen);
  const r = ticket.readiness;
  return (
    <StepCard title={t('shop.steps.readiness')} done={r?.verdict === 'ready'}>
      <p className="muted">{t('shop.readiness.noPasswords')}</p>
      {r ? (
        <>
          <p className={`sh-verdict ${r.verdict === 'ready' ? 'sh-verdict-ready' : 'sh-verdict-not'}`} role="status" aria-label={t('shop.readiness.verdictLabel')}>
            {r.verdict === 'ready' ? t('shop.readiness.ready') : t('shop.readiness.notReady')}
          </p>
          <p>{r.summary}</p>
          {r.lifeline?.lostMode ? (
            <p className="notice notice-error" role="alert">
              {t('shop.readiness.lostModeWarning')}
            </p>
          ) : null}
          <ul className="sh-evidence" aria-label={t('shop.readiness.evidence')}>
            {r.evidence.map((e, i) => (
              <li key={`${e.id}-${i}`} className={`sh-ev-${e.status}`}>
                <strong>{e.label}:</strong> {e.value} <span className="sh-pill">{t(`shop.readiness.status.${e.status}`)}</span>
                {e.detail ? <div className="muted">{e.detail}</div> : null}
              </li>
            ))}
          </ul>
          {r.instructions.length ? (
            <>
              <h3>{t('shop.readiness.customerMust')}</h3>
              <ol className="sh-instructions" aria-label={t('shop.readiness.customerMust')}>
                {r.instructions.map((x) => (
                  <li key={x.code}>{x.text}</li>
                ))}
              </ol>
            </>
          ) : null}
          <p className="muted">{r.lifeline ? t('shop.readiness.enrolled') : t('shop.readiness.notEnrolled')}</p>
        </>
      ) : null}
      <div className="actions">
        <button type="button" className="button button-primary" disabled={!ticket.serial || busy !== undefined} onClick={() => void readinessChosen()}>
          {r ? t('shop.readiness.again') : t('shop.readiness.check')}
        </button>
      </div>
    </StepCard>
  );
}

const PHASES = ['starting', 'records', 'listing', 'files', 'storing', 'verifying'] as const;
function phaseKey(phase: string | undefined): (typeof PHASES)[number] {
  return PHASES.find((p) => p === phase) ?? 'starting';
}

function CountText({ c, which }: { c: ShopKindCount; which: 'onPhone' | 'inBackup' }) {
  const { t } = useTranslation();
  if (c.status === 'refused') return <>{t('shop.backup.notAllowed')}</>;
  if (c.status === 'unavailable') return <>{t('shop.backup.notAvailable')}</>;
  return <>{c[which] ?? '-'}</>;
}

/** Time left from the rate so far in this phase; shown once there is enough to estimate from. */
function TimeLeft({ bytes, total, since }: { bytes: number; total: number | null; since: number | undefined }) {
  const { t } = useTranslation();
  if (!total || !since || bytes <= 0 || bytes >= total) return null;
  const elapsed = (Date.now() - since) / 1000;
  if (elapsed < 2) return null;
  const left = Math.ceil(((total - bytes) / bytes) * elapsed);
  return <p className="muted">{left < 60 ? t('shop.backup.secondsLeft', { count: left }) : t('shop.backup.minutesLeft', { count: Math.ceil(left / 60) })}</p>;
}

function BackupStep({ ticket }: { ticket: ShopTicket }) {
  const { t } = useTranslation();
  const busy = useShop((s) => s.busy);
  const progress = useShop((s) => s.progress);
  const phaseStartedAt = useShop((s) => s.progressPhaseStartedAt);
  const locked = useShop((s) => !s.status?.store.unlocked);
  const backupChosen = useShop((s) => s.backupChosen);
  const stopChosen = useShop((s) => s.stopChosen);
  const receiptChosen = useShop((s) => s.receiptChosen);
  const b = ticket.backup;
  const running = busy === 'backup';
  const resume = b.status === 'interrupted' || b.stagedFiles > 0;
  return (
    <StepCard title={t('shop.steps.backup')} done={b.verified}>
      <p className="muted">{t('shop.backup.into', { device: b.device })}</p>
      {!ticket.consentBackup ? <p className="notice sh-warn">{t('shop.backup.noConsent')}</p> : null}
      {locked ? <p className="notice sh-warn">{t('shop.backup.locked')}</p> : null}
      {running ? (
        <div role="status" aria-label={t('shop.backup.progressLabel')}>
          <progress max={progress?.bytesTotal ?? undefined} value={progress?.bytesTotal ? progress.bytes : undefined} aria-label={t('shop.backup.progressLabel')} />
          <p>
            {t(`shop.backup.phase.${phaseKey(progress?.phase)}`)}
            {progress ? ` ${progress.items}${progress.itemsTotal !== null ? ` / ${progress.itemsTotal}` : ''}, ${formatBytes(progress.bytes)}${progress.bytesTotal ? ` / ${formatBytes(progress.bytesTotal)}` : ''}` : ''}
          </p>
          <TimeLeft bytes={progress?.bytes ?? 0} total={progress?.bytesTotal ?? null} since={phaseStartedAt} />
        </div>
      ) : null}
      {b.status === 'verified' ? (
        <p className="sh-verdict sh-verdict-ready" role="status">
          {t('shop.backup.verified')}
        </p>
      ) : null}
      {b.status === 'interrupted' ? (
        <p className="notice sh-warn" role="status">
          {t('shop.backup.interrupted', { count: b.stagedFiles })}
        </p>
      ) : null}
      {b.status === 'deleted' ? <p className="muted">{t('shop.backup.deleted')}</p> : null}
      {b.message && b.status !== 'verified' ? <p className="muted">{b.message}</p> : null}
      {b.counts.length ? (
        <table className="sh-counts" aria-label={t('shop.backup.countsLabel')}>
          <thead>
            <tr>
              <th scope="col">{t('shop.backup.kind')}</th>
              <th scope="col">{t('shop.backup.onPhone')}</th>
              <th scope="col">{t('shop.backup.inBackup')}</th>
              <th scope="col">{t('shop.backup.notes')}</th>
            </tr>
          </thead>
          <tbody>
            {b.counts.map((c) => (
              <tr key={c.kind}>
                <th scope="row">{t(`shop.kinds.${c.kind}`)}</th>
                <td>
                  <CountText c={c} which="onPhone" />
                </td>
                <td>
                  <CountText c={c} which="inBackup" />
                </td>
                <td>{c.note ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <div className="actions">
        {running ? (
          <button type="button" className="button" onClick={() => void stopChosen()}>
            {t('shop.backup.stop')}
          </button>
        ) : (
          <button type="button" className="button button-primary" disabled={!ticket.serial || !ticket.consentBackup || locked || busy !== undefined || b.status === 'deleted'} onClick={() => void backupChosen()}>
            {resume ? t('shop.backup.resume') : b.snapshot ? t('shop.backup.again') : t('shop.backup.start')}
          </button>
        )}
        {b.snapshot && b.status !== 'deleted' ? (
          <>
            <button type="button" className="button" onClick={() => void receiptChosen('pdf').then((f) => f && saveFile(f))}>
              {t('shop.backup.receiptPdf')}
            </button>
            <button type="button" className="button" onClick={() => void receiptChosen('json').then((f) => f && saveFile(f))}>
              {t('shop.backup.receiptJson')}
            </button>
          </>
        ) : null}
      </div>
    </StepCard>
  );
}

function ReadyStep({ ticket }: { ticket: ShopTicket }) {
  const { t } = useTranslation();
  const busy = useShop((s) => s.busy);
  const readyChosen = useShop((s) => s.readyChosen);
  const [reason, setReason] = useState('');
  const green = ticket.readiness?.verdict === 'ready' && ticket.backup.verified;
  const r = ticket.readyForReset;
  return (
    <StepCard title={t('shop.steps.ready')} done={r !== null}>
      {r ? (
        <p className="sh-verdict sh-verdict-ready" role="status">
          {r.override ? t('shop.ready.doneOverride', { reason: r.override }) : t('shop.ready.done')}
        </p>
      ) : green ? (
        <>
          <p>{t('shop.ready.allGreen')}</p>
          <div className="actions">
            <button type="button" className="button button-primary" disabled={busy !== undefined} onClick={() => void readyChosen()}>
              {t('shop.ready.mark')}
            </button>
          </div>
        </>
      ) : (
        <>
          <p>{t('shop.ready.notYet')}</p>
          <TextField label={t('shop.ready.overrideReason')} hint={t('shop.ready.overrideHint')} value={reason} onValueChange={setReason} wide />
          <div className="actions">
            <button type="button" className="button" disabled={busy !== undefined || reason.trim().length < 10} onClick={() => void readyChosen(reason.trim())}>
              {t('shop.ready.override')}
            </button>
          </div>
        </>
      )}
    </StepCard>
  );
}

function RestoreStep({ ticket }: { ticket: ShopTicket }) {
  const { t } = useTranslation();
  const busy = useShop((s) => s.busy);
  const restoreChosen = useShop((s) => s.restoreChosen);
  const results = ticket.restore;
  const can = ticket.backup.snapshot !== null && ticket.backup.status !== 'deleted';
  return (
    <StepCard title={t('shop.steps.restore')} done={results !== null}>
      <p className="muted">{t('shop.restore.intro')}</p>
      {results ? (
        <ul className="sh-restore" aria-label={t('shop.restore.resultsLabel')}>
          {results.map((x) => (
            <li key={x.kind}>
              <strong>{t(`shop.kinds.${x.kind}`)}:</strong> <span className="sh-pill">{t(`shop.restore.status.${x.status}`)}</span> {x.message}
            </li>
          ))}
        </ul>
      ) : null}
      <div className="actions">
        <button type="button" className="button button-primary" disabled={!can || busy !== undefined} onClick={() => void restoreChosen()}>
          {busy === 'restore' ? t('shop.restore.running') : t('shop.restore.start')}
        </button>
      </div>
    </StepCard>
  );
}

function CloseStep({ ticket }: { ticket: ShopTicket }) {
  const { t } = useTranslation();
  const busy = useShop((s) => s.busy);
  const closeChosen = useShop((s) => s.closeChosen);
  const deleteChosen = useShop((s) => s.deleteChosen);
  const dateTime = useDateTime();
  const [reason, setReason] = useState('');
  const hasBackup = ticket.backup.status !== 'none' && ticket.backup.status !== 'deleted';
  return (
    <StepCard title={t('shop.steps.closed')} done={ticket.step === 'closed'}>
      {ticket.deleteAfter && hasBackup ? <p>{t('shop.close.deleteAfter', { when: dateTime(ticket.deleteAfter) })}</p> : null}
      {ticket.step !== 'closed' ? (
        <div className="actions">
          <button type="button" className="button" disabled={busy !== undefined} onClick={() => void closeChosen()}>
            {t('shop.close.close')}
          </button>
        </div>
      ) : (
        <p role="status">{t('shop.close.closed')}</p>
      )}
      {hasBackup ? (
        <>
          <TextField label={t('shop.close.deleteReason')} value={reason} onValueChange={setReason} wide />
          <div className="actions">
            <button type="button" className="button" disabled={busy !== undefined || reason.trim().length < 3} onClick={() => void deleteChosen(reason.trim())}>
              {t('shop.close.deleteNow')}
            </button>
          </div>
        </>
      ) : null}
    </StepCard>
  );
}

function AuditLog({ ticket }: { ticket: ShopTicket }) {
  const { t } = useTranslation();
  const dateTime = useDateTime();
  return (
    <section className="card" aria-labelledby="sh-audit">
      <h2 id="sh-audit">{t('shop.audit.title')}</h2>
      <table className="sh-audit" aria-label={t('shop.audit.title')}>
        <thead>
          <tr>
            <th scope="col">{t('shop.audit.time')}</th>
            <th scope="col">{t('shop.audit.operator')}</th>
            <th scope="col">{t('shop.audit.action')}</th>
            <th scope="col">{t('shop.audit.detail')}</th>
          </tr>
        </thead>
        <tbody>
          {ticket.audit.map((a) => (
            <tr key={a.id}>
              <td>{dateTime(a.at)}</td>
              <td>{a.operator}</td>
              <td>{a.action}</td>
              <td>{a.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** "Redmi Note 13 Pro 5G", not "Redmi Redmi Note 13 Pro 5G": the brand only when the name does not start with it. */
export function phoneName(brand: string | null | undefined, name: string | null | undefined): string {
  if (!name) return brand ?? '';
  if (!brand || name.toLowerCase().startsWith(brand.toLowerCase())) return name;
  return `${brand} ${name}`;
}
