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
    expect(currentVersion(again, INDEX_SCOPE)).toBe(indexMigrations.length);
    again.close();
  });

  it('migration 2 adds the browse cache, and dropping a snapshot row drops its cached rows', () => {
    const db = openIndex(path.join(tempDir(), 'index.sqlite'), () => 0);
    db.prepare("INSERT INTO snapshots (id, device, time, root, object) VALUES ('s1', 'phone', 1, x'00', '{}')").run();
    db.prepare("INSERT INTO browse_nodes (snap, node, path, leaf, count) VALUES ('s1', x'01', 'messages/a/2025-01', 1, 3)").run();
    db.prepare("INSERT INTO browse_threads (snap, thread, segment, count) VALUES ('s1', '+1', '+1', 3)").run();
    db.prepare("INSERT INTO browse_ready (snap, built_at) VALUES ('s1', 0)").run();
    db.prepare("DELETE FROM snapshots WHERE id = 's1'").run();
    for (const t of ['browse_nodes', 'browse_threads', 'browse_ready']) expect(db.prepare(`SELECT count(*) FROM ${t}`).pluck().get()).toBe(0);
    db.close();
  });
});

describe('index migration 3', () => {
  it('adds the bundle columns to pieces, defaulting old rows to "not bundled"', () => {
    const db = openIndex(path.join(tempDir(), 'index.sqlite'), () => 0);
    db.prepare("INSERT INTO pieces (id, pack, type, compression, offset, length, raw_length) VALUES (x'01', 'p', 2, 1, 8, 40, 30)").run();
    expect(db.prepare('SELECT bundle, bundle_at FROM pieces').get()).toEqual({ bundle: null, bundle_at: 0 });
    db.close();
  });
});
