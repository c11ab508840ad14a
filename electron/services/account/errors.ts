import { LifelineError } from '../../../contract';
import { passwordProblemMessage, type PasswordProblem } from './password-policy';

export const GENERIC_SIGN_IN_FAILURE = 'The account or password is not right. Check both and try again, or use "Forgot password?".';
export const WRONG_CODE = 'That code is not right or no longer works. Check the newest message, or ask for a new code.';
export const FLOW_EXPIRED = 'This recovery has expired or has ended. Start again.';

export function rateLimited(message: string, retryAfterMs: number): LifelineError {
  const wait = describeWait(retryAfterMs);
  return new LifelineError('rate_limited', `${message} Try again in ${wait}.`, { retryAfterMs });
}

export function weakPassword(problem: PasswordProblem): LifelineError {
  return new LifelineError('weak_password', passwordProblemMessage(problem), { problem });
}

export function invalidInput(message: string): LifelineError {
  return new LifelineError('invalid_input', message);
}

function describeWait(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 90) return `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 90) return `${minutes} minutes`;
  return `${Math.ceil(minutes / 60)} hours`;
}
