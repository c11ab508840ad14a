import type { Database, Statement } from 'better-sqlite3';
import type { Clock } from '../clock';

export interface Limit {
  readonly max: number;
  readonly windowMs: number;
}

export type LimitResult = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/**
 * Limits kept as rows in SQLite, so a restart or a second instance on the same database does not reset them.
 * Every check-and-count runs in one IMMEDIATE transaction: two callers can never both take the last slot.
 *
 * - `consume`: sliding windows ("at most N in any window"), one event row per use.
 * - streaks: consecutive failures with a block time ("10 in a row, then an hour off"); reset by a success.
 */
export class RateLimiter {
  private readonly countSince: Statement<[string, number], { n: number; oldest: number | null }>;
  private readonly insertEvent: Statement<[string, number]>;
  private readonly pruneKey: Statement<[string, number]>;
  private readonly getStreak: Statement<[string], { count: number; updated_at: number; blocked_until: number | null }>;
  private readonly oldestInWindow: Statement<[string, number, number], { at: number }>;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {
    this.countSince = db.prepare('SELECT count(*) AS n, min(at) AS oldest FROM rate_events WHERE key = ? AND at > ?');
    this.insertEvent = db.prepare('INSERT INTO rate_events (key, at) VALUES (?, ?)');
    this.pruneKey = db.prepare('DELETE FROM rate_events WHERE key = ? AND at <= ?');
    this.getStreak = db.prepare('SELECT count, updated_at, blocked_until FROM rate_streaks WHERE key = ?');
    this.oldestInWindow = db.prepare('SELECT at FROM rate_events WHERE key = ? AND at > ? ORDER BY at LIMIT 1 OFFSET ?');
  }

  /** Counts one use of `key` if every limit still has room; otherwise counts nothing and says when to retry. */
  consume(key: string, limits: readonly Limit[]): LimitResult {
    return this.db.transaction((): LimitResult => {
      const verdict = this.checkLocked(key, limits);
      if (!verdict.allowed) return verdict;
      this.insertEvent.run(key, this.clock.now());
      return verdict;
    }).immediate();
  }

  /** Whether `consume` would succeed, without counting. */
  check(key: string, limits: readonly Limit[]): LimitResult {
    return this.checkLocked(key, limits);
  }

  /** Counts a use regardless of the limits (e.g. a failure that has already happened). */
  record(key: string, longestWindowMs: number): void {
    const now = this.clock.now();
    this.db.transaction(() => {
      this.pruneKey.run(key, now - longestWindowMs);
      this.insertEvent.run(key, now);
    }).immediate();
  }

  /** Takes back the newest use of `key` (a counted attempt that turned out right). */
  refund(key: string): void {
    this.db
      .prepare('DELETE FROM rate_events WHERE rowid = (SELECT rowid FROM rate_events WHERE key = ? ORDER BY at DESC, rowid DESC LIMIT 1)')
      .run(key);
  }

  count(key: string, windowMs: number): number {
    return this.countSince.get(key, this.clock.now() - windowMs)?.n ?? 0;
  }

  private checkLocked(key: string, limits: readonly Limit[]): LimitResult {
    const now = this.clock.now();
    const longest = Math.max(...limits.map((l) => l.windowMs));
    this.pruneKey.run(key, now - longest);
    let retryAfterMs = 0;
    for (const limit of limits) {
      const since = now - limit.windowMs;
      const row = this.countSince.get(key, since);
      const n = row?.n ?? 0;
      if (n >= limit.max) {
        // The window frees a slot when the (n - max + 1)-th oldest event in it falls out.
        const freeing = this.oldestInWindow.get(key, since, n - limit.max);
        const at = freeing?.at ?? row?.oldest ?? now;
        retryAfterMs = Math.max(retryAfterMs, at + limit.windowMs - now);
      }
    }
    return retryAfterMs > 0 ? { allowed: false, retryAfterMs } : { allowed: true };
  }

  /** Milliseconds left on a streak block, or 0. */
  blockedFor(key: string): number {
    const row = this.getStreak.get(key);
    const until = row?.blocked_until ?? 0;
    return Math.max(0, until - this.clock.now());
  }

  /** Current streak length (a block that has run out starts a fresh streak). */
  streak(key: string, forgetAfterMs: number): number {
    const row = this.getStreak.get(key);
    if (!row) return 0;
    const now = this.clock.now();
    if (row.blocked_until !== null && row.blocked_until <= now) return 0;
    if (now - row.updated_at > forgetAfterMs) return 0;
    return row.count;
  }

  /**
   * Adds a failure to a streak; at `max` the key is blocked for `blockMs` and the streak restarts after it.
   * Returns the streak length after this failure.
   */
  failure(key: string, max: number, blockMs: number, forgetAfterMs: number): { count: number; blockedForMs: number } {
    return this.db.transaction(() => {
      const now = this.clock.now();
      const current = this.streak(key, forgetAfterMs);
      const count = current + 1;
      const blockedUntil = count >= max ? now + blockMs : null;
      this.db
        .prepare(
          `INSERT INTO rate_streaks (key, count, updated_at, blocked_until) VALUES (?, ?, ?, ?)
           ON CONFLICT (key) DO UPDATE SET count = excluded.count, updated_at = excluded.updated_at, blocked_until = excluded.blocked_until`,
        )
        .run(key, count, now, blockedUntil);
      return { count, blockedForMs: blockedUntil === null ? 0 : blockMs };
    }).immediate();
  }

  resetStreak(key: string): void {
    this.db.prepare('DELETE FROM rate_streaks WHERE key = ?').run(key);
  }
}
