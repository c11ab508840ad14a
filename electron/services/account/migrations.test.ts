import BetterSqlite3, { type Database } from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { applyMigrations, currentVersion } from '../db/migrate';
import { accountMigrations } from './migrations';

function upTo(version: number): Database {
  const db = new BetterSqlite3(':memory:');
  db.pragma('foreign_keys = ON');
  applyMigrations(db, 'account', accountMigrations.slice(0, version), () => 1);
  return db;
}

const account = (db: Database, id = '1234567890') =>
  db.prepare("INSERT INTO accounts (id, email, password_hash, created_at, password_changed_at) VALUES (?, 'a@b.co', 'h', 1, 1)").run(id);

describe('account migrations', () => {
  it('apply in order, each once', () => {
    const db = upTo(accountMigrations.length);
    expect(currentVersion(db, 'account')).toBe(accountMigrations.length);
    expect(applyMigrations(db, 'account', accountMigrations, () => 2)).toBe(0);
  });

  it('001 accounts: 10-digit IDs not starting with 0, a channel required, E.164 phones, non-unique email', () => {
    const db = upTo(1);
    account(db);
    account(db, '9876543210');
    expect(() => account(db, '0123456789')).toThrow(/CHECK/);
    expect(() => account(db, '12345')).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO accounts (id, password_hash, created_at, password_changed_at) VALUES ('2222222222', 'h', 1, 1)").run()).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO accounts (id, phone, password_hash, created_at, password_changed_at) VALUES ('3333333333', '0812', 'h', 1, 1)").run()).toThrow(/CHECK/);
    expect(db.prepare("SELECT count(*) AS n FROM accounts WHERE email = 'a@b.co'").get()).toEqual({ n: 2 });
  });

  it('002 sessions: token hashes unique, tied to an account', () => {
    const db = upTo(2);
    account(db);
    const insert = db.prepare(
      "INSERT INTO sessions (id, account_id, token_hash, keep_signed_in, created_at, last_seen_at, absolute_expires_at, ip, user_agent) VALUES (?, ?, ?, 0, 1, 1, 2, 'ip', 'ua')",
    );
    insert.run('s1', '1234567890', Buffer.from('t1'));
    expect(() => insert.run('s2', '1234567890', Buffer.from('t1'))).toThrow(/UNIQUE/);
    expect(() => insert.run('s3', '9999999999', Buffer.from('t3'))).toThrow(/FOREIGN KEY/);
  });

  it('003 verification_codes: channel limited to email and sms', () => {
    const db = upTo(3);
    account(db);
    const insert = db.prepare("INSERT INTO verification_codes (id, account_id, channel, address, code_hash, created_at, expires_at) VALUES (?, '1234567890', ?, 'a@b.co', x'00', 1, 2)");
    insert.run('v1', 'email');
    expect(() => insert.run('v2', 'fax')).toThrow(/CHECK/);
  });

  it('004 recovery_flows: only the five states', () => {
    const db = upTo(4);
    const insert = db.prepare(
      "INSERT INTO recovery_flows (id, subject_key, identifier_kind, identifier, state, language, created_at, expires_at, ip) VALUES (?, 'k', 'email', 'a@b.co', ?, 'en', 1, 2, 'ip')",
    );
    for (const state of ['awaiting_identifier', 'awaiting_captcha', 'code_sent', 'code_verified', 'password_set']) insert.run(`f-${state}`, state);
    expect(() => insert.run('f-bad', 'signed_in')).toThrow(/CHECK/);
  });

  it('005 captchas: purpose limited, answers stored as hashes', () => {
    const db = upTo(5);
    const insert = db.prepare("INSERT INTO captchas (id, purpose, binding, answer_hash, ip, created_at, expires_at) VALUES (?, ?, 'b', x'00', 'ip', 1, 2)");
    insert.run('c1', 'recovery');
    expect(() => insert.run('c2', 'other')).toThrow(/CHECK/);
    const cols = (db.prepare("SELECT name FROM pragma_table_info('captchas')").all() as { name: string }[]).map((r) => r.name);
    expect(cols).not.toContain('answer');
  });

  it('006 rate limits: event rows and streak rows', () => {
    const db = upTo(6);
    db.prepare("INSERT INTO rate_events (key, at) VALUES ('k', 1)").run();
    db.prepare("INSERT INTO rate_streaks (key, count, updated_at) VALUES ('k', 1, 1)").run();
    expect(() => db.prepare("INSERT INTO rate_streaks (key, count, updated_at) VALUES ('k', 2, 2)").run()).toThrow(/UNIQUE/);
  });

  it('007 security_log: ordered ids, no account needed (for requests that matched nothing)', () => {
    const db = upTo(7);
    const insert = db.prepare("INSERT INTO security_log (account_id, at, ip, user_agent, event) VALUES (?, 1, 'ip', 'ua', 'e')");
    const a = insert.run(null).lastInsertRowid;
    const b = insert.run('1234567890').lastInsertRowid;
    expect(Number(b)).toBeGreaterThan(Number(a));
  });

  it('008 deliveries: one row per idempotency key, no message body column', () => {
    const db = upTo(8);
    const insert = db.prepare(
      "INSERT INTO deliveries (idempotency_key, channel, to_masked, kind, transport, status, created_at, updated_at) VALUES ('k', 'email', 'a****@b.co', 'verify_code', 'outbox', ?, 1, 1)",
    );
    insert.run('sending');
    expect(() => insert.run('sending')).toThrow(/UNIQUE/);
    const cols = (db.prepare("SELECT name FROM pragma_table_info('deliveries')").all() as { name: string }[]).map((r) => r.name);
    expect(cols).not.toContain('text');
  });
});
