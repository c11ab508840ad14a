import type { Database, Statement } from 'better-sqlite3';
import type { Clock } from '../clock';

/**
 * A token bucket per key, in memory. Used for the report flood guard: it is checked on every report,
 * so it must cost nothing, and losing it on restart only forgives a flood for a moment.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly capacity: number,
    private readonly refillPerSecond: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** Takes one token; when empty, says how long until the next one. */
  take(key: string): { allowed: true } | { allowed: false; retryAfterMs: number } {
    const now = this.clock.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.dropFull(now);
      bucket = { tokens: this.capacity, at: now };
      this.buckets.set(key, bucket);
    } else {
      const elapsed = Math.max(0, now - bucket.at) / 1000;
      bucket.tokens = Math.min(this.capacity, bucket.tokens + elapsed * this.refillPerSecond);
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    const retryAfterMs = Math.ceil(((1 - bucket.tokens) / this.refillPerSecond) * 1000);
    return { allowed: false, retryAfterMs };
  }

  private dropFull(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.refillPerSecond >= this.capacity) this.buckets.delete(key);
    }
    if (this.buckets.size >= this.maxKeys) this.buckets.clear();
  }
}

export interface FailureLimit {
  readonly max: number;
  readonly windowMs: number;
}

/**
 * Failure counts in SQLite (device_throttle), for activation, enrollment and password checks:
 * "at most N failures per window" per key, kept across restarts like the account limits.
 */
export class FailureThrottle {
  private readonly count: Statement<[string, number], { n: number; oldest: number | null }>;
  private readonly nth: Statement<[string, number, number], { at: number }>;
  private readonly insert: Statement<[string, number]>;
  private readonly clearKey: Statement<[string]>;
  private readonly prune: Statement<[number]>;

  constructor(
    db: Database,
    private readonly clock: Clock,
  ) {
    this.count = db.prepare('SELECT count(*) AS n, min(at) AS oldest FROM device_throttle WHERE key = ? AND at > ?');
    this.nth = db.prepare('SELECT at FROM device_throttle WHERE key = ? AND at > ? ORDER BY at LIMIT 1 OFFSET ?');
    this.insert = db.prepare('INSERT INTO device_throttle (key, at) VALUES (?, ?)');
    this.clearKey = db.prepare('DELETE FROM device_throttle WHERE key = ?');
    this.prune = db.prepare('DELETE FROM device_throttle WHERE at <= ?');
  }

  /** Milliseconds until `key` may try again, or 0. */
  blockedFor(key: string, limit: FailureLimit): number {
    const now = this.clock.now();
    const since = now - limit.windowMs;
    const row = this.count.get(key, since);
    const n = row?.n ?? 0;
    if (n < limit.max) return 0;
    const freeing = this.nth.get(key, since, n - limit.max)?.at ?? row?.oldest ?? now;
    return Math.max(1, freeing + limit.windowMs - now);
  }

  fail(key: string): void {
    this.insert.run(key, this.clock.now());
  }

  clear(key: string): void {
    this.clearKey.run(key);
  }

  pruneOlderThan(windowMs: number): void {
    this.prune.run(this.clock.now() - windowMs);
  }
}
