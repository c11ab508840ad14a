import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { applyMigrations, currentVersion, type Migration } from './migrate';

const m = (version: number, sql: string): Migration => ({ version, name: `m${version}`, up: (db) => db.exec(sql) });

describe('applyMigrations', () => {
  it('applies each migration once, in order, and records it', () => {
    const db = new BetterSqlite3(':memory:');
    const list = [m(1, 'CREATE TABLE a (x INTEGER)'), m(2, 'ALTER TABLE a ADD COLUMN y TEXT')];
    expect(applyMigrations(db, 'demo', list, () => 1)).toBe(2);
    expect(applyMigrations(db, 'demo', list, () => 2)).toBe(0);
    expect(currentVersion(db, 'demo')).toBe(2);
    const cols = (db.prepare("SELECT name FROM pragma_table_info('a')").all() as { name: string }[]).map((r) => r.name);
    expect(cols).toEqual(['x', 'y']);
  });

  it('keeps scopes apart', () => {
    const db = new BetterSqlite3(':memory:');
    applyMigrations(db, 'one', [m(1, 'CREATE TABLE one_t (x)')], () => 1);
    applyMigrations(db, 'two', [m(1, 'CREATE TABLE two_t (x)')], () => 1);
    expect(currentVersion(db, 'one')).toBe(1);
    expect(currentVersion(db, 'two')).toBe(1);
  });

  it('rolls a failing migration back whole and leaves the version unchanged', () => {
    const db = new BetterSqlite3(':memory:');
    const bad: Migration = {
      version: 1,
      name: 'half',
      up: (d) => {
        d.exec('CREATE TABLE half (x)');
        d.exec('THIS IS NOT SQL');
      },
    };
    expect(() => applyMigrations(db, 'demo', [bad], () => 1)).toThrow();
    expect(currentVersion(db, 'demo')).toBe(0);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half'").get()).toEqual({ n: 0 });
  });

  it('refuses a database written by a newer version', () => {
    const db = new BetterSqlite3(':memory:');
    applyMigrations(db, 'demo', [m(1, 'CREATE TABLE a (x)'), m(2, 'CREATE TABLE b (x)')], () => 1);
    expect(() => applyMigrations(db, 'demo', [m(1, 'CREATE TABLE a (x)')], () => 1)).toThrow(/newer Lifeline/);
  });

  it('refuses gaps in the numbering', () => {
    const db = new BetterSqlite3(':memory:');
    expect(() => applyMigrations(db, 'demo', [m(1, 'SELECT 1'), m(3, 'SELECT 1')], () => 1)).toThrow(/without gaps/);
  });
});
