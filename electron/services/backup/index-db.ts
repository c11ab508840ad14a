import BetterSqlite3, { type Database } from 'better-sqlite3';
import { applyMigrations, type Migration } from '../db/migrate';

/**
 * The store's index and catalog (index.sqlite). Everything in it is derived from the packs and snapshots,
 * so it may be deleted at any time and rebuilt with `rebuildIndex`.
 */
export const indexMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'pieces, snapshots, catalog, file cache',
    up(db) {
      db.exec(`
        CREATE TABLE packs (
          id TEXT PRIMARY KEY,
          size INTEGER NOT NULL,
          pieces INTEGER NOT NULL,
          missing INTEGER NOT NULL DEFAULT 0
        ) STRICT;
        CREATE TABLE pieces (
          id BLOB NOT NULL,
          pack TEXT NOT NULL,
          type INTEGER NOT NULL,
          compression INTEGER NOT NULL,
          offset INTEGER NOT NULL,
          length INTEGER NOT NULL,
          raw_length INTEGER NOT NULL,
          damaged INTEGER NOT NULL DEFAULT 0,
          PRIMARY KEY (id, pack)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX pieces_pack ON pieces (pack);
        CREATE TABLE snapshots (
          id TEXT PRIMARY KEY,
          device TEXT NOT NULL,
          time INTEGER NOT NULL,
          root BLOB NOT NULL,
          object TEXT NOT NULL
        ) STRICT;
        CREATE INDEX snapshots_device_time ON snapshots (device, time);
        CREATE TABLE nodes (
          id BLOB PRIMARY KEY,
          path TEXT NOT NULL,
          type TEXT NOT NULL,
          count INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE node_children (
          parent BLOB NOT NULL,
          child BLOB NOT NULL,
          PRIMARY KEY (parent, child)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX node_children_child ON node_children (child);
        CREATE TABLE items (
          id INTEGER PRIMARY KEY,
          key BLOB NOT NULL UNIQUE,
          kind TEXT NOT NULL,
          identity BLOB NOT NULL,
          name TEXT,
          address TEXT,
          thread TEXT,
          date INTEGER,
          size INTEGER NOT NULL,
          rel_path TEXT,
          mime TEXT,
          preview TEXT
        ) STRICT;
        CREATE INDEX items_kind_date ON items (kind, date);
        CREATE INDEX items_thread ON items (thread, date);
        CREATE TABLE node_items (
          node BLOB NOT NULL,
          item INTEGER NOT NULL,
          PRIMARY KEY (node, item)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX node_items_item ON node_items (item);
        CREATE TABLE item_pieces (
          item INTEGER NOT NULL,
          piece BLOB NOT NULL,
          PRIMARY KEY (item, piece)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX item_pieces_piece ON item_pieces (piece);
        CREATE VIRTUAL TABLE items_fts USING fts5 (text, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2');
        CREATE TABLE file_cache (
          device TEXT NOT NULL,
          path TEXT NOT NULL,
          size INTEGER NOT NULL,
          mtime INTEGER NOT NULL,
          entry TEXT NOT NULL,
          PRIMARY KEY (device, path)
        ) STRICT;
      `);
    },
  },
  {
    version: 2,
    name: 'browse cache: per-snapshot node list and thread summaries',
    up(db) {
      // Derived from nodes/node_items for one snapshot the first time it is browsed. A trigger drops a snapshot's
      // rows when the snapshot row goes (forget, reconcile, rebuild), so the cache never outlives what it describes.
      db.exec(`
        CREATE TABLE browse_nodes (
          snap TEXT NOT NULL,
          node BLOB NOT NULL,
          path TEXT NOT NULL,
          leaf INTEGER NOT NULL,
          count INTEGER NOT NULL,
          PRIMARY KEY (snap, node)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX browse_nodes_path ON browse_nodes (snap, path);
        CREATE TABLE browse_threads (
          snap TEXT NOT NULL,
          thread TEXT NOT NULL,
          segment TEXT NOT NULL,
          name TEXT,
          address TEXT,
          count INTEGER NOT NULL,
          last_date INTEGER,
          last_kind TEXT,
          last_preview TEXT,
          PRIMARY KEY (snap, thread)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX browse_threads_last ON browse_threads (snap, last_date);
        CREATE TABLE browse_ready (snap TEXT PRIMARY KEY, built_at INTEGER NOT NULL) STRICT;
        CREATE TRIGGER browse_snapshot_gone AFTER DELETE ON snapshots BEGIN
          DELETE FROM browse_nodes WHERE snap = old.id;
          DELETE FROM browse_threads WHERE snap = old.id;
          DELETE FROM browse_ready WHERE snap = old.id;
        END;
      `);
    },
  },
  {
    version: 3,
    name: 'bundled pieces: bundle id and offset inside it',
    up(db) {
      // Format 2 stores small records together in bundle pieces; a record's row then points into its bundle.
      db.exec(`
        ALTER TABLE pieces ADD COLUMN bundle BLOB;
        ALTER TABLE pieces ADD COLUMN bundle_at INTEGER NOT NULL DEFAULT 0;
      `);
    },
  },
];

export const INDEX_SCOPE = 'backup-index';

/** Every tree node (inner and leaf) of one snapshot, as a CTE named `t(node)`; bind the snapshot id. */
export const SNAPSHOT_NODES_CTE = `WITH RECURSIVE t(node) AS (
  SELECT root FROM snapshots WHERE id = ?
  UNION SELECT c.child FROM node_children c JOIN t ON c.parent = t.node)`;

/** Every tree node of every snapshot in the catalog. */
export const ALL_NODES_CTE = `WITH RECURSIVE t(node) AS (
  SELECT root FROM snapshots
  UNION SELECT c.child FROM node_children c JOIN t ON c.parent = t.node)`;

export function openIndex(file: string, now: () => number): Database {
  const db = new BetterSqlite3(file, { timeout: 5000 });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    applyMigrations(db, INDEX_SCOPE, indexMigrations, now);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
