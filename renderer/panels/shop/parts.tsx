import { useId, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon } from '../../components/icons';
import { AlertNotice } from '../../components/notice';
import type { ShopError } from './shop-store';

export function ErrorNotice({ error }: { error: ShopError | undefined }) {
  if (!error) return null;
  return (
    <AlertNotice>{error.message}</AlertNotice>
  );
}

export function Checkbox({ label, checked, onChange }: { label: string; checked: boolean; onChange: (checked: boolean) => void }) {
  const id = useId();
  return (
    <div className="sh-check">
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <label htmlFor={id}>{label}</label>
    </div>
  );
}

export function TextArea({ label, value, onValueChange }: { label: string; value: string; onValueChange: (value: string) => void }) {
  const id = useId();
  return (
    <div className="field field-wide">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <textarea id={id} className="input" rows={3} value={value} onChange={(e) => onValueChange(e.target.value)} />
    </div>
  );
}

/** One intake step as a titled region, so people and tests find it by its name. */
export function StepCard({ title, done, children }: { title: string; done: boolean; children: ReactNode }) {
  const id = useId();
  return (
    <section className={`card sh-step${done ? ' sh-step-done' : ''}`} aria-labelledby={id}>
      <h2 id={id}>
        {done ? <Icon name="check" size={18} /> : null}
        {title}
      </h2>
      {children}
    </section>
  );
}

export function useDateTime(): (at: number) => string {
  const { i18n } = useTranslation();
  return (at) => new Date(at).toLocaleString(i18n.language, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(0)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** Saves a receipt the host sent as base64 through a temporary link (works in the window and the web page). */
export function saveFile(file: { fileName: string; mimeType: string; base64: string }): void {
  const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: file.mimeType }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
