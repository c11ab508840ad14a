import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { LifelineError } from '../../../contract';
import { systemClock, type Clock } from '../clock';
import { mediaFileCache, runBackup, receiptFromSnapshot, type BackupOptions, type BackupReceipt } from './backup-run';
import { catalogSnapshot, collectCatalogGarbage } from './catalog';
import { DEFAULT_CHUNKER_PARAMS, validateChunkerParams, type ChunkerParams } from './chunker';
import { StoreCore, type StoreHooks } from './core';
import { deriveKeys, newKdfParams, newMasterKey, unwrapMasterKey, wrapMasterKey, DEFAULT_KDF_LOG_N } from './crypto';
import { fsyncDir, writeFileDurable } from './fs-util';
import { SNAPSHOT_NODES_CTE, openIndex } from './index-db';
import type { ItemKind } from './import/types';
import type { KnownMedia } from './import/scan';
import { DEFAULT_PACK_SIZE, FORMAT_NAME, FORMAT_VERSION, paths, type SnapshotObject, type StoreConfig } from './layout';
import { StoreLock } from './lock';
import { applyRecordCacheMigrations, clearRecordCache } from './record-file-cache';
import { restoreItems, type RestoreItem, type RestoreSelection } from './restore';
import { forgetSnapshots, pruneStore, type ForgetResult, type ForgetRules, type PruneResult } from './retention';
import { verifyStore, type VerifyOptions, type VerifyReport } from './verify';

export interface StoreOptions {
  clock?: Clock;
  /** Where the catalog lives; default `<store>/index.sqlite`. It holds names and message text in the clear. */
  indexPath?: string;
  hooks?: StoreHooks;
}

export interface InitOptions extends StoreOptions {
  /** log2 of the scrypt cost; 17 unless a test needs it cheaper. */
  kdfLogN?: number;
  chunker?: ChunkerParams;
  packSize?: number;
}

export interface SnapshotInfo {
  id: string;
  device: string;
  time: number;
  hostname: string;
  parent?: string;
  items: number;
  bytes: number;
  kinds: Record<string, { items: number; bytes: number }>;
  digest: string;
}

export interface CatalogItem {
  kind: ItemKind;
  key: string;
  identity: string;
  name: string | null;
  address: string | null;
  thread: string | null;
  date: number | null;
  size: number;
  relPath: string | null;
  mime: string | null;
  preview: string | null;
}

/** A row of the `items` table as SQLite gives it. */
export interface CatalogRow {
  kind: ItemKind;
  key: Buffer;
  identity: Buffer;
  name: string | null;
  address: string | null;
  thread: string | null;
  date: number | null;
  size: number;
  rel_path: string | null;
  mime: string | null;
  preview: string | null;
}

export function toCatalogItem(r: CatalogRow): CatalogItem {
  return {
    kind: r.kind,
    key: r.key.toString('hex'),
    identity: r.identity.toString('hex'),
    name: r.name,
    address: r.address,
    thread: r.thread,
    date: r.date,
    size: r.size,
    relPath: r.rel_path,
    mime: r.mime,
    preview: r.preview,
  };
}

export interface LsOptions {
  kinds?: ItemKind[];
  /** Full-text search (FTS5 query syntax is escaped: words are matched as prefixes). */
  query?: string;
  thread?: string;
  from?: number;
  to?: number;
  limit?: number;
  offset?: number;
}

export interface ReconcileReport {
  tempFilesRemoved: number;
  packsAdded: number;
  packsMissing: number;
  packsUnreadable: string[];
  snapshotsAdded: number;
  snapshotsRemoved: number;
}

function readConfig(dir: string): StoreConfig {
  const file = paths.config(dir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new LifelineError('store_missing', `There is no backup store at ${dir}. Create one with "lifeline store init --store ${dir}", or check the path.`);
    }
    throw new LifelineError('unavailable', `The backup store config ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  let config: StoreConfig;
  try {
    config = JSON.parse(text) as StoreConfig;
  } catch {
    throw new LifelineError('corrupt_data', `The backup store config ${file} is damaged (not valid JSON).`);
  }
  if (config.format !== FORMAT_NAME) throw new LifelineError('corrupt_data', `${file} is not a Lifeline backup store config.`);
  if (typeof config.version !== 'number' || config.version > FORMAT_VERSION) {
    throw new LifelineError(
      'unsupported_version',
      `This backup store was written by a newer Lifeline (store format ${String(config.version)}; this version reads up to ${FORMAT_VERSION}). Update Lifeline to use it; nothing was changed.`,
    );
  }
  return config;
}

/** Tells pid-less listing code which snapshot a short reference means. */
function resolveRef(all: SnapshotInfo[], ref: string): SnapshotInfo {
  const r = ref.trim().toLowerCase();
  if (r === 'latest') {
    const last = all[all.length - 1];
    if (!last) throw new LifelineError('not_found', 'The store has no snapshots yet. Run a backup first.');
    return last;
  }
  const matches = all.filter((s) => s.id.startsWith(r));
  if (r.length < 4 || matches.length === 0) throw new LifelineError('not_found', `No snapshot matches "${ref}". "snapshots" lists them (an id or a unique prefix of at least 4 characters).`);
  if (matches.length > 1) throw new LifelineError('conflict', `"${ref}" matches ${matches.length} snapshots; give more characters of the id.`);
  return matches[0] as SnapshotInfo;
}

function toInfo(obj: SnapshotObject): SnapshotInfo {
  let items = 0;
  let bytes = 0;
  const kinds: SnapshotInfo['kinds'] = {};
  for (const [k, s] of Object.entries(obj.stats.kinds)) {
    items += s.items;
    bytes += s.bytes;
    kinds[k] = { items: s.items, bytes: s.bytes };
  }
  return {
    id: obj.id,
    device: obj.device,
    time: obj.time,
    hostname: obj.hostname,
    ...(obj.parent ? { parent: obj.parent } : {}),
    items,
    bytes,
    kinds,
    digest: obj.digest,
  };
}

/**
 * An open, unlocked backup store. Reads may run beside one writer; every operation that changes the store
 * takes the store's writer lock for its duration.
 */
export class BackupStore {
  private lockDepth = 0;
  private lock: StoreLock | undefined;

  private constructor(private readonly core: StoreCore, private readonly meta: { indexPath: string }) {}

  get dir(): string {
    return this.core.dir;
  }

  get storeId(): string {
    return this.core.config.storeId;
  }

  get config(): Readonly<StoreConfig> {
    return this.core.config;
  }

  /** Creates a new store in an empty (or missing) folder. */
  static async init(dir: string, passphrase: string, opts: InitOptions = {}): Promise<BackupStore> {
    if (passphrase.length < 8) throw new LifelineError('weak_password', 'Choose a passphrase of at least 8 characters; it is the only way to open the backups.');
    const abs = path.resolve(dir);
    if (fs.existsSync(paths.config(abs))) throw new LifelineError('conflict', `There is already a backup store at ${abs}. Open it instead, or choose another folder.`);
    const existing = fs.existsSync(abs) ? fs.readdirSync(abs) : [];
    if (existing.length > 0) throw new LifelineError('not_empty', `The folder ${abs} is not empty. Choose an empty or new folder for the backup store.`);
    const chunker = opts.chunker ?? DEFAULT_CHUNKER_PARAMS;
    validateChunkerParams(chunker);
    const packSize = opts.packSize ?? DEFAULT_PACK_SIZE;
    if (!Number.isInteger(packSize) || packSize < 4096) throw new RangeError('packSize must be at least 4096 bytes.');
    const storeId = crypto.randomBytes(16).toString('hex');
    const kdf = newKdfParams(opts.kdfLogN ?? DEFAULT_KDF_LOG_N);
    const master = newMasterKey();
    const config: StoreConfig = {
      format: FORMAT_NAME,
      version: opts.hooks?.writeFormat ?? FORMAT_VERSION,
      storeId,
      createdAt: new Date((opts.clock ?? systemClock).now()).toISOString(),
      kdf,
      wrappedKey: wrapMasterKey(master, passphrase, kdf, storeId),
      chunker,
      packSize,
    };
    for (const d of [abs, paths.packsDir(abs), paths.snapshotsDir(abs), paths.locks(abs)]) fs.mkdirSync(d, { recursive: true, mode: 0o700 });
    // The config is written last: a folder without it is not a store, so a crash here leaves nothing half-made.
    await writeFileDurable(paths.config(abs), Buffer.from(JSON.stringify(config, null, 2) + '\n'), opts.hooks?.beforeWrite);
    await fsyncDir(path.dirname(abs));
    return BackupStore.open(abs, passphrase, opts);
  }

  /**
   * Opens a store. The passphrase is checked before anything is written. If no other process is writing,
   * leftovers of a crash are cleaned up and the index is reconciled with the packs and snapshots on disk.
   */
  static async open(dir: string, passphrase: string, opts: StoreOptions = {}): Promise<BackupStore> {
    const abs = path.resolve(dir);
    const config = readConfig(abs);
    const master = unwrapMasterKey(config.wrappedKey, passphrase, config.kdf, config.storeId);
    const keys = deriveKeys(master, config.storeId);
    const clock = opts.clock ?? systemClock;
    const indexPath = opts.indexPath ?? paths.index(abs);
    let db;
    try {
      db = openIndex(indexPath, () => clock.now());
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (error instanceof LifelineError || !(code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB'))) throw error;
      // A damaged index is only derived data: drop it; reconcile below rebuilds it from the packs.
      for (const suffix of ['', '-wal', '-shm']) fs.rmSync(indexPath + suffix, { force: true });
      db = openIndex(indexPath, () => clock.now());
    }
    try {
      applyRecordCacheMigrations(db, () => clock.now());
    } catch (error) {
      db.close();
      throw error;
    }
    const store = new BackupStore(new StoreCore(abs, config, keys, db, clock, opts.hooks ?? {}), { indexPath });
    let lock: StoreLock | undefined;
    try {
      lock = StoreLock.acquire(paths.locks(abs), 'opening');
    } catch (error) {
      if (!(error instanceof LifelineError && error.code === 'store_locked')) {
        store.close();
        throw error;
      }
    }
    if (lock) {
      try {
        await store.reconcileLocked();
      } catch (error) {
        store.close();
        throw error;
      } finally {
        lock.release();
      }
    }
    return store;
  }

  close(): void {
    this.core.close();
  }

  /** Runs `fn` holding the writer lock (re-entrant within this object). */
  private async withLock<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    if (this.lockDepth === 0) this.lock = StoreLock.acquire(paths.locks(this.core.dir), operation);
    this.lockDepth++;
    try {
      return await fn();
    } finally {
      this.lockDepth--;
      if (this.lockDepth === 0) {
        this.lock?.release();
        this.lock = undefined;
      }
    }
  }

  /** Brings the index in line with the files: packs and snapshots it does not know, ones that vanished. */
  async reconcile(): Promise<ReconcileReport> {
    return this.withLock('reconciling the index', () => this.reconcileLocked());
  }

  private async reconcileLocked(): Promise<ReconcileReport> {
    const core = this.core;
    const db = core.db;
    const report: ReconcileReport = { tempFilesRemoved: core.removeTempFiles(), packsAdded: 0, packsMissing: 0, packsUnreadable: [], snapshotsAdded: 0, snapshotsRemoved: 0 };
    const onDisk = new Set(core.listPackFiles());
    const known = new Map((db.prepare('SELECT id, missing FROM packs').all() as { id: string; missing: number }[]).map((r) => [r.id, r.missing]));
    for (const id of onDisk) {
      const missing = known.get(id);
      if (missing === 0) continue;
      if (missing === 1) {
        db.prepare('UPDATE packs SET missing = 0 WHERE id = ?').run(id);
        continue;
      }
      try {
        const { entries, size } = await core.readPackTocFile(id);
        core.indexPack(id, size, entries.length, entries);
        report.packsAdded++;
      } catch {
        report.packsUnreadable.push(id);
      }
    }
    for (const [id, missing] of known) {
      if (!onDisk.has(id) && missing === 0) {
        db.prepare('UPDATE packs SET missing = 1 WHERE id = ?').run(id);
        report.packsMissing++;
      }
    }
    core.dropFds();
    const snapFiles = new Set(core.listSnapshotFiles());
    const snapRows = db.prepare('SELECT id FROM snapshots').pluck().all() as string[];
    for (const id of snapRows) {
      if (!snapFiles.has(id)) {
        db.prepare('DELETE FROM snapshots WHERE id = ?').run(id);
        report.snapshotsRemoved++;
      }
    }
    const rowSet = new Set(snapRows);
    for (const id of snapFiles) {
      if (rowSet.has(id)) continue;
      try {
        catalogSnapshot(core, core.readSnapshot(id));
        report.snapshotsAdded++;
      } catch {
        // Left out of the catalog; verify reports the snapshot as damaged.
      }
    }
    if (report.snapshotsRemoved > 0) collectCatalogGarbage(core);
    return report;
  }

  async backup(opts: BackupOptions): Promise<BackupReceipt> {
    return this.withLock(`backup of ${opts.device}`, () => runBackup(this.core, opts));
  }

  /**
   * For the scanner (ScanOptions.knownMedia): what this device's last backups read from a photo or video that
   * still has the same size and mtime, from the file cache.
   */
  knownMedia(device: string): (absPath: string, size: number, mtime: number) => KnownMedia | undefined {
    const cached = mediaFileCache(this.core.db, device);
    return (absPath, size, mtime) => {
      const entry = cached(absPath, size, mtime);
      if (!entry) return undefined;
      return { mime: entry.mime, ...(entry.takenAt !== undefined ? { takenAt: entry.takenAt } : {}), ...(entry.place ? { place: entry.place } : {}) };
    };
  }

  snapshots(device?: string): SnapshotInfo[] {
    const rows = this.core.db.prepare('SELECT object FROM snapshots ORDER BY time, id').pluck().all() as string[];
    return rows.map((r) => toInfo(JSON.parse(r) as SnapshotObject)).filter((s) => device === undefined || s.device === device);
  }

  snapshot(ref: string): SnapshotInfo {
    return resolveRef(this.snapshots(), ref);
  }

  receipt(ref: string): BackupReceipt {
    const info = this.snapshot(ref);
    return receiptFromSnapshot(this.storeId, this.core.readSnapshot(info.id));
  }

  /** Items of one snapshot from the catalog, for listing and search. */
  ls(ref: string, opts: LsOptions = {}): CatalogItem[] {
    const snap = this.snapshot(ref);
    const where: string[] = [];
    const params: unknown[] = [snap.id];
    if (opts.kinds && opts.kinds.length > 0) {
      where.push(`i.kind IN (${opts.kinds.map(() => '?').join(', ')})`);
      params.push(...opts.kinds);
    }
    if (opts.thread !== undefined) {
      where.push('i.thread = ?');
      params.push(opts.thread);
    }
    if (opts.from !== undefined) {
      where.push('i.date >= ?');
      params.push(opts.from);
    }
    if (opts.to !== undefined) {
      where.push('i.date < ?');
      params.push(opts.to);
    }
    if (opts.query && opts.query.trim()) {
      where.push('i.id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)');
      params.push(ftsQuery(opts.query));
    }
    const limit = Math.max(1, Math.min(opts.limit ?? 1_000_000, 1_000_000));
    params.push(limit, Math.max(0, opts.offset ?? 0));
    const sql = `${SNAPSHOT_NODES_CTE}
      SELECT DISTINCT i.kind, i.key, i.identity, i.name, i.address, i.thread, i.date, i.size, i.rel_path, i.mime, i.preview
      FROM t JOIN node_items ni ON ni.node = t.node JOIN items i ON i.id = ni.item
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY i.kind, i.date, i.rel_path, i.key LIMIT ? OFFSET ?`;
    return (this.core.db.prepare(sql).all(...params) as CatalogRow[]).map(toCatalogItem);
  }

  /** Records and media of a snapshot, read from the packs (not the catalog), for restore writers. */
  restoreItems(ref: string, selection: RestoreSelection = {}): AsyncGenerator<RestoreItem> {
    const snap = this.snapshot(ref);
    return restoreItems(this.core, this.core.readSnapshot(snap.id), selection);
  }

  async verify(opts: VerifyOptions = {}): Promise<VerifyReport> {
    let lock: StoreLock | undefined;
    if (this.lockDepth === 0) {
      try {
        lock = StoreLock.acquire(paths.locks(this.core.dir), 'verify');
      } catch (error) {
        if (!(error instanceof LifelineError && error.code === 'store_locked')) throw error;
      }
    }
    try {
      if (lock) await this.reconcileLocked();
      return await verifyStore(this.core, { ...opts, canWrite: lock !== undefined || this.lockDepth > 0 });
    } finally {
      lock?.release();
    }
  }

  async forget(rules: ForgetRules, opts: { prune?: boolean; dryRun?: boolean; device?: string } = {}): Promise<ForgetResult & { prune?: PruneResult }> {
    return this.withLock('forget', async () => {
      await this.reconcileLocked();
      const result = await forgetSnapshots(this.core, rules, opts);
      if (opts.prune && !opts.dryRun) return { ...result, prune: await pruneStore(this.core, {}) };
      return result;
    });
  }

  async prune(opts: { maxUnusedPercent?: number; dryRun?: boolean } = {}): Promise<PruneResult> {
    return this.withLock('prune', async () => {
      await this.reconcileLocked();
      return pruneStore(this.core, opts);
    });
  }

  /** Recreates the index from packs and snapshots alone (the file cache starts empty). */
  async rebuildIndex(): Promise<ReconcileReport> {
    return this.withLock('rebuilding the index', async () => {
      const db = this.core.db;
      db.transaction(() => {
        db.exec(`DELETE FROM node_items; DELETE FROM node_children; DELETE FROM nodes; DELETE FROM item_pieces;
          DELETE FROM items_fts; DELETE FROM items; DELETE FROM snapshots; DELETE FROM pieces; DELETE FROM packs; DELETE FROM file_cache;`);
        clearRecordCache(db);
      })();
      db.exec('VACUUM');
      return this.reconcileLocked();
    });
  }

  /**
   * Rewraps the master key under a new passphrase; packs and snapshots stay as they are. Without an explicit
   * cost the store keeps its own, raised to the default when it was lower (a store made with a cheaper one).
   */
  async changePassphrase(current: string, next: string, kdfLogN?: number): Promise<void> {
    if (next.length < 8) throw new LifelineError('weak_password', 'Choose a passphrase of at least 8 characters.');
    await this.withLock('changing the passphrase', async () => {
      const config = readConfig(this.core.dir);
      const master = unwrapMasterKey(config.wrappedKey, current, config.kdf, config.storeId);
      const kdf = newKdfParams(kdfLogN ?? Math.max(config.kdf.logN, DEFAULT_KDF_LOG_N));
      const updated: StoreConfig = { ...config, kdf, wrappedKey: wrapMasterKey(master, next, kdf, config.storeId) };
      await writeFileDurable(paths.config(this.core.dir), Buffer.from(JSON.stringify(updated, null, 2) + '\n'), this.core.hooks.beforeWrite);
    });
  }

  /** For tests and tools that need the raw pieces (e.g. the catalog comparison after a rebuild). */
  get internals(): StoreCore {
    return this.core;
  }

  get indexPath(): string {
    return this.meta.indexPath;
  }
}

/** Words become prefix terms; FTS5 operators in the input are neutralised by quoting. */
export function ftsQuery(input: string): string {
  return input
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 20)
    .map((w) => `"${w.replace(/"/g, '""')}"*`)
    .join(' ');
}

