import type { ReactNode } from 'react';
import { Icon, type IconName } from './icons';

/**
 * A one-line message with an icon. `className` gives its colours (the panels style their own success and
 * information notices); a problem is announced at once (role="alert"), anything else politely (role="status").
 */
export function Notice({ icon, className, urgent = false, children }: { icon: IconName; className: string; urgent?: boolean; children: ReactNode }) {
  return (
    <p className={`notice ${className}`} role={urgent ? 'alert' : 'status'}>
      <Icon name={icon} size={18} />
      <span>{children}</span>
    </p>
  );
}

/** A problem the person must see: announced at once (role="alert"), with the alert icon. */
export function AlertNotice({ children }: { children: ReactNode }) {
  return (
    <Notice icon="alert" className="notice-error" urgent>
      {children}
    </Notice>
  );
}
