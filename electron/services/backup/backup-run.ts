import type { Database } from 'better-sqlite3';
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import { LifelineError } from '../../../contract';
import type { StoreCore } from './core';
import { blobChunks, mediaKey, type AnyNode } from './catalog';
import { sha256 } from './crypto';
import { translateFsError } from './fs-util';
import type { ImportEvent, ItemKind, MediaSource, PhoneRecord, SkippedItem } from './import/types';
import { decodeSegment, encodeSegment, type KindStats, type SnapshotObject, type TreeEntry } from './layout';
import { SNAPSHOT_NODES_CTE } from './index-db';
import { PieceType, type BundleMember, type CompressHint, type PackBuilder } from './pack';
import { IdFilter, IdSet } from './id-set';
import { RecordFileCache, type ReplayResult } from './record-file-cache';
import { readBackSample, type ReadBack } from './verify';
import {
  bucketPath,
  canonicalJson,
  identityString,
  isCompressedMedia,
  mediaBucketPath,
  mediaCatalog,
  mediaIdentityString,
  recordCatalog,
  recordHasBytes,
  type BlobRef,
  type MediaEntry,
  type StoredRecord,
} from './records';

export const PROGRAM = 'lifeline 0.1.0';
/** Records up to this size are bundled; bigger ones are pieces of their own. */
const BUNDLE_MEMBER_MAX = 16 * 1024;
/** A group's bundle is written once it holds this much. */
const BUNDLE_TARGET = 64 * 1024;
/** All waiting groups are written once they hold this much together, which bounds the memory they take. */
const PENDING_MAX = 4 * 1024 * 1024;

/** Tree nodes of a run bundle together (a restore walks them in about the order they were written). */
const TREE_GROUP = '\u0000tree';

/** Records of one conversation (all years), one year of calls, one contacts bucket or notes folder bundle together. */
function bundleGroup(segments: readonly string[]): string {
  return (segments.length >= 3 ? segments.slice(0, -1) : segments).join('/');
}
const MAX_SKIPPED_KEPT = 1000;
/** Media bytes whose chunk ids may be computing on the thread pool at once. */
const HASH_WINDOW = 8 * 1024 * 1024;

export interface BackupProgress {
  phase: 'reading' | 'finishing' | 'checking' | 'done';
  /** Items (records and media files) handled so far. */
  items: number;
  /** Bytes of items handled so far (record payloads and file sizes). */
  bytes: number;
  /** Of those, bytes that were new to the store. */
  newBytes: number;
  skipped: number;
  /** The source file being read, and how far (from the importer's progress events). */
  file?: string;
  sourceBytesRead?: number;
  sourceBytesTotal?: number;
  elapsedMs: number;
  /** Items handled so far per kind, so a progress view can show counts per kind. */
  kinds?: Record<string, number>;
}

export interface BackupOptions {
  device: string;
  events: AsyncIterable<ImportEvent>;
  signal?: AbortSignal;
  onProgress?: (progress: BackupProgress) => void;
}

/** The per-backup receipt: what was backed up from which device, and a digest to check it against later. */
export interface BackupReceipt {
  format: 'lifeline-backup-receipt';
  version: 1;
  storeId: string;
  snapshot: string;
  device: string;
  hostname: string;
  startedAt: string;
  committedAt: string;
  parent?: string;
  kinds: Record<string, KindStats>;
  totals: KindStats & { storedBytes: number };
  duplicates: number;
  skipped: { count: number; items: SnapshotObject['stats']['skipped'] };
  digest: { algorithm: 'sha256'; value: string; over: string };
  /** On the receipt a backup returns: what it read back of the packs it wrote (not kept with the snapshot). */
  readBack?: ReadBack;
}

export function receiptFromSnapshot(storeId: string, obj: SnapshotObject): BackupReceipt {
  const totals = { items: 0, bytes: 0, newItems: 0, newBytes: 0, storedBytes: obj.stats.storedBytes };
  for (const k of Object.values(obj.stats.kinds)) {
    totals.items += k.items;
    totals.bytes += k.bytes;
    totals.newItems += k.newItems;
    totals.newBytes += k.newBytes;
  }
  return {
    format: 'lifeline-backup-receipt',
    version: 1,
    storeId,
    snapshot: obj.id,
    device: obj.device,
    hostname: obj.hostname,
    startedAt: new Date(obj.time).toISOString(),
    committedAt: new Date(obj.committedAt).toISOString(),
    ...(obj.parent ? { parent: obj.parent } : {}),
    kinds: obj.stats.kinds,
    totals,
    duplicates: obj.stats.duplicates,
    skipped: { count: obj.stats.skippedCount, items: obj.stats.skipped },
    digest: {
      algorithm: 'sha256',
      value: obj.digest,
      over: 'sorted lines "<kind> <sha256 of the item>\\n"; records hash their stored payload, media their file bytes',
    },
  };
}

function cancelled(): LifelineError {
  return new LifelineError(
    'cancelled',
    'The backup was cancelled. No snapshot was written; what was already packed is kept and the next backup reuses it.',
  );
}

/**
 * One backup run. Pieces go into in-memory packs that are written durably when full; catalog rows go into
 * SQLite as they come; the tree is built from the run's temp tables at the end; the snapshot file is
 * written last and is the commit point.
 */
/**
 * The media file cache of one device: the entry stored for a file, when its size and mtime are still the ones
 * it had then. The row keeps the mtime rounded down to whole ms, as the importer reports it; the entry keeps it
 * rounded to the nearest ms, as restores set it (comparing one with the other missed about half the files).
 */
export function mediaFileCache(db: Database, device: string): (absPath: string, size: number, mtime: number) => MediaEntry | undefined {
  const get = db.prepare('SELECT size, mtime, entry FROM file_cache WHERE device = ? AND path = ?');
  const name = device.trim();
  return (absPath, size, mtime) => {
    const row = get.get(name, absPath) as { size: number; mtime: number; entry: string } | undefined;
    return row && row.size === size && row.mtime === Math.floor(mtime) ? (JSON.parse(row.entry) as MediaEntry) : undefined;
  };
}

export async function runBackup(core: StoreCore, opts: BackupOptions): Promise<BackupReceipt> {
  const db = core.db;
  const started = core.clock.now();
  const startedMono = performance.now();
  const device = opts.device.trim();
  if (device.length === 0 || device.length > 200) {
    throw new LifelineError('invalid_input', 'Give the device a name of 1 to 200 characters (e.g. --device "Ana\'s phone").');
  }

  // What the snapshot will hold, one row per item and leaf. Rows are appended in the order records arrive
  // (conversations interleave in an export) and indexed by leaf once, before the tree is built: keeping a
  // (bucket, key) primary key while 500,000 messages arrived cost a random insert each, most of a re-read
  // export's time. No constraint is needed: every row's identity is new to the run (run_identity; replayed
  // files are checked against it), and the key is a hash of content that includes what the identity covers.
  db.exec(`
    CREATE TEMP TABLE IF NOT EXISTS run_entries (
      bucket TEXT NOT NULL, key BLOB NOT NULL, kind TEXT NOT NULL, size INTEGER NOT NULL, sha TEXT NOT NULL, media TEXT, item INTEGER);
    CREATE TEMP TABLE IF NOT EXISTS run_identity (identity BLOB PRIMARY KEY) WITHOUT ROWID;
    DROP INDEX IF EXISTS temp.run_entries_leaf;
    DELETE FROM run_entries;
    DELETE FROM run_identity;
  `);
  // `item` is the catalog row when the run knows it (replayed rows leave it empty and are looked up by key).
  const insertEntry = db.prepare('INSERT INTO run_entries (bucket, key, kind, size, sha, media, item) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const insertIdentity = db.prepare('INSERT OR IGNORE INTO run_identity (identity) VALUES (?)');
  const cachedMedia = mediaFileCache(db, device);
  const cachePut = db.prepare(
    'INSERT INTO file_cache (device, path, size, mtime, entry) VALUES (?, ?, ?, ?, ?) ON CONFLICT (device, path) DO UPDATE SET size = excluded.size, mtime = excluded.mtime, entry = excluded.entry',
  );

  const recordFiles = new RecordFileCache(db, device);
  const kinds: Record<string, KindStats> = {};
  const stat = (kind: ItemKind): KindStats => (kinds[kind] ??= { items: 0, bytes: 0, newItems: 0, newBytes: 0 });
  const skipped: SkippedItem[] = [];
  let skippedCount = 0;
  let duplicates = 0;
  let storedBytes = 0;
  let items = 0;
  let bytes = 0;
  let newBytes = 0;
  let source: { file: string; read: number; total: number } | undefined;
  let lastProgress = 0;

  const progress = (phase: BackupProgress['phase'], force = false): void => {
    if (!opts.onProgress) return;
    const now = performance.now();
    if (!force && now - lastProgress < 200) return;
    lastProgress = now;
    opts.onProgress({
      phase,
      items,
      bytes,
      newBytes,
      skipped: skippedCount,
      ...(source ? { file: source.file, sourceBytesRead: source.read, sourceBytesTotal: source.total } : {}),
      elapsedMs: Math.round(now - startedMono),
      kinds: Object.fromEntries(Object.entries(kinds).map(([k, s]) => [k, s.items])),
    });
  };

  const skip = (item: SkippedItem): void => {
    skippedCount++;
    if (skipped.length < MAX_SKIPPED_KEPT) skipped.push(item);
  };

  // Catalog writes are batched in transactions; the catalog is derived, so losing a batch in a crash is harmless.
  let opsInTx = 0;
  const beginIfNeeded = (): void => {
    if (!db.inTransaction) db.exec('BEGIN');
  };
  const commit = (): void => {
    if (db.inTransaction) db.exec('COMMIT');
    opsInTx = 0;
  };
  const tick = (): void => {
    if (++opsInTx >= 50000) commit();
    beginIfNeeded();
  };

  await core.upgradeFormat();
  let builder = core.newPackBuilder();
  // A full pack is synced and renamed in the background while the next one fills (its fsync was most of the
  // time a backup spent waiting). At most one is in flight; the snapshot is written only after it settled.
  let inflight: { builder: PackBuilder; done: Promise<unknown> } | undefined;
  /** Packs this run wrote, for the read-back after the snapshot. */
  const packsWritten: string[] = [];
  const settle = async (): Promise<void> => {
    const w = inflight;
    if (!w) return;
    const outcome = await w.done;
    inflight = undefined;
    if (outcome instanceof Error) throw outcome;
  };
  const flush = async (): Promise<void> => {
    if (builder.count === 0) return;
    commit();
    await settle();
    const full = builder;
    builder = core.newPackBuilder();
    inflight = {
      builder: full,
      done: core.writePack(full).then(
        (written) => {
          packsWritten.push(written.id);
        },
        (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
      ),
    };
    beginIfNeeded();
  };
  // In a store that held no pieces when the run began, only pieces this run wrote can be stored: a filter of
  // those answers most "is it stored?" questions (every new record asks one) without the index.
  const storeWasEmpty = db.prepare('SELECT NOT EXISTS (SELECT 1 FROM pieces)').pluck().get() === 1;
  const written = storeWasEmpty ? new IdFilter() : undefined;
  // Tree nodes of the device's last snapshot, when nothing was removed from the store since it was committed
  // (its epoch): all stored and intact, so building an unchanged part of the tree again asks the index nothing.
  let parentTree: IdSet | undefined;
  const stored = (id: Buffer): boolean => parentTree?.has(id) === true || ((written === undefined || written.mayHave(id)) && core.hasPiece(id));
  /** Whether a piece is already in a pack of this run that is not indexed yet. */
  const queued = (id: Buffer): boolean => builder.ids.has(id) || (inflight?.builder.ids.has(id) ?? false);

  const put = async (type: PieceType, data: Buffer, hint: CompressHint, known?: Buffer): Promise<{ id: Buffer; isNew: boolean }> => {
    const id = known ?? core.pieceId(type, data);
    if (queued(id) || stored(id)) return { id, isNew: false };
    const entry = builder.add(id, type, data, hint);
    written?.add(id);
    storedBytes += entry.length;
    if (builder.byteSize >= core.config.packSize) await flush();
    return { id, isNew: true };
  };

  // Small records wait here, grouped by the part of the tree they belong to (a conversation, a year of calls),
  // and go into packs as bundles: one deflate and one seal for the bundle instead of one per record, and a
  // restore of that part of the tree decrypts a few bundles instead of every record. Small tree nodes bundle
  // the same way, in a group of their own.
  const pending = new Map<string, { members: BundleMember[]; bytes: number }>();
  const pendingIds = new Set<string>();
  let pendingBytes = 0;
  const bundling = core.packFormat >= 2;

  const flushBundle = async (group: string): Promise<void> => {
    const g = pending.get(group);
    if (!g) return;
    pending.delete(group);
    pendingBytes -= g.bytes;
    const plain = g.members.length === 1 ? (g.members[0] as BundleMember).data : Buffer.concat(g.members.map((m) => m.data));
    const bundleId = core.pieceId(PieceType.bundle, plain);
    const entry = builder.addBundle(bundleId, g.members);
    written?.add(bundleId);
    for (const m of g.members) {
      pendingIds.delete(m.id.toString('hex'));
      written?.add(m.id);
    }
    storedBytes += entry.length;
    if (builder.byteSize >= core.config.packSize) await flush();
  };
  const flushBundles = async (): Promise<void> => {
    for (const group of [...pending.keys()]) await flushBundle(group);
  };

  const putSmall = async (type: PieceType, data: Buffer, group: string): Promise<{ id: Buffer; isNew: boolean }> => {
    if (!bundling || data.length > BUNDLE_MEMBER_MAX) return put(type, data, 'auto');
    const id = core.pieceId(type, data);
    const hex = id.toString('hex');
    if (pendingIds.has(hex) || queued(id) || stored(id)) return { id, isNew: false };
    let g = pending.get(group);
    if (!g) {
      g = { members: [], bytes: 0 };
      pending.set(group, g);
    }
    g.members.push({ id, type, data });
    g.bytes += data.length;
    pendingBytes += data.length;
    pendingIds.add(hex);
    if (g.bytes >= BUNDLE_TARGET) await flushBundle(group);
    else if (pendingBytes >= PENDING_MAX) await flushBundles();
    return { id, isNew: true };
  };

  const putStream = async (
    input: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    hint: CompressHint,
  ): Promise<{ chunks: string[]; fresh: number }> => {
    const chunks: string[] = [];
    let fresh = 0;
    // Chunk ids are computed on the thread pool while the next chunks are cut; up to HASH_WINDOW bytes wait.
    const waiting: { chunk: Buffer; id: Promise<Buffer> }[] = [];
    let waitingBytes = 0;
    const storeOldest = async (): Promise<void> => {
      const w = waiting.shift() as { chunk: Buffer; id: Promise<Buffer> };
      waitingBytes -= w.chunk.length;
      const r = await put(PieceType.chunk, w.chunk, hint, await w.id);
      chunks.push(r.id.toString('hex'));
      if (r.isNew) fresh += w.chunk.length;
    };
    for await (const chunk of core.chunker.chunks(input)) {
      if (opts.signal?.aborted) throw cancelled();
      const id = core.pieceIdAsync(PieceType.chunk, chunk);
      id.catch(() => undefined); // awaited below; not an unhandled rejection if the run stops first
      waiting.push({ chunk, id });
      waitingBytes += chunk.length;
      while (waitingBytes > HASH_WINDOW) await storeOldest();
    }
    while (waiting.length > 0) await storeOldest();
    return { chunks, fresh };
  };

  const replaceBytes = async (value: unknown, mime: string, acc: { fresh: number }): Promise<unknown> => {
    if (value instanceof Uint8Array) {
      const hint: CompressHint = isCompressedMedia(mime) ? 'never' : 'auto';
      const { chunks, fresh } = await putStream([value], hint);
      acc.fresh += fresh;
      const ref: BlobRef = { $blob: { size: value.length, sha256: sha256(value).toString('hex'), chunks } };
      return ref;
    }
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      for (const v of value) out.push(await replaceBytes(v, mime, acc));
      return out;
    }
    if (typeof value === 'object' && value !== null) {
      const obj = value as Record<string, unknown>;
      const m = typeof obj.contentType === 'string' ? obj.contentType : typeof obj.mime === 'string' ? obj.mime : mime;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(obj)) out[k] = await replaceBytes(v, m, acc);
      return out;
    }
    return value;
  };

  const addRecord = async (record: PhoneRecord, file?: string): Promise<void> => {
    const identity = core.identity(identityString(record));
    tick();
    if (insertIdentity.run(identity).changes === 0) {
      duplicates++;
      if (file !== undefined) recordFiles.note(file, { identity, key: null, bucket: null, kind: record.kind, size: 0, sha: null, item: null });
      return;
    }
    const acc = { fresh: 0 };
    // Only MMS parts and contact photos hold bytes; other records skip the async walk that replaces them.
    const stored = (recordHasBytes(record) ? await replaceBytes(record, '', acc) : record) as StoredRecord;
    const payload = Buffer.from(canonicalJson(stored), 'utf8');
    const sha = sha256(payload).toString('hex');
    // A record the file held the last time it was read (a re-dumped export): stored and cataloged then.
    const known = file !== undefined ? recordFiles.known(file, sha, identity) : undefined;
    let key: Buffer;
    let bucket: string;
    let size: number;
    let item: number | null;
    let isNew = false;
    if (known) {
      ({ key, bucket, size, item } = known);
    } else {
      const segments = bucketPath(record, identity.toString('hex')).map(encodeSegment);
      bucket = segments.join('/');
      const put = await putSmall(PieceType.record, payload, bundleGroup(segments));
      key = put.id;
      isNew = put.isNew;
      const fields = recordCatalog(stored, payload.length);
      size = fields.size;
      item = core.ensureItem(key, identity, fields, stored !== record ? [key, ...blobChunks(stored)] : [key]);
    }
    insertEntry.run(bucket, key, record.kind, size, sha, null, item);
    if (file !== undefined) recordFiles.note(file, { identity, key, bucket, kind: record.kind, size, sha, item });
    const s = stat(record.kind);
    s.items++;
    s.bytes += size;
    const fresh = (isNew ? payload.length : 0) + acc.fresh;
    if (isNew || acc.fresh > 0) s.newItems++;
    s.newBytes += fresh;
    items++;
    bytes += size;
    newBytes += fresh;
  };

  /** `seenMtime` is the file's mtime as the importer reports it (whole ms, rounded down), for the file cache. */
  const readMedia = async (m: MediaSource): Promise<{ entry: MediaEntry; fresh: number; seenMtime: number } | { reason: string }> => {
    const hint: CompressHint = isCompressedMedia(m.mime, m.relPath) ? 'never' : 'auto';
    for (let attempt = 0; attempt < 2; attempt++) {
      let before: fs.Stats;
      try {
        before = await fsp.stat(m.absPath);
      } catch (error) {
        return { reason: `The file could not be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).` };
      }
      const hash = crypto.createHash('sha256');
      let size = 0;
      const stream = fs.createReadStream(m.absPath, { highWaterMark: 1024 * 1024 });
      async function* tap(): AsyncGenerator<Buffer> {
        for await (const b of stream as AsyncIterable<Buffer>) {
          hash.update(b);
          size += b.length;
          yield b;
        }
      }
      let result: { chunks: string[]; fresh: number };
      try {
        result = await putStream(tap(), hint);
      } catch (error) {
        stream.destroy();
        const code = (error as NodeJS.ErrnoException).code;
        if (error instanceof LifelineError || code === 'ENOSPC' || code === 'EDQUOT') throw error;
        return { reason: `The file could not be read (${code ?? (error as Error).message}).` };
      }
      const after = await fsp.stat(m.absPath).catch(() => undefined);
      if (after && after.size === size && before.size === size && after.mtimeMs === before.mtimeMs) {
        const entry: MediaEntry = {
          path: m.relPath,
          size,
          mtime: Math.round(before.mtimeMs),
          mime: m.mime,
          sha256: hash.digest('hex'),
          chunks: result.chunks,
          ...(m.takenAt !== undefined ? { takenAt: m.takenAt } : {}),
          ...(m.place ? { place: m.place } : {}),
        };
        return { entry, fresh: result.fresh, seenMtime: Math.floor(before.mtimeMs) };
      }
    }
    return { reason: 'The file changed while it was being read; back it up again when nothing is writing to it.' };
  };

  const addMedia = async (m: MediaSource): Promise<void> => {
    const identity = core.identity(mediaIdentityString(m.relPath));
    tick();
    if (insertIdentity.run(identity).changes === 0) {
      duplicates++;
      return;
    }
    let entry: MediaEntry | undefined;
    let fresh = 0;
    const old = cachedMedia(m.absPath, m.size, m.mtime);
    if (old) {
      const have = (hex: string): boolean => {
        const id = Buffer.from(hex, 'hex');
        return queued(id) || stored(id);
      };
      if (old.chunks.every(have)) {
        entry = {
          path: m.relPath,
          size: old.size,
          mtime: old.mtime,
          mime: m.mime,
          sha256: old.sha256,
          chunks: old.chunks,
          ...(m.takenAt !== undefined ? { takenAt: m.takenAt } : {}),
          ...(m.place ? { place: m.place } : {}),
        };
      }
    }
    if (!entry) {
      const r = await readMedia(m);
      if ('reason' in r) {
        skip({ file: m.absPath, kind: 'media', reason: r.reason });
        return;
      }
      entry = r.entry;
      fresh = r.fresh;
      cachePut.run(device, m.absPath, entry.size, r.seenMtime, JSON.stringify(entry));
    }
    const key = mediaKey(core, entry);
    const fields = mediaCatalog(entry);
    const item = core.ensureItem(key, identity, fields, entry.chunks.map((c) => Buffer.from(c, 'hex')));
    const bucket = mediaBucketPath(entry.path).map(encodeSegment).join('/');
    insertEntry.run(bucket, key, 'media', entry.size, entry.sha256, canonicalJson(entry), item);
    const s = stat('media');
    s.items++;
    s.bytes += entry.size;
    if (fresh > 0) s.newItems++;
    s.newBytes += fresh;
    items++;
    bytes += entry.size;
    newBytes += fresh;
  };

  const buildTree = async (): Promise<string> => {
    db.exec('CREATE INDEX IF NOT EXISTS temp.run_entries_leaf ON run_entries (bucket, key)');
    const parent = db
      .prepare(`SELECT s.id, f.epoch FROM snapshots s JOIN run_fingerprints f ON f.snapshot = s.id WHERE s.device = ? ORDER BY s.time DESC LIMIT 1`)
      .get(device) as { id: string; epoch: number } | undefined;
    if (parent && parent.epoch === recordFiles.currentEpoch()) {
      parentTree = new IdSet();
      for (const node of db.prepare(`${SNAPSHOT_NODES_CTE} SELECT node FROM t`).pluck().iterate(parent.id) as IterableIterator<Buffer>) parentTree.add(node);
    }
    // The tree is built from the sorted bucket list itself: the buckets under a folder are one run of it, and
    // within that run the ones under each child are one run too. A Map per folder held 38 MB at 60,000 leaves.
    const buckets = db.prepare('SELECT DISTINCT bucket FROM run_entries ORDER BY bucket').pluck().all() as string[];
    const hasNode = db.prepare('SELECT 1 FROM nodes WHERE id = ?');
    const insertNode = db.prepare('INSERT OR IGNORE INTO nodes (id, path, type, count) VALUES (?, ?, ?, ?)');
    const insertChild = db.prepare('INSERT OR IGNORE INTO node_children (parent, child) VALUES (?, ?)');
    // New leaves are linked to their catalog rows all at once at the end, in (node, item) order: linked leaf by
    // leaf, every item row went to a random page of node_items (leaf ids are hashes); building the tree of a
    // first backup of 660,000 records took 15 s that way, 11 s this way. A leaf's node row is written with its
    // links, so no leaf row exists without them (an inner node written before a crash is reached by no snapshot,
    // and a later run that builds it again writes its leaves).
    db.exec('CREATE TEMP TABLE IF NOT EXISTS run_new_leaves (node BLOB NOT NULL, bucket TEXT NOT NULL, path TEXT NOT NULL, type TEXT NOT NULL, count INTEGER NOT NULL); DELETE FROM run_new_leaves;');
    const noteNewLeaf = db.prepare('INSERT INTO run_new_leaves (node, bucket, path, type, count) VALUES (?, ?, ?, ?, ?)');
    let newLeafItems = 0;
    const leafSummary = db.prepare('SELECT count(*) AS count, COALESCE(SUM(size), 0) AS bytes, COALESCE(SUM(media IS NULL), 0) AS records FROM run_entries WHERE bucket = ?');
    const mediaRows = db.prepare('SELECT media FROM run_entries WHERE bucket = ?').pluck();
    // A records leaf is written out by SQLite, exactly as canonicalJson writes { v: 1, type: 'records', items }
    // with the keys as sorted hex: 660,000 keys made into row objects and strings were most of the garbage
    // (and the heap growth) of a first backup's last phase. Lowercase hex sorts as the bytes do.
    const recordsLeafJson = db
      .prepare(`SELECT '{"items":' || json_group_array(lower(hex(key)) ORDER BY key) || ',"type":"records","v":1}' FROM run_entries WHERE bucket = ?`)
      .pluck();

    // Building the tree of a big first backup takes seconds of synchronous work between awaits that do not
    // leave the microtask queue: yield to the event loop now and then, so progress, a cancel and (in the app)
    // other requests get through, and honour a cancel here too.
    let lastYield = performance.now();
    const breathe = async (): Promise<void> => {
      if (opts.signal?.aborted) throw cancelled();
      if (performance.now() - lastYield < 50) return;
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastYield = performance.now();
      if (opts.signal?.aborted) throw cancelled();
      progress('finishing');
    };

    /** Builds the leaf `nodePath` (`folder` undefined) or the folder holding buckets[lo, hi), which all start with `nodePath`/. */
    const build = async (nodePath: string, folder?: { lo: number; hi: number }): Promise<Omit<TreeEntry, 'name'>> => {
      await breathe();
      if (!folder) {
        const bucket = nodePath;
        const { count, bytes: leafBytes, records } = leafSummary.get(bucket) as { count: number; bytes: number; records: number };
        let type: 'media' | 'records';
        let json: string;
        if (records === 0) {
          const entries = (mediaRows.all(bucket) as string[]).map((m) => JSON.parse(m) as MediaEntry).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
          type = 'media';
          json = canonicalJson({ v: 1, type, items: entries } satisfies AnyNode);
        } else {
          type = 'records';
          json = recordsLeafJson.get(bucket) as string;
        }
        const { id } = await putSmall(PieceType.tree, Buffer.from(json), TREE_GROUP);
        tick();
        if (!hasNode.get(id)) {
          noteNewLeaf.run(id, bucket, nodePath, type, count);
          newLeafItems += count;
        }
        return { id: id.toString('hex'), type, count, bytes: leafBytes };
      }
      // The children: a bucket equal to prefix + name is a leaf; the buckets starting with prefix + name + "/"
      // are one run (they share that prefix) and make a folder. Runs come in string order, which is not the
      // order of the names ("a-c" sorts before "a/b"), so they are sorted by name, as the entries are.
      const prefix = nodePath ? `${nodePath}/` : '';
      const children: { name: string; folder?: { lo: number; hi: number } }[] = [];
      for (let i = folder.lo; i < folder.hi; ) {
        const b = buckets[i] as string;
        const slash = b.indexOf('/', prefix.length);
        if (slash < 0) {
          children.push({ name: b.slice(prefix.length) });
          i++;
          continue;
        }
        const name = b.slice(prefix.length, slash);
        const under = `${prefix}${name}/`;
        let j = i + 1;
        while (j < folder.hi && (buckets[j] as string).startsWith(under)) j++;
        children.push({ name, folder: { lo: i, hi: j } });
        i = j;
      }
      children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const entries: TreeEntry[] = [];
      for (let k = 0; k < children.length; k++) {
        const c = children[k] as (typeof children)[number];
        if (k > 0 && (children[k - 1] as (typeof children)[number]).name === c.name) throw new Error(`Bucket ${prefix}${c.name} is both a leaf and a folder.`);
        const built = await build(prefix + c.name, c.folder);
        entries.push({ name: decodeSegment(c.name), ...built });
      }
      const tree: AnyNode = { v: 1, type: 'tree', entries };
      const { id } = await putSmall(PieceType.tree, Buffer.from(canonicalJson(tree)), TREE_GROUP);
      tick();
      const count = entries.reduce((n, e) => n + e.count, 0);
      if (!hasNode.get(id)) {
        for (const e of entries) insertChild.run(id, Buffer.from(e.id, 'hex'));
        insertNode.run(id, nodePath, 'tree', count);
      }
      return { id: id.toString('hex'), type: 'tree', count, bytes: entries.reduce((n, e) => n + e.bytes, 0) };
    };
    const rootId = (await build('', { lo: 0, hi: buckets.length })).id;
    const linked = db
      .prepare(
        `INSERT OR IGNORE INTO node_items (node, item)
         SELECT l.node, COALESCE(r.item, (SELECT i.id FROM items i WHERE i.key = r.key)) FROM run_new_leaves l JOIN run_entries r ON r.bucket = l.bucket
         ORDER BY 1, 2`,
      )
      .run().changes;
    if (linked !== newLeafItems) throw new Error(`Catalog mismatch: ${linked} of ${newLeafItems} items of new leaves linked.`);
    db.exec('INSERT OR IGNORE INTO nodes (id, path, type, count) SELECT node, path, type, count FROM run_new_leaves; DELETE FROM run_new_leaves;');
    tick();
    return rootId;
  };

  const digest = (): string => {
    const h = crypto.createHash('sha256');
    for (const row of db.prepare('SELECT kind, sha FROM run_entries ORDER BY kind, sha').iterate() as IterableIterator<{ kind: string; sha: string }>) {
      h.update(`${row.kind} ${row.sha}\n`);
    }
    return h.digest('hex');
  };

  const countReplay = (replayed: ReplayResult): void => {
    duplicates += replayed.duplicates;
    for (const [kind, r] of replayed.kinds) {
      const s = stat(kind);
      s.items += r.items;
      s.bytes += r.bytes;
      items += r.items;
      bytes += r.bytes;
    }
  };

  // What the run is given, as a keyed hash: with the same sources as the device's last snapshot, and nothing
  // removed from the store since (the epoch), the snapshot would hold exactly what that one holds.
  const fingerprint = crypto.createHmac('sha256', core.keys.identity).update('lifeline run fingerprint v1\n');
  let fingerprintValid = true;
  const announced = new Set<string>();
  const mark = (...fields: (string | number | undefined)[]): void => {
    fingerprint.update(`${JSON.stringify(fields)}\n`);
  };

  // Unchanged record files are not replayed at once: while no record has been parsed in this run, their
  // replay waits, and a run whose sources turn out to be the last snapshot's needs none of them. The first
  // record parsed (or the end of a run that cannot reuse) replays them first, in order, so merging duplicates
  // across files gives what replaying at once would have.
  const deferred: { file: string; size: number; mtime: number; id: number; reread: () => AsyncGenerator<ImportEvent> }[] = [];
  let parsedAny = false;

  const handle = async (ev: ImportEvent): Promise<void> => {
    switch (ev.type) {
      case 'record':
        if (!parsedAny) await replayDeferred();
        if (!announced.has(ev.file)) fingerprintValid = false;
        await addRecord(ev.record, ev.file);
        break;
      case 'file': {
        announced.add(ev.file);
        mark('file', ev.file, ev.size, Math.round(ev.mtime));
        const cached = recordFiles.replayable(ev.file, ev.size, ev.mtime);
        if (cached !== undefined && !parsedAny && ev.reread) {
          ev.reuse = true;
          deferred.push({ file: ev.file, size: ev.size, mtime: ev.mtime, id: cached, reread: ev.reread });
          break;
        }
        if (!parsedAny) await replayDeferred();
        const replayed = cached === undefined ? undefined : recordFiles.replay(cached, ev.file, ev.size, ev.mtime);
        if (replayed) {
          ev.reuse = true;
          countReplay(replayed);
        } else recordFiles.startParse(ev.file, ev.size, ev.mtime);
        break;
      }
      case 'media':
        mark('media', ev.media.absPath, ev.media.relPath, ev.media.size, Math.floor(ev.media.mtime), ev.media.mime, ev.media.takenAt, ev.media.place?.lat, ev.media.place?.lon);
        await addMedia(ev.media);
        break;
      case 'skipped':
        mark('skipped', ev.skipped.file, ev.skipped.line, ev.skipped.kind, ev.skipped.reason);
        recordFiles.taint(ev.skipped.file);
        skip(ev.skipped);
        break;
      case 'progress':
        source = { file: ev.file, read: ev.bytesRead, total: ev.bytesTotal };
        break;
    }
    if (ev.type !== 'file') progress('reading');
  };

  const replayDeferred = async (): Promise<void> => {
    parsedAny = true;
    for (const d of deferred.splice(0)) {
      const replayed = recordFiles.replay(d.id, d.file, d.size, d.mtime);
      if (replayed) {
        countReplay(replayed);
        continue;
      }
      // Replaying here would not give what parsing gives (a record it merged is no longer before it): parse.
      recordFiles.startParse(d.file, d.size, d.mtime);
      try {
        for await (const ev of d.reread()) {
          if (opts.signal?.aborted) throw cancelled();
          if (ev.type !== 'file') await handle(ev);
        }
      } catch (error) {
        if (opts.signal?.aborted || error instanceof LifelineError || (error as Error).name === 'AbortError') throw error;
        const code = (error as NodeJS.ErrnoException).code;
        await handle({ type: 'skipped', skipped: { file: d.file, reason: `the file could not be read: ${code === 'ENOENT' ? 'it disappeared while it was read' : (error as Error).message}` } });
      }
    }
  };

  /** The device's last snapshot, when this run was given exactly its sources and nothing was removed since. */
  const reusableParent = (): SnapshotObject | undefined => {
    if (parsedAny || !fingerprintValid || storedBytes > 0 || builder.count > 0 || pending.size > 0) return undefined;
    const row = db
      .prepare(
        `SELECT s.object, f.fingerprint, f.epoch FROM snapshots s JOIN run_fingerprints f ON f.snapshot = s.id
         WHERE s.device = ? ORDER BY s.time DESC LIMIT 1`,
      )
      .get(device) as { object: string; fingerprint: Buffer; epoch: number } | undefined;
    if (!row || row.epoch !== recordFiles.currentEpoch() || !row.fingerprint.equals(runFingerprint)) return undefined;
    const parent = JSON.parse(row.object) as SnapshotObject;
    return core.hasPiece(Buffer.from(parent.root, 'hex')) ? parent : undefined;
  };
  let runFingerprint = Buffer.alloc(0);

  try {
    beginIfNeeded();
    for await (const ev of opts.events) {
      if (opts.signal?.aborted) throw cancelled();
      await handle(ev);
    }
    if (opts.signal?.aborted) throw cancelled();
    progress('finishing', true);
    runFingerprint = fingerprint.digest();
    const parentRow = db.prepare('SELECT id FROM snapshots WHERE device = ? ORDER BY time DESC LIMIT 1').get(device) as { id: string } | undefined;
    const same = reusableParent();
    let root: string;
    let dig: string;
    if (same) {
      // Same sources, same content: the parent's tree, counts and digest; nothing new.
      root = same.root;
      dig = same.digest;
      for (const kind of Object.keys(kinds)) delete kinds[kind];
      for (const [kind, k] of Object.entries(same.stats.kinds)) kinds[kind] = { items: k.items, bytes: k.bytes, newItems: 0, newBytes: 0 };
      duplicates = same.stats.duplicates;
      commit();
    } else {
      await replayDeferred();
      await flushBundles();
      root = await buildTree();
      await flushBundles();
      await flush();
      await settle();
      commit();
      dig = digest();
    }
    let id = crypto.randomBytes(8).toString('hex');
    while (fs.existsSync(`${core.dir}/snapshots/${id}`)) id = crypto.randomBytes(8).toString('hex');
    const obj: SnapshotObject = {
      v: 1,
      id,
      device,
      time: started,
      committedAt: core.clock.now(),
      hostname: os.hostname(),
      program: PROGRAM,
      ...(parentRow ? { parent: parentRow.id } : {}),
      root,
      stats: { kinds, storedBytes, duplicates, skippedCount, skipped },
      digest: dig,
    };
    await core.writeSnapshot(obj);
    db.prepare('INSERT OR REPLACE INTO snapshots (id, device, time, root, object) VALUES (?, ?, ?, ?, ?)').run(
      obj.id,
      obj.device,
      obj.time,
      Buffer.from(obj.root, 'hex'),
      JSON.stringify(obj),
    );
    recordFiles.commit();
    // Everything this snapshot needs is stored now: removals from here on move the epoch.
    const epoch = recordFiles.settleEpoch();
    if (fingerprintValid) db.prepare('INSERT OR REPLACE INTO run_fingerprints (snapshot, fingerprint, epoch) VALUES (?, ?, ?)').run(obj.id, runFingerprint, epoch);
    // A random share of what was just written is read back and checked (damage found is marked, so the next
    // backup stores those pieces again); the snapshot is committed either way and the receipt says what was found.
    progress('checking', true);
    const readBack = await readBackSample(core, packsWritten, undefined, opts.signal);
    progress('done', true);
    return { ...receiptFromSnapshot(core.config.storeId, obj), readBack };
  } catch (error) {
    // Keep what is already packed so the next run does not redo it; a failed write here just loses the tail.
    if (db.inTransaction) db.exec('COMMIT');
    // An importer that notices the signal first throws its own AbortError; it is the same cancellation.
    const translated = opts.signal?.aborted && !(error instanceof LifelineError) ? cancelled() : translateFsError(error, core.dir);
    if (!(translated instanceof LifelineError && translated.code === 'storage_full')) {
      await flushBundles()
        .then(flush)
        .catch(() => undefined);
    }
    // Never return while a pack is still being written (the caller releases the lock next).
    await settle().catch(() => undefined);
    if (db.inTransaction) db.exec('COMMIT');
    throw translated;
  } finally {
    builder.discard();
    recordFiles.discard();
    db.exec('DROP INDEX IF EXISTS temp.run_entries_leaf; DELETE FROM run_entries; DELETE FROM run_identity;');
  }
}
