import type { Database, Statement } from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { LifelineError } from '../../../contract';
import type { Clock } from '../clock';
import { Chunker } from './chunker';
import { AuthError, hmac, open, seal, type StoreKeys } from './crypto';
import { TMP_PREFIX, writeFileDurable, type BeforeWriteHook } from './fs-util';
import { PackBuilder, PieceType, readPackToc, unsealPiece, type TocEntry } from './pack';
import { type CatalogFields } from './records';
import { PACK_ID_PATTERN, SNAPSHOT_ID_PATTERN, paths, type SnapshotObject, type StoreConfig } from './layout';

export interface StoreHooks {
  /** Called before each durable file write (packs, snapshots); tests throw ENOSPC here. */
  beforeWrite?: BeforeWriteHook;
}

export interface PieceLocation {
  pack: string;
  type: number;
  compression: number;
  offset: number;
  length: number;
  raw_length: number;
}

const SNAPSHOT_AAD = 'lifeline-backup snapshot v1 ';

/**
 * The pieces every store operation shares: keys, piece addressing, pack and snapshot I/O, and catalog rows.
 * Not part of the public API; BackupStore wraps it.
 */
export class StoreCore {
  readonly chunker: Chunker;
  private readonly fds = new Map<string, number>();
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
        `SELECT p.pack, p.type, p.compression, p.offset, p.length, p.raw_length FROM pieces p JOIN packs k ON k.id = p.pack
         WHERE p.id = ? AND k.missing = 0 ORDER BY p.damaged, p.pack LIMIT 1`,
      ),
      insertPack: db.prepare('INSERT INTO packs (id, size, pieces, missing) VALUES (?, ?, ?, 0) ON CONFLICT (id) DO UPDATE SET missing = 0'),
      insertPiece: db.prepare(
        'INSERT OR IGNORE INTO pieces (id, pack, type, compression, offset, length, raw_length) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      itemByKey: db.prepare('SELECT id FROM items WHERE key = ?'),
      insertItem: db.prepare(
        `INSERT INTO items (key, kind, identity, name, address, thread, date, size, rel_path, mime, preview)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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

  /** A piece's content address: keyed, so ids reveal nothing about content to someone without the key. */
  pieceId(type: PieceType, data: Uint8Array): Buffer {
    return hmac(this.keys.id, Buffer.from([type]), data);
  }

  identity(text: string): Buffer {
    return hmac(this.keys.identity, text);
  }

  hasPiece(id: Buffer): boolean {
    return this.stmts.hasPiece.get(id) !== undefined;
  }

  locate(id: Buffer): PieceLocation | undefined {
    return this.stmts.locate.get(id) as PieceLocation | undefined;
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
  }

  /** Reads, decrypts and checks one piece. Throws LifelineError('corrupt_data') naming the pack when it cannot. */
  readPiece(id: Buffer): Buffer {
    const loc = this.locate(id);
    if (!loc) {
      throw new LifelineError('corrupt_data', `Piece ${id.toString('hex').slice(0, 16)} is missing from the store (its pack is gone). Run "verify" to see what is affected.`, {
        piece: id.toString('hex'),
      });
    }
    try {
      const sealed = Buffer.alloc(loc.length);
      const n = fs.readSync(this.fd(loc.pack), sealed, 0, loc.length, loc.offset);
      if (n !== loc.length) throw new AuthError('The pack is shorter than its table of contents says.');
      const plain = unsealPiece(this.keys.enc, id, sealed, loc.compression, loc.raw_length);
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

  readJsonPiece<T>(idHex: string): T {
    return JSON.parse(this.readPiece(Buffer.from(idHex, 'hex')).toString('utf8')) as T;
  }

  /** Writes a finished pack durably, then records its pieces in the index (the index follows the disk). */
  async writePack(builder: PackBuilder): Promise<{ id: string; size: number }> {
    const { id, parts, size } = builder.finish();
    await writeFileDurable(paths.pack(this.dir, id), parts, this.hooks.beforeWrite);
    this.indexPack(id, size, builder.entries);
    return { id, size };
  }

  indexPack(id: string, size: number, entries: readonly TocEntry[]): void {
    const tx = this.db.transaction(() => {
      this.stmts.insertPack.run(id, size, entries.length);
      for (const e of entries) this.stmts.insertPiece.run(e.id, id, e.type, e.compression, e.offset, e.length, e.rawLength);
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
    const dirs = [paths.snapshotsDir(this.dir), ...safeReaddir(paths.packsDir(this.dir)).map((s) => path.join(paths.packsDir(this.dir), s))];
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

  /** Adds a catalog row for an item unless one with that key exists; returns the item's row id. */
  ensureItem(key: Buffer, identity: Buffer, fields: CatalogFields, pieces: readonly Buffer[]): number {
    const existing = this.stmts.itemByKey.get(key) as { id: number } | undefined;
    if (existing) return existing.id;
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
    const id = Number(info.lastInsertRowid);
    this.stmts.insertFts.run(id, fields.text);
    for (const p of pieces) this.stmts.insertItemPiece.run(id, p);
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
