/** Pure helpers for the words and numbers the Devices panel shows. */

/** "ABCDEFGH" -> "ABCD-EFGH"; the service ignores dashes and spaces when the code is typed. */
export function groupCode(code: string): string {
  const plain = code.replace(/[\s-]/g, '').toUpperCase();
  return plain.length === 8 ? `${plain.slice(0, 4)}-${plain.slice(4)}` : plain;
}

export type Ago = { unit: 'justNow' } | { unit: 'minutes' | 'hours' | 'days'; count: number };

/** How long ago, in the coarsest unit that still says something ("2 min ago", "3 h ago"). */
export function ago(at: number, now: number): Ago {
  const ms = Math.max(0, now - at);
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return { unit: 'justNow' };
  if (minutes < 60) return { unit: 'minutes', count: minutes };
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return { unit: 'hours', count: hours };
  return { unit: 'days', count: Math.floor(hours / 24) };
}

/** "9:59" for a countdown; never negative. */
export function countdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${minutes}:${seconds.toString().padStart(2, '0')}`;
}

/** The Lifeline address the agent needs: the origin of the enrollment link. */
export function agentBaseUrl(enrollUrl: string): string {
  try {
    return new URL(enrollUrl).origin;
  } catch {
    return enrollUrl;
  }
}

/** The command line shown under "Add device". */
export function agentCommand(enrollUrl: string, code: string): string {
  return `npm run agent -- --url ${agentBaseUrl(enrollUrl)} --code ${groupCode(code)}`;
}

/** Where the enrollment code's expiry is on this computer's clock, when the service clock may differ. */
export function localExpiry(expiresAt: number, receivedAt: number, lifetimeMs: number): number {
  const left = expiresAt - receivedAt;
  // A clock far off (or moved by the test hook) would show nonsense; the code's lifetime is known.
  return left > 0 && left <= lifetimeMs ? expiresAt : receivedAt + lifetimeMs;
}
