import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { AlertNotice } from '../../components/notice';
import type { DevicesError } from './devices-api';
import { ago } from './format';

/** The clock, re-read every `everyMs`, for "2 min ago" and countdowns. */
export function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

export function useAgoText(): (at: number, now: number) => string {
  const { t } = useTranslation();
  return (at, now) => {
    const value = ago(at, now);
    switch (value.unit) {
      case 'justNow':
        return t('devices.ago.justNow');
      case 'minutes':
        return t('devices.ago.minutes', { count: value.count });
      case 'hours':
        return t('devices.ago.hours', { count: value.count });
      case 'days':
        return t('devices.ago.days', { count: value.count });
    }
  };
}

export function useDateTime(): (at: number) => string {
  const { i18n } = useTranslation();
  return (at) => new Date(at).toLocaleString(i18n.language, { dateStyle: 'medium', timeStyle: 'short' });
}

export function ErrorNotice({ error }: { error: DevicesError | undefined }) {
  if (!error) return null;
  return (
    <AlertNotice>{error.message}</AlertNotice>
  );
}

export function Badge({ tone, children }: { tone: 'good' | 'warn' | 'danger' | 'info' | 'muted'; children: ReactNode }) {
  return <span className={`dv-badge dv-badge-${tone}`}>{children}</span>;
}
