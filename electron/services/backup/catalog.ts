import type { StoreCore } from './core';
import type { MediaEntry, StoredRecord } from './records';
import { canonicalJson, identityString, isBlobRef, mediaCatalog, mediaIdentityString, recordCatalog } from './records';
import { hmac } from './crypto';
import type { SnapshotObject, TreeEntry } from './layout';

export interface TreeNode {
  v: 1;
  type: 'tree';
  entries: TreeEntry[];
}
export interface RecordsLeaf {
  v: 1;
  type: 'records';
  items: string[];
}
export interface MediaLeaf {
  v: 1;
  type: 'media';
  items: MediaEntry[];
}
export type AnyNode = TreeNode | RecordsLeaf | MediaLeaf;

/** The catalog key of a media item: its entry, keyed-hashed, so the same file at the same path is one item. */
export function mediaKey(core: StoreCore, entry: MediaEntry): Buffer {
  return hmac(core.keys.id, 'media-entry\u0000', canonicalJson(entry));
}

/** Chunk piece ids referenced by blob refs anywhere inside a stored record. */
export function blobChunks(value: unknown, out: Buffer[] = []): Buffer[] {
  if (isBlobRef(value)) {
    for (const c of value.$blob.chunks) out.push(Buffer.from(c, 'hex'));
  } else if (Array.isArray(value)) {
    for (const v of value) blobChunks(v, out);
  } else if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) blobChunks(v, out);
  }
  return out;
}

/** Catalog row for a record payload piece that is already stored (rebuild, reconcile). */
export function catalogRecordPiece(core: StoreCore, idHex: string): number {
  const id = Buffer.from(idHex, 'hex');
  const existing = core.db.prepare('SELECT id FROM items WHERE key = ?').get(id) as { id: number } | undefined;
  if (existing) return existing.id;
  const bytes = core.readPiece(id);
  const payload = JSON.parse(bytes.toString('utf8')) as StoredRecord;
  const identity = core.identity(identityString(payload));
  return core.ensureItem(id, identity, recordCatalog(payload, bytes.length), [id, ...blobChunks(payload)]);
}

export function catalogMediaEntry(core: StoreCore, entry: MediaEntry): number {
  const identity = core.identity(mediaIdentityString(entry.path));
  return core.ensureItem(mediaKey(core, entry), identity, mediaCatalog(entry), entry.chunks.map((c) => Buffer.from(c, 'hex')));
}

/**
 * Adds one snapshot to the catalog by walking its tree in the packs. Nodes are content-addressed and a
 * node is cataloged together with everything below it, so a node already present ends the walk there.
 */
export function catalogSnapshot(core: StoreCore, obj: SnapshotObject): void {
  const db = core.db;
  const insertNode = db.prepare('INSERT OR IGNORE INTO nodes (id, path, type, count) VALUES (?, ?, ?, ?)');
  const hasNode = db.prepare('SELECT 1 FROM nodes WHERE id = ?');
  const insertChild = db.prepare('INSERT OR IGNORE INTO node_children (parent, child) VALUES (?, ?)');
  const insertNodeItem = db.prepare('INSERT OR IGNORE INTO node_items (node, item) VALUES (?, ?)');

  const walk = (idHex: string, nodePath: string): void => {
    const id = Buffer.from(idHex, 'hex');
    if (hasNode.get(id)) return;
    const node = core.readJsonPiece<AnyNode>(idHex);
    let count = 0;
    if (node.type === 'tree') {
      for (const e of node.entries) {
        walk(e.id, nodePath ? `${nodePath}/${e.name}` : e.name);
        insertChild.run(id, Buffer.from(e.id, 'hex'));
        count += e.count;
      }
    } else if (node.type === 'records') {
      for (const item of node.items) insertNodeItem.run(id, catalogRecordPiece(core, item));
      count = node.items.length;
    } else {
      for (const entry of node.items) insertNodeItem.run(id, catalogMediaEntry(core, entry));
      count = node.items.length;
    }
    insertNode.run(id, nodePath, node.type, count);
  };

  db.transaction(() => {
    walk(obj.root, '');
    db.prepare('INSERT OR REPLACE INTO snapshots (id, device, time, root, object) VALUES (?, ?, ?, ?, ?)').run(
      obj.id,
      obj.device,
      obj.time,
      Buffer.from(obj.root, 'hex'),
      JSON.stringify(obj),
    );
  })();
}

/** Drops catalog rows no snapshot reaches any more (after forget, or a snapshot file that disappeared). */
export function collectCatalogGarbage(core: StoreCore): void {
  const db = core.db;
  db.transaction(() => {
    db.exec(`
      CREATE TEMP TABLE IF NOT EXISTS live_nodes (node BLOB PRIMARY KEY) WITHOUT ROWID;
      DELETE FROM live_nodes;
      WITH RECURSIVE t(node) AS (
        SELECT root FROM snapshots
        UNION SELECT c.child FROM node_children c JOIN t ON c.parent = t.node)
      INSERT OR IGNORE INTO live_nodes SELECT node FROM t;
      DELETE FROM node_children WHERE parent NOT IN (SELECT node FROM live_nodes);
      DELETE FROM node_items WHERE node NOT IN (SELECT node FROM live_nodes);
      DELETE FROM nodes WHERE id NOT IN (SELECT node FROM live_nodes);
      CREATE TEMP TABLE IF NOT EXISTS dead_items (id INTEGER PRIMARY KEY);
      DELETE FROM dead_items;
      INSERT INTO dead_items SELECT id FROM items WHERE id NOT IN (SELECT item FROM node_items);
      DELETE FROM items_fts WHERE rowid IN (SELECT id FROM dead_items);
      DELETE FROM item_pieces WHERE item IN (SELECT id FROM dead_items);
      DELETE FROM items WHERE id IN (SELECT id FROM dead_items);
    `);
  })();
}
