import type { ReactNode } from 'react';
import { TextField } from './field';

/**
 * A new password (or passphrase) typed twice, with a strength meter between the two fields. The second field says
 * the two differ only once it is at least as long as the first, so it does not nag while the person is typing.
 */
export function NewPasswordFields({
  labels,
  value,
  confirm,
  onValueChange,
  onConfirmChange,
  meter,
  autoFocus,
}: {
  labels: { password: string; confirm: string; hint?: string | undefined; mismatch: string };
  value: string;
  confirm: string;
  onValueChange: (value: string) => void;
  onConfirmChange: (value: string) => void;
  /** The strength meter for `value`; shown between the two fields. */
  meter: ReactNode;
  autoFocus?: boolean;
}) {
  const mismatch = confirm !== '' && confirm.length >= value.length && confirm !== value;
  return (
    <>
      <TextField
        label={labels.password}
        hint={labels.hint}
        type="password"
        value={value}
        onValueChange={onValueChange}
        autoComplete="new-password"
        required
        autoFocus={autoFocus}
      />
      {meter}
      <TextField
        label={labels.confirm}
        type="password"
        value={confirm}
        onValueChange={onConfirmChange}
        autoComplete="new-password"
        required
        error={mismatch ? labels.mismatch : undefined}
      />
    </>
  );
}
