import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { INDEX_SCOPE, indexMigrations, openIndex } from './index-db';
import { currentVersion } from '../db/migrate';
import { tempDir } from './test-support';

describe('index migrations', () => {
  it('migration 1 creates the catalog tables, including full-text search, and is idempotent on reopen', () => {
    const file = path.join(tempDir(), 'index.sqlite');
    const db = openIndex(file, () => 0);
    expect(currentVersion(db, INDEX_SCOPE)).toBe(indexMigrations.length);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    for (const t of ['packs', 'pieces', 'snapshots', 'nodes', 'node_children', 'items', 'node_items', 'item_pieces', 'items_fts', 'file_cache']) expect(tables).toContain(t);
    db.prepare('INSERT INTO items_fts (rowid, text) VALUES (1, ?)').run('Selamat pagi, café');
    expect(db.prepare("SELECT rowid FROM items_fts WHERE items_fts MATCH 'cafe'").pluck().all()).toEqual([1]);
    db.prepare('DELETE FROM items_fts WHERE rowid = 1').run();
    expect(db.prepare("SELECT rowid FROM items_fts WHERE items_fts MATCH 'pagi'").pluck().all()).toEqual([]);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    const again = openIndex(file, () => 0);
    expect(currentVersion(again, INDEX_SCOPE)).toBe(1);
    again.close();
  });
});
