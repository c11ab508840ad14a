import { LifelineError } from '../../../contract';
import type { AnyNode } from './catalog';
import type { StoreCore } from './core';
import { SNAPSHOT_NODES_CTE } from './index-db';
import type { ItemKind } from './import/types';
import { isBlobRef, type MediaEntry, type StoredRecord } from './records';
import { toCatalogItem, type BackupStore, type CatalogItem, type CatalogRow, type SnapshotInfo } from './store';

/**
 * Read-only queries for the Backup panel's browser. Lists are paged straight from the catalog: a snapshot's
 * node list (a few thousand rows, cached per snapshot) says which leaf buckets it holds and how many items each
 * has, so a page of a conversation or of the call log reads only the buckets it covers.
 */

export type BrowseKind = 'contacts' | 'messages' | 'calls' | 'media' | 'notes';

const KIND_PREFIX: Record<BrowseKind, string> = {
  contacts: 'contacts/',
  messages: 'messages/',
  calls: 'calls/',
  media: 'media/',
  notes: 'notes/',
};

export interface ThreadSummary {
  thread: string;
  name: string | null;
  address: string | null;
  count: number;
  lastDate: number | null;
  lastKind: string | null;
  lastPreview: string | null;
}

export interface SnapshotOverview {
  snapshot: SnapshotInfo;
  counts: Record<BrowseKind, number>;
  threads: number;
  /** How long preparing the snapshot for browsing took (0 when it was ready). */
  preparedMs: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  offset: number;
}

export interface DiffEntry {
  change: 'added' | 'removed' | 'changed';
  item: CatalogItem;
}

export interface SnapshotDiff {
  from: string;
  to: string;
  byKind: Record<string, { added: number; removed: number; changed: number }>;
  /** The first entries of each change, newest first per kind; `limit` per kind and change. */
  entries: DiffEntry[];
}

export type ItemDetail =
  | { kind: 'contact'; item: CatalogItem; fields: Record<string, unknown>; vcard: string; photo: { mime: string; size: number } | null }
  | { kind: 'sms'; item: CatalogItem; fields: Record<string, unknown> }
  | { kind: 'mms'; item: CatalogItem; fields: Record<string, unknown>; parts: { index: number; contentType: string; name: string | null; text: string | null; size: number; image: boolean }[] }
  | { kind: 'call'; item: CatalogItem; fields: Record<string, unknown> }
  | { kind: 'note'; item: CatalogItem; fields: Record<string, unknown>; text: string }
  | { kind: 'media'; item: CatalogItem; fields: Record<string, unknown> };

interface ItemRow extends CatalogRow {
  id: number;
}

const ITEM_COLUMNS = 'i.id, i.kind, i.key, i.identity, i.name, i.address, i.thread, i.date, i.size, i.rel_path, i.mime, i.preview';


/** FTS5 query from typed words: every word must match; words of three letters or more match as prefixes. */
export function searchQuery(input: string): string | undefined {
  const words = input
    .normalize('NFC')
    .split(/[\s"'`()*:^+\-,.;!?]+/u)
    .filter((w) => w.length > 0)
    .slice(0, 12);
  if (words.length === 0) return undefined;
  // A one- or two-letter prefix expands to thousands of terms; matching those words whole keeps typing fast.
  return words.map((w) => `"${w.replace(/"/g, '""')}"${[...w].length >= 3 ? '*' : ''}`).join(' ');
}

function prefixRange(prefix: string): [string, string] {
  // Paths sort bytewise in SQLite; the prefix with its last character bumped is the first path after the range.
  const last = prefix.charCodeAt(prefix.length - 1);
  return [prefix, prefix.slice(0, -1) + String.fromCharCode(last + 1)];
}

export class SnapshotBrowser {
  constructor(private readonly store: BackupStore) {}

  private get core(): StoreCore {
    return this.store.internals;
  }

  /** Fills the browse cache of a snapshot if it is not there yet; answers how long that took. */
  prepare(snapshotId: string): number {
    const db = this.core.db;
    if (db.prepare('SELECT 1 FROM browse_ready WHERE snap = ?').get(snapshotId)) return 0;
    const started = performance.now();
    db.transaction(() => {
      db.prepare('DELETE FROM browse_nodes WHERE snap = ?').run(snapshotId);
      db.prepare('DELETE FROM browse_threads WHERE snap = ?').run(snapshotId);
      db.prepare(
        `${SNAPSHOT_NODES_CTE}
         INSERT OR IGNORE INTO browse_nodes (snap, node, path, leaf, count)
         SELECT ?, n.id, n.path, n.type != 'tree', n.count FROM t JOIN nodes n ON n.id = t.node`,
      ).run(snapshotId, snapshotId);
      // Message leaves are messages/<conversation>/<month>; the newest month holds the thread's last message.
      const groups = db
        .prepare(
          // SQLite takes a bare column (node) from the row that max() picked: the newest month's bucket.
          `SELECT substr(path, 10, instr(substr(path, 10), '/') - 1) AS segment, sum(count) AS count, max(path) AS last_path, node AS last_node
           FROM browse_nodes INDEXED BY browse_nodes_path WHERE snap = ? AND path >= 'messages/' AND path < 'messages0' AND leaf = 1 GROUP BY segment`,
        )
        .all(snapshotId) as { segment: string; count: number; last_path: string; last_node: Buffer }[];
      const lastOf = db.prepare(
        `SELECT i.kind, i.thread, i.address, i.date, i.preview FROM node_items ni CROSS JOIN items i ON i.id = ni.item
         WHERE ni.node = ? ORDER BY i.date DESC LIMIT 1`,
      );
      const nameOf = db.prepare('SELECT i.name FROM node_items ni CROSS JOIN items i ON i.id = ni.item WHERE ni.node = ? AND i.name IS NOT NULL LIMIT 1');
      const insert = db.prepare(
        `INSERT OR REPLACE INTO browse_threads (snap, thread, segment, name, address, count, last_date, last_kind, last_preview)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const g of groups) {
        const last = lastOf.get(g.last_node) as { kind: string; thread: string | null; address: string | null; date: number | null; preview: string | null } | undefined;
        const name = (nameOf.get(g.last_node) as { name: string } | undefined)?.name ?? null;
        if (!last) continue;
        insert.run(snapshotId, last.thread ?? g.segment, g.segment, name, last.address, g.count, last.date, last.kind, last.preview);
      }
      db.prepare('INSERT OR REPLACE INTO browse_ready (snap, built_at) VALUES (?, ?)').run(snapshotId, this.core.clock.now());
    })();
    return Math.round(performance.now() - started);
  }

  overview(ref: string): SnapshotOverview {
    const snapshot = this.store.snapshot(ref);
    const preparedMs = this.prepare(snapshot.id);
    const k = snapshot.kinds;
    const n = (name: string): number => k[name]?.items ?? 0;
    const threads = this.core.db.prepare('SELECT count(*) FROM browse_threads WHERE snap = ?').pluck().get(snapshot.id) as number;
    return {
      snapshot,
      counts: { contacts: n('contact'), messages: n('sms') + n('mms'), calls: n('call'), media: n('media'), notes: n('note') },
      threads,
      preparedMs,
    };
  }

  threads(ref: string, opts: { query?: string; limit: number; offset: number }): Page<ThreadSummary> {
    const snap = this.store.snapshot(ref);
    this.prepare(snap.id);
    const db = this.core.db;
    const where = ['snap = ?'];
    const params: unknown[] = [snap.id];
    const q = opts.query?.trim().toLowerCase();
    if (q) {
      where.push("(lower(coalesce(name, '')) LIKE ? ESCAPE '\\' OR thread LIKE ? ESCAPE '\\' OR lower(coalesce(address, '')) LIKE ? ESCAPE '\\')");
      const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      params.push(like, like, like);
    }
    const total = db.prepare(`SELECT count(*) FROM browse_threads WHERE ${where.join(' AND ')}`).pluck().get(...params) as number;
    const rows = db
      .prepare(
        `SELECT thread, name, address, count, last_date, last_kind, last_preview FROM browse_threads WHERE ${where.join(' AND ')}
         ORDER BY last_date DESC, thread LIMIT ? OFFSET ?`,
      )
      .all(...params, opts.limit, opts.offset) as { thread: string; name: string | null; address: string | null; count: number; last_date: number | null; last_kind: string | null; last_preview: string | null }[];
    return {
      total,
      offset: opts.offset,
      items: rows.map((r) => ({ thread: r.thread, name: r.name, address: r.address, count: r.count, lastDate: r.last_date, lastKind: r.last_kind, lastPreview: r.last_preview })),
    };
  }

  /**
   * Messages of one conversation, oldest first. Month buckets are in date order, so the page's range of
   * positions maps onto a few buckets, and only their items are read and sorted.
   */
  conversation(ref: string, thread: string, opts: { limit: number; offset: number }): Page<CatalogItem> {
    const snap = this.store.snapshot(ref);
    this.prepare(snap.id);
    const db = this.core.db;
    const t = db.prepare('SELECT segment FROM browse_threads WHERE snap = ? AND thread = ?').get(snap.id, thread) as { segment: string } | undefined;
    if (!t) return { items: [], total: 0, offset: opts.offset };
    const [lo, hi] = prefixRange(`messages/${t.segment}/`);
    const nodes = db
      .prepare('SELECT node, count FROM browse_nodes INDEXED BY browse_nodes_path WHERE snap = ? AND path >= ? AND path < ? AND leaf = 1 ORDER BY path')
      .all(snap.id, lo, hi) as { node: Buffer; count: number }[];
    return this.window(nodes, opts, 'i.date, i.key');
  }

  /** A page of one kind. Calls page like conversations (newest first); other kinds sort by name or date. */
  list(ref: string, kind: BrowseKind, opts: { query?: string; limit: number; offset: number; order?: 'date' | 'name' }): Page<CatalogItem> {
    const snap = this.store.snapshot(ref);
    this.prepare(snap.id);
    const db = this.core.db;
    const [lo, hi] = prefixRange(KIND_PREFIX[kind]);
    const match = opts.query ? searchQuery(opts.query) : undefined;
    if (kind === 'calls' && !match) {
      const nodes = db
        .prepare('SELECT node, count FROM browse_nodes INDEXED BY browse_nodes_path WHERE snap = ? AND path >= ? AND path < ? AND leaf = 1 ORDER BY path DESC')
        .all(snap.id, lo, hi) as { node: Buffer; count: number }[];
      return this.window(nodes, opts, 'i.date DESC, i.key');
    }
    const order = (opts.order ?? (kind === 'contacts' ? 'name' : 'date')) === 'name' ? 'i.name COLLATE NOCASE, i.key' : 'i.date DESC, i.key';
    const from = `FROM browse_nodes b INDEXED BY browse_nodes_path CROSS JOIN node_items ni ON ni.node = b.node CROSS JOIN items i ON i.id = ni.item
      WHERE b.snap = ? AND b.leaf = 1 AND b.path >= ? AND b.path < ?${match ? ' AND i.id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)' : ''}`;
    const params: unknown[] = [snap.id, lo, hi, ...(match ? [match] : [])];
    const total = match
      ? (db.prepare(`SELECT count(*) ${from}`).pluck().get(...params) as number)
      : (db.prepare('SELECT coalesce(sum(count), 0) FROM browse_nodes INDEXED BY browse_nodes_path WHERE snap = ? AND path >= ? AND path < ? AND leaf = 1').pluck().get(snap.id, lo, hi) as number);
    const rows = db.prepare(`SELECT ${ITEM_COLUMNS} ${from} ORDER BY ${order} LIMIT ? OFFSET ?`).all(...params, opts.limit, opts.offset) as ItemRow[];
    return { items: rows.map(toCatalogItem), total, offset: opts.offset };
  }

  private window(nodes: { node: Buffer; count: number }[], opts: { limit: number; offset: number }, order: string): Page<CatalogItem> {
    const total = nodes.reduce((n, r) => n + r.count, 0);
    const wanted: Buffer[] = [];
    let start = 0;
    let skip = 0;
    for (const n of nodes) {
      const end = start + n.count;
      if (end > opts.offset && start < opts.offset + opts.limit) {
        if (wanted.length === 0) skip = opts.offset - start;
        wanted.push(n.node);
      }
      start = end;
    }
    if (wanted.length === 0) return { items: [], total, offset: opts.offset };
    const rows: ItemRow[] = [];
    // Node by node, in the order given: buckets never overlap in time, so this is the global order.
    const stmt = this.core.db.prepare(`SELECT ${ITEM_COLUMNS} FROM node_items ni CROSS JOIN items i ON i.id = ni.item WHERE ni.node = ? ORDER BY ${order}`);
    for (const node of wanted) rows.push(...(stmt.all(node) as ItemRow[]));
    return { items: rows.slice(skip, skip + opts.limit).map(toCatalogItem), total, offset: opts.offset };
  }

  /** Search across every kind of one snapshot; newest catalog entries first, answers after `limit` hits. */
  search(ref: string, query: string, opts: { kinds?: ItemKind[]; limit: number }): { items: CatalogItem[]; more: boolean } {
    const snap = this.store.snapshot(ref);
    this.prepare(snap.id);
    const match = searchQuery(query);
    if (!match) return { items: [], more: false };
    const kindFilter = opts.kinds && opts.kinds.length > 0 ? ` AND i.kind IN (${opts.kinds.map(() => '?').join(', ')})` : '';
    const rows = this.core.db
      .prepare(
        `SELECT ${ITEM_COLUMNS} FROM items_fts f JOIN items i ON i.id = f.rowid
         WHERE items_fts MATCH ?${kindFilter}
           AND EXISTS (SELECT 1 FROM node_items ni CROSS JOIN browse_nodes b ON b.snap = ? AND b.node = ni.node WHERE ni.item = i.id)
         ORDER BY f.rowid DESC LIMIT ?`,
      )
      .all(match, ...(opts.kinds ?? []), snap.id, opts.limit + 1) as ItemRow[];
    return { items: rows.slice(0, opts.limit).map(toCatalogItem), more: rows.length > opts.limit };
  }

  /** What changed from snapshot `a` to `b`, per kind: only buckets that differ are looked at. */
  diff(refA: string, refB: string, limit: number): SnapshotDiff {
    const a = this.store.snapshot(refA);
    const b = this.store.snapshot(refB);
    this.prepare(a.id);
    this.prepare(b.id);
    const db = this.core.db;
    const byKind: SnapshotDiff['byKind'] = {};
    const entries: DiffEntry[] = [];
    db.transaction(() => {
      db.exec(`CREATE TEMP TABLE IF NOT EXISTS diff_side (side INTEGER NOT NULL, item INTEGER NOT NULL, identity BLOB NOT NULL, kind TEXT NOT NULL, PRIMARY KEY (side, item));
        CREATE INDEX IF NOT EXISTS temp.diff_side_identity ON diff_side (identity, side);
        DELETE FROM diff_side;`);
      const fill = db.prepare(
        `INSERT OR IGNORE INTO diff_side (side, item, identity, kind)
         SELECT ?, i.id, i.identity, i.kind FROM node_items ni JOIN items i ON i.id = ni.item
         WHERE ni.node IN (SELECT node FROM browse_nodes WHERE snap = ? AND leaf = 1 EXCEPT SELECT node FROM browse_nodes WHERE snap = ? AND leaf = 1)`,
      );
      fill.run(0, a.id, b.id);
      fill.run(1, b.id, a.id);
      // An item in a changed bucket on both sides did not change itself.
      db.exec('DELETE FROM diff_side WHERE item IN (SELECT item FROM diff_side WHERE side = 0 INTERSECT SELECT item FROM diff_side WHERE side = 1)');
      const classify = `CASE
          WHEN d.side = 1 AND EXISTS (SELECT 1 FROM diff_side o WHERE o.identity = d.identity AND o.side = 0) THEN 'changed'
          WHEN d.side = 1 THEN 'added'
          WHEN EXISTS (SELECT 1 FROM diff_side o WHERE o.identity = d.identity AND o.side = 1) THEN NULL
          ELSE 'removed' END`;
      const counts = db.prepare(`SELECT d.kind, ${classify} AS change, count(*) AS n FROM diff_side d GROUP BY d.kind, change`).all() as {
        kind: string;
        change: DiffEntry['change'] | null;
        n: number;
      }[];
      for (const c of counts) {
        if (!c.change) continue;
        const k = (byKind[c.kind] ??= { added: 0, removed: 0, changed: 0 });
        k[c.change] += c.n;
      }
      const sample = db.prepare(
        `SELECT * FROM (SELECT ${ITEM_COLUMNS}, ${classify} AS change FROM diff_side d JOIN items i ON i.id = d.item WHERE d.kind = ?)
         WHERE change = ? ORDER BY date DESC, name LIMIT ?`,
      );
      for (const [kind, k] of Object.entries(byKind)) {
        for (const change of ['added', 'changed', 'removed'] as const) {
          if (k[change] === 0) continue;
          for (const r of sample.all(kind, change, limit) as (ItemRow & { change: DiffEntry['change'] })[]) entries.push({ change, item: toCatalogItem(r) });
        }
      }
      db.exec('DELETE FROM diff_side');
    })();
    return { from: a.id, to: b.id, byKind, entries };
  }

  private itemRow(keyHex: string): ItemRow {
    if (!/^[0-9a-f]{64}$/.test(keyHex)) throw new LifelineError('invalid_input', 'That item reference is not valid. Pick the item from the list again.');
    const row = this.core.db.prepare(`SELECT ${ITEM_COLUMNS} FROM items i WHERE i.key = ?`).get(Buffer.from(keyHex, 'hex')) as ItemRow | undefined;
    if (!row) throw new LifelineError('not_found', 'That item is no longer in the store (its snapshot may have been forgotten). Refresh the list.');
    return row;
  }

  /** The record behind a catalog row, read from the packs; byte fields are described, not sent. */
  record(keyHex: string): { row: ItemRow; stored: StoredRecord } {
    const row = this.itemRow(keyHex);
    if (row.kind === 'media') throw new LifelineError('invalid_input', 'A photo or video has no record; ask for its image instead.');
    try {
      return { row, stored: JSON.parse(this.core.readPiece(row.key).toString('utf8')) as StoredRecord };
    } catch (error) {
      if (error instanceof LifelineError) throw error;
      throw new LifelineError('corrupt_data', 'This item is damaged in the store and cannot be shown. Run "Check backups" to see what else is affected.');
    }
  }

  /** The media entry (path, chunks) of a media row, from the leaf bucket that lists it. */
  mediaEntry(keyHex: string): { row: ItemRow; entry: MediaEntry } {
    const row = this.itemRow(keyHex);
    if (row.kind !== 'media') throw new LifelineError('invalid_input', 'That item is not a photo or video.');
    const nodes = this.core.db.prepare('SELECT node FROM node_items WHERE item = ? LIMIT 4').pluck().all(row.id) as Buffer[];
    for (const node of nodes) {
      const leaf = this.leaf(node.toString('hex'));
      const entry = leaf?.type === 'media' ? leaf.items.find((e) => e.path === row.rel_path) : undefined;
      if (entry) return { row, entry };
    }
    throw new LifelineError('corrupt_data', 'The folder listing that holds this file is damaged in the store. Run "Check backups" for details.');
  }

  private leafCache = new Map<string, AnyNode | undefined>();

  private leaf(idHex: string): AnyNode | undefined {
    if (this.leafCache.has(idHex)) {
      const hit = this.leafCache.get(idHex);
      this.leafCache.delete(idHex);
      this.leafCache.set(idHex, hit);
      return hit;
    }
    let node: AnyNode | undefined;
    try {
      node = this.core.readJsonPiece<AnyNode>(idHex);
    } catch {
      node = undefined;
    }
    this.leafCache.set(idHex, node);
    // A photo folder's listing can be megabytes; a few stay parsed while a grid scrolls through them.
    while (this.leafCache.size > 8) this.leafCache.delete(this.leafCache.keys().next().value as string);
    return node;
  }

  detail(keyHex: string): ItemDetail {
    const row = this.itemRow(keyHex);
    const item = toCatalogItem(row);
    if (row.kind === 'media') {
      const { entry } = this.mediaEntry(keyHex);
      return { kind: 'media', item, fields: { path: entry.path, size: entry.size, mime: entry.mime, modified: entry.mtime, takenAt: entry.takenAt, place: entry.place } };
    }
    const { stored } = this.record(keyHex);
    switch (stored.kind) {
      case 'contact': {
        const { vcard, photo, ...fields } = stored;
        return {
          kind: 'contact',
          item,
          fields: fields as Record<string, unknown>,
          vcard,
          photo: photo && isBlobRef(photo.bytes) ? { mime: photo.mime, size: photo.bytes.$blob.size } : null,
        };
      }
      case 'mms': {
        const { parts, ...fields } = stored;
        return {
          kind: 'mms',
          item,
          fields: fields as Record<string, unknown>,
          parts: parts.map((p, index) => ({
            index,
            contentType: p.contentType,
            name: p.name ?? null,
            text: p.text ?? null,
            size: isBlobRef(p.data) ? p.data.$blob.size : 0,
            image: /^image\//i.test(p.contentType) && isBlobRef(p.data),
          })),
        };
      }
      case 'note': {
        const { text, ...fields } = stored;
        return { kind: 'note', item, fields: fields as Record<string, unknown>, text };
      }
      case 'sms':
        return { kind: 'sms', item, fields: stored as unknown as Record<string, unknown> };
      case 'call':
        return { kind: 'call', item, fields: stored as unknown as Record<string, unknown> };
    }
  }
}
