import { useId, type InputHTMLAttributes } from 'react';
import './forms.css';

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'onChange' | 'value' | 'className'>;

/**
 * A labelled text input with an optional hint and error under it. The label is the accessible name, the hint
 * and error are its description, so screen readers and tests find the field by the words a person sees.
 */
export function TextField({
  label,
  value,
  onValueChange,
  hint,
  error,
  wide,
  ...input
}: InputProps & { label: string; value: string; onValueChange: (value: string) => void; hint?: string | undefined; error?: string | undefined; wide?: boolean }) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : undefined, error ? errorId : undefined].filter(Boolean).join(' ') || undefined;
  return (
    <div className={wide ? 'field field-wide' : 'field'}>
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <input
        {...input}
        id={id}
        className="input"
        value={value}
        aria-describedby={describedBy}
        aria-invalid={error ? true : undefined}
        onChange={(event) => onValueChange(event.target.value)}
      />
      {hint ? (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
