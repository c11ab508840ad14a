import BetterSqlite3, { type Database } from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { applyMigrations, currentVersion } from '../db/migrate';
import { shopMigrations } from './migrations';

function upTo(version: number): Database {
  const db = new BetterSqlite3(':memory:');
  applyMigrations(db, 'shop', shopMigrations.slice(0, version), () => 1);
  return db;
}

const insertTicket = (db: Database, id: string, number: string, step = 'connect') =>
  db
    .prepare(
      `INSERT INTO shop_tickets (id, number, customer_name, contact, device, problem, consent_backup, consent_retention, step, created_at, updated_at)
       VALUES (?, ?, 'Dewi', '+628123', 'Redmi', 'screen', 1, 1, ?, 1, 1)`,
    )
    .run(id, number, step);

describe('shop migrations', () => {
  it('applies all three under the "shop" scope, and again is a no-op', () => {
    const db = upTo(shopMigrations.length);
    expect(currentVersion(db, 'shop')).toBe(3);
    expect(applyMigrations(db, 'shop', shopMigrations, () => 2)).toBe(0);
  });

  it('001 tickets: unique numbers, known steps, consent is 0/1', () => {
    const db = upTo(1);
    insertTicket(db, 't1', 'S-0001');
    expect(() => insertTicket(db, 't2', 'S-0001')).toThrow(/UNIQUE/);
    expect(() => insertTicket(db, 't3', 'S-0003', 'erased')).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE shop_tickets SET consent_backup = 2 WHERE id = 't1'").run()).toThrow(/CHECK/);
  });

  it('002 audit: append-only', () => {
    const db = upTo(2);
    db.prepare("INSERT INTO shop_audit (ticket_id, at, operator, action, detail) VALUES ('t1', 1, 'Ayu', 'ticket.created', '')").run();
    expect(() => db.prepare("UPDATE shop_audit SET operator = 'x'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM shop_audit').run()).toThrow(/append-only/);
    expect(db.prepare('SELECT count(*) AS n FROM shop_audit').get()).toEqual({ n: 1 });
  });

  it('003 settings: one value per key', () => {
    const db = upTo(3);
    const ins = db.prepare('INSERT INTO shop_settings (key, value, updated_at) VALUES (?, ?, 1)');
    ins.run('retentionDays', '30');
    expect(() => ins.run('retentionDays', '7')).toThrow(/UNIQUE|PRIMARY/);
  });
});
