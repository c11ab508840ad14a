import BetterSqlite3, { type Database } from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { applyMigrations, currentVersion } from '../db/migrate';
import { deviceMigrations } from './migrations';

function upTo(version: number): Database {
  const db = new BetterSqlite3(':memory:');
  db.pragma('foreign_keys = ON');
  applyMigrations(db, 'devices', deviceMigrations.slice(0, version), () => 1);
  return db;
}

const insertDevice = (db: Database, id: string, serial: string | null, tokenHash: Buffer | null = null) =>
  db
    .prepare(
      `INSERT INTO devices (id, account_id, name, model, platform, os_version, serial, token_hash, created_at)
       VALUES (?, 'acc', 'Phone', 'Model', 'android', '14', ?, ?, 1)`,
    )
    .run(id, serial, tokenHash);

describe('devices migrations', () => {
  it('applies all six in order under the "devices" scope', () => {
    const db = upTo(deviceMigrations.length);
    expect(currentVersion(db, 'devices')).toBe(6);
  });

  it('001 devices: lock and find-device default on, one row per serial, tokens unique but may be absent', () => {
    const db = upTo(1);
    insertDevice(db, 'd1', 'SER1', Buffer.from('t1'));
    const row = db.prepare('SELECT find_device, activation_lock, lost_mode, erased FROM devices WHERE id = ?').get('d1');
    expect(row).toEqual({ find_device: 1, activation_lock: 1, lost_mode: 'off', erased: 0 });
    expect(() => insertDevice(db, 'd2', 'SER1')).toThrow(/UNIQUE/);
    expect(() => insertDevice(db, 'd3', 'SER3', Buffer.from('t1'))).toThrow(/UNIQUE/);
    insertDevice(db, 'd4', null);
    insertDevice(db, 'd5', null);
    expect(() =>
      db.prepare("INSERT INTO devices (id, account_id, name, model, platform, os_version, created_at) VALUES ('x', 'a', 'n', 'm', 'windows', '1', 1)").run(),
    ).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE devices SET lost_mode = 'maybe' WHERE id = 'd1'").run()).toThrow(/CHECK/);
  });

  it('002 enrollment codes: keyed by the code hash', () => {
    const db = upTo(2);
    const ins = db.prepare('INSERT INTO device_enrollment_codes (code_hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)');
    ins.run(Buffer.from('h'), 'acc', 1, 2);
    expect(() => ins.run(Buffer.from('h'), 'acc', 1, 2)).toThrow(/UNIQUE|PRIMARY/);
  });

  it('003 reports: coordinates in range and in pairs; deleted with their device', () => {
    const db = upTo(3);
    insertDevice(db, 'd1', null);
    const ins = db.prepare('INSERT INTO device_reports (device_id, at, received_at, lat, lon) VALUES (?, ?, ?, ?, ?)');
    ins.run('d1', 1, 1, -6.9, 107.6);
    ins.run('d1', 2, 2, null, null);
    expect(() => ins.run('d1', 3, 3, 91, 0)).toThrow(/CHECK/);
    expect(() => ins.run('d1', 3, 3, 0, -181)).toThrow(/CHECK/);
    expect(() => ins.run('d1', 3, 3, 1, null)).toThrow(/CHECK/);
    expect(() => ins.run('nope', 3, 3, 1, 1)).toThrow(/FOREIGN KEY/);
    db.prepare('DELETE FROM devices WHERE id = ?').run('d1');
    expect(db.prepare('SELECT count(*) AS n FROM device_reports').get()).toEqual({ n: 0 });
  });

  it('004 commands: known types and states only; deleted with their device', () => {
    const db = upTo(4);
    insertDevice(db, 'd1', null);
    const ins = db.prepare('INSERT INTO device_commands (id, device_id, type, params, status, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    ins.run('c1', 'd1', 'ring', '{"seconds":10}', 'queued', 1);
    expect(() => ins.run('c2', 'd1', 'self_destruct', '{}', 'queued', 1)).toThrow(/CHECK/);
    expect(() => ins.run('c3', 'd1', 'ring', '{}', 'lost', 1)).toThrow(/CHECK/);
    db.prepare('DELETE FROM devices WHERE id = ?').run('d1');
    expect(db.prepare('SELECT count(*) AS n FROM device_commands').get()).toEqual({ n: 0 });
  });

  it('005 alerts: known kinds only; deleted with their device', () => {
    const db = upTo(5);
    insertDevice(db, 'd1', null);
    const ins = db.prepare('INSERT INTO device_alerts (id, account_id, device_id, kind, message, at) VALUES (?, ?, ?, ?, ?, ?)');
    ins.run('a1', 'acc', 'd1', 'sim_changed', 'text', 1);
    expect(() => ins.run('a2', 'acc', 'd1', 'gossip', 'text', 1)).toThrow(/CHECK/);
    db.prepare('DELETE FROM devices WHERE id = ?').run('d1');
    expect(db.prepare('SELECT count(*) AS n FROM device_alerts').get()).toEqual({ n: 0 });
  });

  it('006 settings and throttles: one value per key, many failures per key', () => {
    const db = upTo(6);
    const set = db.prepare('INSERT INTO device_settings (key, value, updated_at) VALUES (?, ?, ?)');
    set.run('historyRetentionDays', '30', 1);
    expect(() => set.run('historyRetentionDays', '7', 2)).toThrow(/UNIQUE|PRIMARY/);
    const fail = db.prepare('INSERT INTO device_throttle (key, at) VALUES (?, ?)');
    fail.run('k', 1);
    fail.run('k', 1);
    expect(db.prepare('SELECT count(*) AS n FROM device_throttle WHERE key = ?').get('k')).toEqual({ n: 2 });
  });
});
