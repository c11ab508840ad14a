import { LifelineError } from '../../../contract/errors';

/** Why a phone could not be reached; the Shop panel picks its help text from this. */
export type PhoneFailure = 'timeout' | 'disconnected' | 'unauthorized' | 'offline' | 'not_found' | 'several_devices' | 'protocol';

export function phoneUnreachable(reason: PhoneFailure, message: string, details: Record<string, unknown> = {}): LifelineError {
  return new LifelineError('device_unreachable', message, { reason, ...details });
}

function seconds(ms: number): string {
  return ms < 10_000 ? String(Math.round(ms / 100) / 10) : String(Math.round(ms / 1000));
}

export function timeoutError(what: string, ms: number): LifelineError {
  return phoneUnreachable(
    'timeout',
    `The phone did not answer ${what} within ${seconds(ms)} s. Check that it is still connected by cable and unlocked, then try again.`,
    { timeoutMs: ms },
  );
}

export function disconnectedError(what: string, details: Record<string, unknown> = {}): LifelineError {
  return phoneUnreachable('disconnected', `The phone was disconnected during ${what}. Reconnect the cable and try again; finished steps are kept.`, details);
}

export function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Races a promise against a timer. The loser is not cancelled here; callers close the socket involved
 * in `onTimeout` so nothing keeps waiting on a phone that went quiet.
 */
export async function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error, signal?: AbortSignal): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let abortListener: (() => void) | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(onTimeout()), ms);
        if (signal) {
          abortListener = () => reject(new LifelineError('cancelled', 'The operation was cancelled.'));
          if (signal.aborted) abortListener();
          else signal.addEventListener('abort', abortListener, { once: true });
        }
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
    if (signal && abortListener) signal.removeEventListener('abort', abortListener);
  }
}
