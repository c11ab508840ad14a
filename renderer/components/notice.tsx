import type { ReactNode } from 'react';
import { Icon } from './icons';

/** A problem the person must see: announced at once (role="alert"), with the alert icon. */
export function AlertNotice({ children }: { children: ReactNode }) {
  return (
    <p className="notice notice-error" role="alert">
      <Icon name="alert" size={18} />
      <span>{children}</span>
    </p>
  );
}
