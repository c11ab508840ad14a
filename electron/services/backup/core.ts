import type { Database, Statement } from 'better-sqlite3';
import crypto, { type webcrypto } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { LifelineError } from '../../../contract';
import type { Clock } from '../clock';
import { Chunker } from './chunker';
import { AuthError, hmac, open, seal, type StoreKeys } from './crypto';
import { fsyncDir, TMP_PREFIX, translateFsError, writeFileDurable, type BeforeWriteHook } from './fs-util';
import { Compression, PackBuilder, PieceType, readPackToc, readPackTocRaw, unsealPiece, type TocEntry } from './pack';
import { PackDirectories, type PieceLocation } from './pack-directory';
import { type CatalogFields } from './records';
import { PACK_ID_PATTERN, SNAPSHOT_ID_PATTERN, paths, type SnapshotObject, type StoreConfig } from './layout';

export interface StoreHooks {
  /** Called before each durable file write (packs, snapshots); tests throw ENOSPC here. */
  beforeWrite?: BeforeWriteHook;
  /** Tests only: write as format 1 did (no bundles, 50-byte TOC entries), to make stores like old versions made. */
  writeFormat?: 1;
}

export type { PieceLocation } from './pack-directory';

/** Pieces located per query by `locateMany`. */
const LOCATE_BATCH = 64;

/**
 * Pack directory entries a restore keeps at most (about 58 bytes each, so about 58 MB; a store of 500,000
 * messages, 100,000 calls and 50,000 contacts has about 910,000 pieces in its record packs).
 */
const DIRECTORY_ENTRIES = 1_000_000;

/** Decrypted bundles kept for the next reads: restore and browse read a leaf's records one after another. */
const BUNDLE_CACHE_ENTRIES = 32;

const SNAPSHOT_AAD = 'lifeline-backup snapshot v1 ';

/**
 * The pieces every store operation shares: keys, piece addressing, pack and snapshot I/O, and catalog rows.
 * Not part of the public API; BackupStore wraps it.
 */
export class StoreCore {
  readonly chunker: Chunker;
  private readonly fds = new Map<string, number>();
  private readonly bundles = new Map<string, Buffer>();
  private readonly locateStmts = new Map<number, Statement>();
  private readonly stmts: {
    hasPiece: Statement;
    locate: Statement;
    insertPack: Statement;
    insertPiece: Statement;
    itemByKey: Statement;
    insertItem: Statement;
    insertFts: Statement;
    insertItemPiece: Statement;
  };

  constructor(
    readonly dir: string,
    readonly config: StoreConfig,
    readonly keys: StoreKeys,
    readonly db: Database,
    readonly clock: Clock,
    readonly hooks: StoreHooks,
  ) {
    this.chunker = new Chunker(keys.chunker, config.chunker);
    this.stmts = {
      hasPiece: db.prepare(
        'SELECT 1 FROM pieces p JOIN packs k ON k.id = p.pack WHERE p.id = ? AND k.missing = 0 AND p.damaged = 0 LIMIT 1',
      ),
      locate: db.prepare(
        `SELECT p.pack, p.type, p.compression, p.offset, p.length, p.raw_length, p.bundle, p.bundle_at FROM pieces p JOIN packs k ON k.id = p.pack
         WHERE p.id = ? AND k.missing = 0 ORDER BY p.damaged, p.pack LIMIT 1`,
      ),
      insertPack: db.prepare('INSERT INTO packs (id, size, pieces, missing) VALUES (?, ?, ?, 0) ON CONFLICT (id) DO UPDATE SET missing = 0'),
      insertPiece: db.prepare(
        'INSERT OR IGNORE INTO pieces (id, pack, type, compression, offset, length, raw_length, bundle, bundle_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      itemByKey: db.prepare('SELECT id FROM items WHERE key = ?'),
      insertItem: db.prepare(
        `INSERT INTO items (key, kind, identity, name, address, thread, date, size, rel_path, mime, preview)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
      ),
      insertFts: db.prepare('INSERT INTO items_fts (rowid, text) VALUES (?, ?)'),
      insertItemPiece: db.prepare('INSERT OR IGNORE INTO item_pieces (item, piece) VALUES (?, ?)'),
    };
  }

  close(): void {
    for (const fd of this.fds.values()) fs.closeSync(fd);
    this.fds.clear();
    if (this.db.open) this.db.close();
  }

  /**
   * Pack directories (see PackDirectories) while a restore runs: the tables of contents of the packs it found
   * pieces in. Packs that cannot have one (format 1, or marked as holding damaged or missing pieces in the
   * index, where the index's choice of copy matters) are in `noDirectory`; when the table is full, the index
   * answers for packs not in it.
   */
  private dirs: PackDirectories | undefined;
  private noDirectory: Set<string> | undefined;
  private dirsFull = false;
  /** Packs the index marks missing or holding damaged pieces, read once per restore. */
  private unusablePacks: Set<string> | undefined;

  /** Starts answering `locate` from pack directories too; `closeDirectories` ends it. */
  openDirectories(): void {
    if (this.dirs) return;
    this.dirs = new PackDirectories(DIRECTORY_ENTRIES);
    this.noDirectory = new Set();
    this.dirsFull = false;
  }

  closeDirectories(): void {
    this.dirs = undefined;
    this.noDirectory = undefined;
    this.unusablePacks = undefined;
  }

  private fromDirectories(id: Buffer): PieceLocation | undefined {
    return this.dirs?.find(id);
  }

  /** Loads the directory of a pack the index just named, so its other pieces are found without the index. */
  private learnPack(pack: string): void {
    const dirs = this.dirs;
    if (!dirs || this.dirsFull || dirs.has(pack) || this.noDirectory?.has(pack)) return;
    this.unusablePacks ??= new Set(
      this.db.prepare('SELECT id FROM packs WHERE missing <> 0 UNION SELECT DISTINCT pack FROM pieces WHERE damaged <> 0').pluck().all() as string[],
    );
    let toc: Buffer | undefined;
    if (!this.unusablePacks.has(pack)) {
      try {
        toc = readPackTocRaw(paths.pack(this.dir, pack), this.keys.enc);
      } catch {
        toc = undefined; // an unreadable TOC: the index answers for this pack, and reading reports the damage
      }
    }
    if (!toc) this.noDirectory?.add(pack);
    else if (!dirs.add(pack, toc)) this.dirsFull = true;
  }

  /** A piece's content address: keyed, so ids reveal nothing about content to someone without the key. */
  pieceId(type: PieceType, data: Uint8Array): Buffer {
    return hmac(this.keys.id, Buffer.from([type]), data);
  }

  private webIdKey: Promise<webcrypto.CryptoKey> | undefined;

  /**
   * The same id as `pieceId`, computed on the thread pool (WebCrypto), so the main thread can chunk the next
   * part of a file meanwhile. For big pieces (media chunks); small ones are cheaper to hash in place.
   */
  async pieceIdAsync(type: PieceType, data: Uint8Array): Promise<Buffer> {
    this.webIdKey ??= crypto.subtle.importKey('raw', this.keys.id, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const input = Buffer.allocUnsafe(data.length + 1);
    input[0] = type;
    input.set(data, 1);
    return Buffer.from(await crypto.subtle.sign('HMAC', await this.webIdKey, input));
  }

  identity(text: string): Buffer {
    return hmac(this.keys.identity, text);
  }

  hasPiece(id: Buffer): boolean {
    return this.stmts.hasPiece.get(id) !== undefined;
  }

  locate(id: Buffer): PieceLocation | undefined {
    // Single lookups (a media chunk, a bundle) do not load directories: only leaves, read many at a time, do.
    return this.fromDirectories(id) ?? (this.stmts.locate.get(id) as PieceLocation | undefined);
  }

  /**
   * Locations of many pieces in one query (a restore asks per leaf, not per record); the same choice of copy
   * as `locate`: an undamaged one first, then the lowest pack id. Pieces with no usable copy are left out.
   */
  locateMany(idsHex: readonly string[]): Map<string, PieceLocation> {
    const out = new Map<string, PieceLocation>();
    // Ids the pack directories (during a restore) do not know go to the index in batches; the packs a batch
    // names are learnt, so the ids after it are usually found without the index.
    const batch: Buffer[] = [];
    const ask = (): void => {
      const rows = this.locateStmt(batch.length).all(...batch) as (PieceLocation & { id: Buffer })[];
      batch.length = 0;
      for (const r of rows) {
        const hex = r.id.toString('hex');
        if (!out.has(hex)) out.set(hex, r);
        if (this.dirs) this.learnPack(r.pack);
      }
    };
    for (const hex of idsHex) {
      const id = Buffer.from(hex, 'hex');
      const known = this.fromDirectories(id);
      if (known) out.set(hex, known);
      else if (batch.push(id) === LOCATE_BATCH) ask();
    }
    if (batch.length > 0) ask();
    return out;
  }

  /** One prepared statement per batch size (a fixed IN list binds faster than a JSON array to unpack). */
  private locateStmt(n: number): Statement {
    let st = this.locateStmts.get(n);
    if (!st) {
      st = this.db.prepare(
        `SELECT p.id, p.pack, p.type, p.compression, p.offset, p.length, p.raw_length, p.bundle, p.bundle_at
         FROM pieces p JOIN packs k ON k.id = p.pack
         WHERE p.id IN (${new Array(n).fill('?').join(',')}) AND k.missing = 0 ORDER BY p.id, p.damaged, p.pack`,
      );
      this.locateStmts.set(n, st);
    }
    return st;
  }

  private fd(pack: string): number {
    let fd = this.fds.get(pack);
    if (fd === undefined) {
      if (this.fds.size > 64) this.dropFds();
      fd = fs.openSync(paths.pack(this.dir, pack), 'r');
      this.fds.set(pack, fd);
    }
    return fd;
  }

  dropFds(): void {
    for (const fd of this.fds.values()) fs.closeSync(fd);
    this.fds.clear();
    this.bundles.clear();
  }

  /** The pack format new packs are written in. */
  get packFormat(): 1 | 2 {
    return this.hooks.writeFormat === 1 ? 1 : 2;
  }

  /** A builder that spills to a temp file in the packs folder as it grows (a crash leaves a `.tmp-` file there). */
  newPackBuilder(): PackBuilder {
    const file = path.join(paths.packsDir(this.dir), `${TMP_PREFIX}${crypto.randomBytes(6).toString('hex')}`);
    return new PackBuilder(this.keys.enc, this.packFormat, { file, ...(this.hooks.beforeWrite ? { beforeWrite: this.hooks.beforeWrite } : {}) });
  }

  /**
   * Before the first format 2 pack goes into a store made by an older Lifeline, its config says so, so that
   * the older Lifeline refuses the store with a clear message instead of failing on a pack it cannot read.
   */
  async upgradeFormat(): Promise<void> {
    if (this.config.version >= this.packFormat) return;
    const updated: StoreConfig = { ...this.config, version: this.packFormat };
    await writeFileDurable(paths.config(this.dir), Buffer.from(JSON.stringify(updated, null, 2) + '\n'), this.hooks.beforeWrite);
    this.config.version = updated.version;
  }

  /** A bundle's plaintext, decrypted once for many reads. The bundle's own id check is left to its members' ids. */
  private bundlePlain(loc: PieceLocation): Buffer {
    const bundleId = loc.bundle as Buffer;
    const key = bundleId.toString('hex');
    const hit = this.bundles.get(key);
    if (hit) {
      this.bundles.delete(key);
      this.bundles.set(key, hit);
      return hit;
    }
    const bloc = this.locate(bundleId);
    if (!bloc) throw new AuthError('The bundle holding the piece is not in the index.');
    const sealed = Buffer.alloc(bloc.length);
    const n = fs.readSync(this.fd(bloc.pack), sealed, 0, bloc.length, bloc.offset);
    if (n !== bloc.length) throw new AuthError('The pack is shorter than its table of contents says.');
    const plain = unsealPiece(this.keys.enc, bundleId, sealed, bloc.compression, bloc.raw_length);
    if (this.bundles.size >= BUNDLE_CACHE_ENTRIES) {
      const oldest = this.bundles.keys().next().value;
      if (oldest !== undefined) this.bundles.delete(oldest);
    }
    this.bundles.set(key, plain);
    return plain;
  }

  /** Reads, decrypts and checks one piece. Throws LifelineError('corrupt_data') naming the pack when it cannot. */
  readPiece(id: Buffer, located?: PieceLocation): Buffer {
    const loc = located ?? this.locate(id);
    if (!loc) {
      throw new LifelineError('corrupt_data', `Piece ${id.toString('hex').slice(0, 16)} is missing from the store (its pack is gone). Run "verify" to see what is affected.`, {
        piece: id.toString('hex'),
      });
    }
    try {
      let plain: Buffer;
      if (loc.compression === Compression.bundled) {
        if (!loc.bundle) throw new AuthError('The piece is marked as bundled but names no bundle.');
        const bundle = this.bundlePlain(loc);
        if (loc.bundle_at + loc.raw_length > bundle.length) throw new AuthError('The piece lies outside its bundle.');
        plain = bundle.subarray(loc.bundle_at, loc.bundle_at + loc.raw_length);
      } else {
        const sealed = Buffer.alloc(loc.length);
        const n = fs.readSync(this.fd(loc.pack), sealed, 0, loc.length, loc.offset);
        if (n !== loc.length) throw new AuthError('The pack is shorter than its table of contents says.');
        plain = unsealPiece(this.keys.enc, id, sealed, loc.compression, loc.raw_length);
      }
      if (!this.pieceId(loc.type as PieceType, plain).equals(id)) throw new AuthError('The piece does not match its id.');
      return plain;
    } catch (error) {
      if (error instanceof AuthError || (error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new LifelineError(
          'corrupt_data',
          `Piece ${id.toString('hex').slice(0, 16)} in pack ${loc.pack.slice(0, 16)} is damaged (${(error as Error).message}). Run "verify --read-data" to see what is affected.`,
          { piece: id.toString('hex'), pack: loc.pack },
        );
      }
      throw error;
    }
  }

  readJsonPiece<T>(idHex: string, located?: PieceLocation): T {
    return JSON.parse(this.readPiece(Buffer.from(idHex, 'hex'), located).toString('utf8')) as T;
  }

  /** Writes a finished pack durably, then records its pieces in the index (the index follows the disk). */
  async writePack(builder: PackBuilder): Promise<{ id: string; size: number }> {
    try {
      const { id, parts, size, spilled } = builder.finish();
      const dest = paths.pack(this.dir, id);
      if (spilled === undefined) await writeFileDurable(dest, parts, this.hooks.beforeWrite);
      else {
        // Same durability as writeFileDurable: the data is synced before the rename, the folders after it.
        await builder.syncSpill();
        fs.mkdirSync(path.dirname(dest), { recursive: true, mode: 0o700 });
        fs.renameSync(spilled, dest);
        await fsyncDir(path.dirname(dest));
        await fsyncDir(paths.packsDir(this.dir));
      }
      // In id order, the index's own order: a pack's pieces land on neighbouring pages one after another instead
      // of each on a random page of a table that outgrew the page cache.
      this.indexPack(id, size, builder.count, builder.eachEntry('id'));
      return { id, size };
    } catch (error) {
      builder.discard();
      throw translateFsError(error, paths.packsDir(this.dir));
    }
  }

  indexPack(id: string, size: number, count: number, entries: Iterable<TocEntry>): void {
    const tx = this.db.transaction(() => {
      this.stmts.insertPack.run(id, size, count);
      for (const e of entries) this.stmts.insertPiece.run(e.id, id, e.type, e.compression, e.offset, e.length, e.rawLength, e.bundle ?? null, e.inner ?? 0);
    });
    tx();
  }

  listPackFiles(): string[] {
    const root = paths.packsDir(this.dir);
    const out: string[] = [];
    for (const sub of safeReaddir(root)) {
      if (!/^[0-9a-f]{2}$/.test(sub)) continue;
      for (const name of safeReaddir(path.join(root, sub))) if (PACK_ID_PATTERN.test(name) && name.startsWith(sub)) out.push(name);
    }
    return out.sort();
  }

  listSnapshotFiles(): string[] {
    return safeReaddir(paths.snapshotsDir(this.dir))
      .filter((n) => SNAPSHOT_ID_PATTERN.test(n))
      .sort();
  }

  /** Temp files are what a crash leaves behind; only the lock holder may remove them. */
  removeTempFiles(): number {
    let removed = 0;
    const dirs = [paths.snapshotsDir(this.dir), paths.packsDir(this.dir), ...safeReaddir(paths.packsDir(this.dir)).map((s) => path.join(paths.packsDir(this.dir), s))];
    for (const d of dirs) {
      for (const name of safeReaddir(d)) {
        if (name.startsWith(TMP_PREFIX)) {
          fs.rmSync(path.join(d, name), { force: true });
          removed++;
        }
      }
    }
    return removed;
  }

  async writeSnapshot(obj: SnapshotObject): Promise<void> {
    const sealed = seal(this.keys.enc, Buffer.from(JSON.stringify(obj)), Buffer.from(SNAPSHOT_AAD + obj.id));
    await writeFileDurable(paths.snapshot(this.dir, obj.id), sealed, this.hooks.beforeWrite);
  }

  readSnapshot(id: string): SnapshotObject {
    const file = paths.snapshot(this.dir, id);
    let sealed: Buffer;
    try {
      sealed = fs.readFileSync(file);
    } catch {
      throw new LifelineError('not_found', `Snapshot ${id} does not exist in this store. "snapshots" lists the ones there are.`);
    }
    try {
      const obj = JSON.parse(open(this.keys.enc, sealed, Buffer.from(SNAPSHOT_AAD + id)).toString('utf8')) as SnapshotObject;
      if (obj.v !== 1) throw new LifelineError('unsupported_version', `Snapshot ${id} has format ${String(obj.v)}, newer than this Lifeline. Update Lifeline.`);
      return obj;
    } catch (error) {
      if (error instanceof AuthError || error instanceof SyntaxError) {
        throw new LifelineError('corrupt_data', `The snapshot file ${file} is damaged and cannot be read.`, { snapshot: id });
      }
      throw error;
    }
  }

  async readPackTocFile(id: string): Promise<{ entries: TocEntry[]; size: number }> {
    return readPackToc(paths.pack(this.dir, id), this.keys.enc);
  }

  /**
   * Adds a catalog row for an item unless one with that key exists; returns the item's row id. A record's key
   * is its own piece, so `item_pieces` lists only the other pieces it needs (attachment and photo chunks); a
   * media item's key is not a piece, so all its chunks are listed. Readers of `item_pieces` add the keys of
   * non-media items (older catalogs list those keys too, which changes nothing).
   */
  ensureItem(key: Buffer, identity: Buffer, fields: CatalogFields, pieces: readonly Buffer[]): number {
    const info = this.stmts.insertItem.run(
      key,
      fields.kind,
      identity,
      fields.name,
      fields.address,
      fields.thread,
      fields.date,
      fields.size,
      fields.relPath,
      fields.mime,
      fields.preview,
    );
    if (info.changes === 0) return (this.stmts.itemByKey.get(key) as { id: number }).id;
    const id = Number(info.lastInsertRowid);
    this.stmts.insertFts.run(id, fields.text);
    const own = fields.kind !== 'media';
    for (const p of pieces) if (!(own && p.equals(key))) this.stmts.insertItemPiece.run(id, p);
    return id;
  }
}

export function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
