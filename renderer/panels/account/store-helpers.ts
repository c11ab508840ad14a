import { Picture, type ErrorBody } from '../../../contract';

/** A failure as the person sees it: the dispatcher's code (the screens translate the ones they know) and its message. */
export interface AccountError {
  code: string;
  message: string;
}

export interface AccountStoreDeps {
  /** Local clock for cooldowns shown on screen; injected so tests can move it. */
  now: () => number;
  /**
   * Whether this window was signed in when last seen. The session cookie is HttpOnly, and asking the host
   * (`account.me`) while signed out answers 401, which Chromium logs as a console error on every start; so the
   * panel asks only when this says there may be a session.
   */
  signedInHint: { get(): boolean; set(value: boolean): void };
}

const HINT_KEY = 'lifeline.account.signedIn';

/** The hint kept in localStorage where there is one (the page and the desktop window), in memory otherwise. */
export function storageHint(): AccountStoreDeps['signedInHint'] {
  let memory = false;
  const storage = (): Storage | undefined => {
    try {
      return typeof localStorage === 'undefined' ? undefined : localStorage;
    } catch {
      return undefined;
    }
  };
  return {
    get: () => {
      const s = storage();
      return s ? s.getItem(HINT_KEY) === '1' : memory;
    },
    set: (value) => {
      memory = value;
      const s = storage();
      if (!s) return;
      if (value) s.setItem(HINT_KEY, '1');
      else s.removeItem(HINT_KEY);
    },
  };
}

/**
 * The session is gone. Over HTTP `not_signed_in` arrives as 401, which the web transport reports as
 * `unauthorized` (its word for a bad page token); for a call that needs a session both mean "sign in again".
 */
export function sessionGone(code: string): boolean {
  return code === 'not_signed_in' || code === 'unauthorized';
}

/** The service's resend cooldown (RECOVERY.md); the answer's times are on the service clock, which may differ from ours. */
export const RESEND_COOLDOWN_MS = 60_000;

export function toError(error: ErrorBody): AccountError {
  return { code: error.code, message: error.message };
}

/** A picture that came back inside an error's details (a wrong answer brings a new one). */
export function pictureFromDetails(details: Record<string, unknown> | undefined): Picture | undefined {
  const parsed = Picture.safeParse(details?.picture);
  return parsed.success ? parsed.data : undefined;
}

/** Local time when a cooldown ends, from the server's `retryAfterMs` detail or a default. */
export function cooldownEnd(now: number, details: Record<string, unknown> | undefined, fallbackMs: number): number {
  const retry = details?.retryAfterMs;
  return now + (typeof retry === 'number' && retry >= 0 ? retry : fallbackMs);
}
