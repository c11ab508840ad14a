import type { PasswordStrength } from '../../contract';
import './forms.css';

/**
 * The strength meter under a new-password field. It guides; the server's policy decides, so a password the
 * policy refuses shows its reason whatever the score.
 */
export function PasswordStrengthMeter({
  strength,
  label,
  scoreLabels,
  notAllowed,
}: {
  strength: PasswordStrength | undefined;
  label: string;
  /** Five words, from very weak (0) to strong (4). */
  scoreLabels: readonly [string, string, string, string, string];
  /** Formats the policy's reason, e.g. "Not allowed: {{problem}}". */
  notAllowed: (problem: string) => string;
}) {
  const score = strength ? (strength.acceptable ? strength.score : Math.min(strength.score, 1)) : 0;
  // At least one (red) segment once there is an answer, so "very weak" does not look like "nothing yet".
  const lit = strength ? Math.max(score, 1) : 0;
  const words = strength ? scoreLabels[score] : '';
  const tips = strength ? [strength.warning, ...strength.suggestions].filter((tip): tip is string => Boolean(tip)) : [];
  return (
    <div className="strength" data-score={strength ? lit : undefined} data-acceptable={strength ? String(strength.acceptable) : undefined}>
      <div className="strength-row">
        <div
          className="strength-meter"
          role="meter"
          aria-label={label}
          aria-valuemin={0}
          aria-valuemax={4}
          aria-valuenow={strength ? score : 0}
          aria-valuetext={words || undefined}
        >
          {[1, 2, 3, 4].map((segment) => (
            <span key={segment} className={lit >= segment ? 'strength-segment strength-segment-on' : 'strength-segment'} />
          ))}
        </div>
        <span className="strength-word" aria-live="polite">
          {words}
        </span>
      </div>
      {strength && !strength.acceptable && strength.problem ? <p className="strength-problem">{notAllowed(strength.problem)}</p> : null}
      {strength && tips.length > 0 ? (
        <ul className="strength-tips">
          {tips.slice(0, 2).map((tip) => (
            <li key={tip}>{tip}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
