import { useEffect, useId, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { BackupProgress } from '../../../contract';
import { Icon } from '../../components/icons';
import { Notice } from '../../components/notice';
import type { BackupError } from './backup-store';

export function ErrorNotice({ error }: { error: BackupError | undefined }) {
  const { t } = useTranslation();
  if (!error) return null;
  const known = ['wrong_passphrase', 'store_missing', 'not_empty', 'busy', 'store_locked', 'cancelled'].includes(error.code);
  return (
    <div className="notice notice-error" role="alert">
      <Icon name="alert" size={18} />
      <div>
        {known ? <strong className="bk-error-title">{t(`backup.errors.${error.code as 'busy'}`)}</strong> : null}
        <span>{error.message}</span>
      </div>
    </div>
  );
}

export function InfoNotice({ children }: { children: ReactNode }) {
  return (
    <Notice icon="info" className="bk-notice-info">
      {children}
    </Notice>
  );
}

export function formatBytes(n: number, lang: string): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${new Intl.NumberFormat(lang, { maximumFractionDigits: u === 0 ? 0 : 1 }).format(v)} ${units[u]}`;
}

export function formatDate(ms: number | null | undefined, lang: string, withTime = true): string {
  if (ms === null || ms === undefined) return '';
  return new Intl.DateTimeFormat(lang, withTime ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'medium' }).format(new Date(ms));
}

export function formatCount(n: number, lang: string): string {
  return new Intl.NumberFormat(lang).format(n);
}

export function formatDuration(ms: number, t: TFunction): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return t('backup.time.seconds', { count: s });
  const m = Math.round(s / 60);
  if (m < 60) return t('backup.time.minutes', { count: m });
  return t('backup.time.hours', { count: Math.round(m / 6) / 10 });
}

/** Time left from how far the source has been read; undefined until there is enough to guess from. */
export function timeLeft(p: BackupProgress | undefined): number | undefined {
  if (!p || !p.elapsedMs || p.elapsedMs < 1500) return undefined;
  const done = p.sourceBytesRead ?? 0;
  const total = p.sourceBytesTotal ?? 0;
  if (total <= 0 || done <= 0 || done > total) return undefined;
  return (p.elapsedMs * (total - done)) / done;
}

export function ProgressBar({ label, value, max }: { label: string; value: number | undefined; max: number | undefined }) {
  const known = value !== undefined && max !== undefined && max > 0;
  const pct = known ? Math.min(100, Math.round(((value as number) / (max as number)) * 100)) : undefined;
  return (
    <div
      className={known ? 'bk-progress' : 'bk-progress bk-progress-busy'}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
    >
      <span style={{ width: known ? `${pct}%` : '30%' }} />
    </div>
  );
}

export const RECORD_KINDS = ['contact', 'sms', 'mms', 'call', 'note', 'media'] as const;

export function KindCounts({ counts, caption }: { counts: Record<string, number | undefined>; caption: string }) {
  const { t, i18n } = useTranslation();
  const entries = RECORD_KINDS.filter((k) => (counts[k] ?? 0) > 0);
  if (entries.length === 0) return null;
  return (
    <dl className="bk-counts" aria-label={caption}>
      {entries.map((k) => (
        <div key={k}>
          <dt>{t(`backup.kinds.${k}`)}</dt>
          <dd>{formatCount(counts[k] ?? 0, i18n.language)}</dd>
        </div>
      ))}
    </dl>
  );
}

export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setV(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return v;
}

/** A row of tabs with the ARIA tab pattern; the panel below is labelled by the selected tab. */
export function Tabs<T extends string>({ label, tabs, value, onChange }: { label: string; tabs: readonly { id: T; label: string }[]; value: T; onChange: (id: T) => void }) {
  const base = useId();
  return (
    <div className="bk-tabs" role="tablist" aria-label={label}>
      {tabs.map((tab) => (
        <button
          key={tab.id}
          id={`${base}-${tab.id}`}
          type="button"
          role="tab"
          aria-selected={tab.id === value}
          tabIndex={tab.id === value ? 0 : -1}
          className={tab.id === value ? 'bk-tab bk-tab-on' : 'bk-tab'}
          onClick={() => onChange(tab.id)}
          onKeyDown={(event) => {
            const i = tabs.findIndex((x) => x.id === value);
            const next = event.key === 'ArrowRight' ? tabs[(i + 1) % tabs.length] : event.key === 'ArrowLeft' ? tabs[(i - 1 + tabs.length) % tabs.length] : undefined;
            if (next) {
              event.preventDefault();
              onChange(next.id);
            }
          }}
        >
          {tab.label}
        </button>
      ))}
    </div>
  );
}

/** Offers bytes from the service as a file download (works in the browser and in the desktop window). */
export function downloadBase64(fileName: string, mime: string, data: string): void {
  const bin = atob(data);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const url = URL.createObjectURL(new Blob([bytes], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
