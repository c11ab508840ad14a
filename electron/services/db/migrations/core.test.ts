import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { applyMigrations } from '../migrate';
import { coreMigrations } from './core';

describe('core migrations', () => {
  it('001 settings: creates a strict key/value table with one row per key', () => {
    const db = new BetterSqlite3(':memory:');
    applyMigrations(db, 'core', coreMigrations.slice(0, 1), () => 1);
    db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)').run('theme', '"dark"', 1);
    expect(() => db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)').run('theme', '"x"', 2)).toThrow(/UNIQUE/);
    expect(() => db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)').run('n', '1', 'not a number')).toThrow();
  });
});
