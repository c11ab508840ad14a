import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from './open';

describe('openDatabase', () => {
  it('opens SQLite in WAL mode in the data dir', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-db-'));
    const db = openDatabase(dir);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    closeDatabase(db, dir);
    expect(fs.existsSync(path.join(dir, 'lifeline.db'))).toBe(true);
  });

  it('refuses a second process on the same data dir with "already in use", and leaves the data intact', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-db-'));
    const db = openDatabase(dir);
    db.exec('CREATE TABLE t (x TEXT); INSERT INTO t VALUES (\'kept\')');
    // A real second process: locks are per process, so an in-process second open would not prove anything.
    const script = `
      const { openDatabase } = require(${JSON.stringify(path.join(__dirname, 'open.ts'))});
      try { openDatabase(${JSON.stringify(dir)}); console.log('OPENED'); }
      catch (e) { console.log(e.code + ': ' + e.message); }`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', cwd: path.resolve(__dirname, '../../..') });
    expect(child.stdout).toMatch(/already_in_use: The data dir .* is already in use by process \d+/);
    expect(child.stdout).not.toContain('OPENED');
    expect(db.prepare('SELECT x FROM t').get()).toEqual({ x: 'kept' });
    closeDatabase(db, dir);
  });

  it('lets the data dir be opened again after the owner closed it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-db-'));
    closeDatabase(openDatabase(dir), dir);
    const again = openDatabase(dir);
    expect(again.open).toBe(true);
    closeDatabase(again, dir);
  });
});
