import { useId, type ReactNode } from 'react';
import { Icon, type IconName } from './icons';

/** A panel's page: its h1 and what goes under it. */
export function Panel({ title, intro, children }: { title: string; intro?: string; children: ReactNode }) {
  const headingId = useId();
  return (
    <section className="panel" aria-labelledby={headingId}>
      <header className="panel-header">
        <h1 id={headingId}>{title}</h1>
        {intro ? <p className="panel-intro">{intro}</p> : null}
      </header>
      {children}
    </section>
  );
}

/** What a panel shows before there is anything in it: the first step, and the buttons that take it. */
export function EmptyState({ icon, message, children }: { icon: IconName; message: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <div className="empty-state-art">
        <Icon name={icon} size={40} />
      </div>
      <p className="empty-state-message">{message}</p>
      {children ? <div className="actions">{children}</div> : null}
    </div>
  );
}

export function HelpCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="help-card">
      <h2>
        <Icon name="info" size={18} />
        {title}
      </h2>
      <p>{children}</p>
    </div>
  );
}

/** A step whose screens are not built yet: says so plainly and offers the way back. */
export function StepPlaceholder({ title, message, backLabel, onBack }: { title: string; message: string; backLabel: string; onBack: () => void }) {
  return (
    <div className="card step-placeholder">
      <h2>{title}</h2>
      <p>{message}</p>
      <div className="actions">
        <button type="button" className="button" onClick={onBack}>
          <Icon name="arrowLeft" size={18} />
          {backLabel}
        </button>
      </div>
    </div>
  );
}

export function Button({ variant = 'secondary', onClick, children }: { variant?: 'primary' | 'secondary' | 'link'; onClick: () => void; children: ReactNode }) {
  return (
    <button type="button" className={`button button-${variant}`} onClick={onClick}>
      {children}
    </button>
  );
}
