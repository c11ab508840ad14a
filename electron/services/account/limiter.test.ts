import BetterSqlite3 from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock';
import { applyMigrations } from '../db/migrate';
import { DAY, HOUR, MINUTE, RateLimiter } from './limiter';
import { accountMigrations } from './migrations';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-limiter-'));
  dirs.push(dir);
  const file = path.join(dir, 'l.db');
  const db = new BetterSqlite3(file);
  const clock = new ManualClock();
  applyMigrations(db, 'account', accountMigrations, () => clock.now());
  return { db, clock, file, limiter: new RateLimiter(db, clock) };
}

describe('RateLimiter.consume (sliding windows)', () => {
  it('allows max uses in any window, says when the next slot frees, and counts nothing when refused', () => {
    const { limiter, clock } = setup();
    const limits = [{ max: 5, windowMs: HOUR }];
    for (let i = 0; i < 5; i++) {
      expect(limiter.consume('k', limits).allowed).toBe(true);
      clock.advance(10 * MINUTE);
    }
    // Uses at 0, 10, 20, 30, 40 min; now 50 min.
    expect(limiter.consume('k', limits)).toEqual({ allowed: false, retryAfterMs: 10 * MINUTE });
    expect(limiter.count('k', HOUR)).toBe(5);
    clock.advance(10 * MINUTE + 1);
    expect(limiter.consume('k', limits).allowed).toBe(true);
    // No boundary trick: at no point are there more than 5 in an hour.
    expect(limiter.consume('k', limits).allowed).toBe(false);
  });

  it('checks several windows at once (5 an hour and 10 a day)', () => {
    const { limiter, clock } = setup();
    const limits = [
      { max: 5, windowMs: HOUR },
      { max: 10, windowMs: DAY },
    ];
    let allowed = 0;
    for (let i = 0; i < 48; i++) {
      if (limiter.consume('k', limits).allowed) allowed++;
      clock.advance(20 * MINUTE);
    }
    expect(allowed).toBe(10);
  });

  it('keeps keys apart and can take back the newest use', () => {
    const { limiter } = setup();
    const one = [{ max: 1, windowMs: HOUR }];
    expect(limiter.consume('a', one).allowed).toBe(true);
    expect(limiter.consume('b', one).allowed).toBe(true);
    expect(limiter.consume('a', one).allowed).toBe(false);
    limiter.refund('a');
    expect(limiter.consume('a', one).allowed).toBe(true);
  });

  it('survives a restart and is shared by two connections (limits live in the database)', () => {
    const { limiter, db, file, clock } = setup();
    const limits = [{ max: 3, windowMs: HOUR }];
    limiter.consume('k', limits);
    limiter.consume('k', limits);
    db.close();
    const other = new BetterSqlite3(file);
    const second = new RateLimiter(other, clock);
    expect(second.consume('k', limits).allowed).toBe(true);
    expect(second.consume('k', limits).allowed).toBe(false);
    other.close();
  });
});

describe('RateLimiter streaks', () => {
  it('blocks after max failures in a row for the block time, then starts over; a success resets the streak', () => {
    const { limiter, clock } = setup();
    for (let i = 1; i <= 9; i++) expect(limiter.failure('s', 10, HOUR, DAY)).toEqual({ count: i, blockedForMs: 0 });
    limiter.resetStreak('s');
    expect(limiter.streak('s', DAY)).toBe(0);
    for (let i = 1; i <= 9; i++) limiter.failure('s', 10, HOUR, DAY);
    expect(limiter.failure('s', 10, HOUR, DAY)).toEqual({ count: 10, blockedForMs: HOUR });
    expect(limiter.blockedFor('s')).toBe(HOUR);
    clock.advance(HOUR);
    expect(limiter.blockedFor('s')).toBe(0);
    expect(limiter.streak('s', DAY)).toBe(0);
    expect(limiter.failure('s', 10, HOUR, DAY).count).toBe(1);
  });

  it('forgets an old streak', () => {
    const { limiter, clock } = setup();
    limiter.failure('s', 10, HOUR, DAY);
    limiter.failure('s', 10, HOUR, DAY);
    clock.advance(DAY + 1);
    expect(limiter.streak('s', DAY)).toBe(0);
  });
});
