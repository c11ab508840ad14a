import type { Database, Statement } from 'better-sqlite3';
import { applyMigrations, type Migration } from '../db/migrate';
import type { ItemKind } from './import/types';

/**
 * The file cache for record exports (sms/calls XML, .vcf, notes): what each file produced the last time it
 * was read, keyed on (device, absolute path, size, mtime). When a file is unchanged, a backup replays those
 * rows instead of parsing, hashing and packing every record again, which is what made a backup with no change
 * cost as much as the first one. Like everything in the index it is derived data: losing it only costs time.
 *
 * Its own migration scope, so it evolves independently of the catalog schema.
 */
export const RECORD_CACHE_SCOPE = 'backup-record-cache';

export const recordCacheMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'record file cache: files and the records each produced',
    up(db) {
      db.exec(`
        CREATE TABLE record_files (
          id INTEGER PRIMARY KEY,
          device TEXT NOT NULL,
          path TEXT NOT NULL,
          size INTEGER NOT NULL,
          mtime INTEGER NOT NULL,
          UNIQUE (device, path)
        ) STRICT;
        CREATE TABLE record_file_rows (
          file INTEGER NOT NULL,
          seq INTEGER NOT NULL,
          identity BLOB NOT NULL,
          key BLOB,
          bucket TEXT,
          kind TEXT NOT NULL,
          size INTEGER NOT NULL,
          sha TEXT,
          PRIMARY KEY (file, seq)
        ) STRICT, WITHOUT ROWID;
      `);
    },
  },
  {
    version: 2,
    name: 'record file cache: store epoch, so an unchanged store skips re-checking cached records',
    up(db) {
      // The epoch moves when anything a cached record relies on may have gone: a piece or pack row deleted, a
      // piece marked damaged, a pack marked missing, a catalog row deleted. A file cached (or re-checked) in the
      // current epoch is known to be intact without looking at each of its records again. `moved` keeps a
      // prune that deletes 100,000 rows from bumping 100,000 times: the first change bumps, the rest see it done,
      // and writing the current epoch to a file clears it.
      db.exec(`
        CREATE TABLE record_cache_epoch (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          epoch INTEGER NOT NULL,
          moved INTEGER NOT NULL
        ) STRICT;
        INSERT INTO record_cache_epoch (id, epoch, moved) VALUES (1, 0, 0);
        ALTER TABLE record_files ADD COLUMN epoch INTEGER NOT NULL DEFAULT -1;
        CREATE TRIGGER record_cache_piece_gone AFTER DELETE ON pieces
          WHEN (SELECT moved FROM record_cache_epoch) = 0
          BEGIN UPDATE record_cache_epoch SET epoch = epoch + 1, moved = 1; END;
        CREATE TRIGGER record_cache_piece_damaged AFTER UPDATE OF damaged ON pieces
          WHEN new.damaged <> 0 AND (SELECT moved FROM record_cache_epoch) = 0
          BEGIN UPDATE record_cache_epoch SET epoch = epoch + 1, moved = 1; END;
        CREATE TRIGGER record_cache_pack_gone AFTER DELETE ON packs
          WHEN (SELECT moved FROM record_cache_epoch) = 0
          BEGIN UPDATE record_cache_epoch SET epoch = epoch + 1, moved = 1; END;
        CREATE TRIGGER record_cache_pack_missing AFTER UPDATE OF missing ON packs
          WHEN new.missing <> 0 AND (SELECT moved FROM record_cache_epoch) = 0
          BEGIN UPDATE record_cache_epoch SET epoch = epoch + 1, moved = 1; END;
        CREATE TRIGGER record_cache_item_gone AFTER DELETE ON items
          WHEN (SELECT moved FROM record_cache_epoch) = 0
          BEGIN UPDATE record_cache_epoch SET epoch = epoch + 1, moved = 1; END;
        CREATE TRIGGER record_cache_item_piece_gone AFTER DELETE ON item_pieces
          WHEN (SELECT moved FROM record_cache_epoch) = 0
          BEGIN UPDATE record_cache_epoch SET epoch = epoch + 1, moved = 1; END;
      `);
    },
  },
  {
    version: 3,
    name: 'run fingerprints: a backup whose sources are exactly the last one\'s reuses its tree',
    up(db) {
      // One row per snapshot: a keyed hash over what the run was given (every announced record file, media file
      // and skipped item, with path, size and mtime), and the epoch when it committed. A run given the same
      // sources while the epoch has not moved has the same content as that snapshot.
      db.exec(`
        CREATE TABLE run_fingerprints (
          snapshot TEXT PRIMARY KEY,
          fingerprint BLOB NOT NULL,
          epoch INTEGER NOT NULL
        ) STRICT;
        CREATE TRIGGER run_fingerprint_snapshot_gone AFTER DELETE ON snapshots
          BEGIN DELETE FROM run_fingerprints WHERE snapshot = old.id; END;
      `);
    },
  },
  {
    version: 4,
    name: 'record file cache: each record\'s catalog row; rows from before month leaves are forgotten',
    up(db) {
      // `item` lets a replayed or re-read record link its leaf without looking its catalog row up by key. The
      // rows cached so far are dropped: they lack it, and rows cached before message leaves became
      // <thread>/<year>/<month> carry year buckets, which replayed next to parsed records would put one
      // conversation's messages in two shapes. Every record file is read once more, then cached again.
      db.exec(`
        ALTER TABLE record_file_rows ADD COLUMN item INTEGER;
        DELETE FROM record_file_rows;
        DELETE FROM record_files;
      `);
    },
  },
];

export function applyRecordCacheMigrations(db: Database, now: () => number): void {
  applyMigrations(db, RECORD_CACHE_SCOPE, recordCacheMigrations, now);
}

/** Empties the cache (after `rebuild-index`, which starts every cache over). */
export function clearRecordCache(db: Database): void {
  db.exec('DELETE FROM record_file_rows; DELETE FROM record_files;');
}

/** A record the run accepted (`key` set) or merged into an earlier one with the same identity (`key` null). */
export interface CachedRow {
  identity: Buffer;
  key: Buffer | null;
  bucket: string | null;
  kind: ItemKind;
  size: number;
  sha: string | null;
  /** The record's catalog row (`items.id`), when known. */
  item: number | null;
}

/** What an accepted record became the last time its file was read: all a run needs to add it again. */
export interface KnownRecord {
  key: Buffer;
  bucket: string;
  size: number;
  item: number | null;
}

export interface ReplayResult {
  kinds: Map<ItemKind, { items: number; bytes: number }>;
  duplicates: number;
}

interface RunFile {
  id: number;
  device: string;
  path: string;
  size: number;
  mtime: number;
  seq: number;
  clean: boolean;
  /** The rows the file produced the last time it was read (it changed since), to recognise records it still holds. */
  previous?: PreviousRows;
}

/**
 * The accepted rows of a file's previous reading, found by the SHA-256 of a record's stored form. A phone
 * re-dumps a whole export when one message is added, so most records of a changed file are ones it held
 * before; recognising them skips the piece id, the "is it stored" lookup and the catalog insert, the costly
 * part of adding a record. Only a table of digest prefixes is held in memory (12 bytes a slot, about 12 MB
 * for 500,000 messages); a hit reads its row (a range of rows at a time while the records come in
 * their old order) and compares the whole digest.
 */
class PreviousRows {
  private readonly hi: Uint32Array;
  private readonly lo: Uint32Array;
  private readonly seq: Uint32Array;
  private readonly mask: number;

  constructor(
    private readonly fileId: number,
    rows: Iterable<{ seq: number; sha: string }>,
    count: number,
    private readonly byRange: Statement,
  ) {
    let slots = 16;
    while (slots < count * 1.5) slots *= 2;
    this.mask = slots - 1;
    this.hi = new Uint32Array(slots);
    this.lo = new Uint32Array(slots);
    this.seq = new Uint32Array(slots); // seq + 1; 0 is an empty slot
    for (const r of rows) {
      const hi = Number.parseInt(r.sha.slice(0, 8), 16) >>> 0;
      const lo = Number.parseInt(r.sha.slice(8, 16), 16) >>> 0;
      let i = lo & this.mask;
      while (this.seq[i] !== 0) i = (i + 1) & this.mask;
      this.hi[i] = hi;
      this.lo[i] = lo;
      this.seq[i] = r.seq + 1;
    }
  }

  find(sha: string, identity: Buffer): KnownRecord | undefined {
    const hi = Number.parseInt(sha.slice(0, 8), 16) >>> 0;
    const lo = Number.parseInt(sha.slice(8, 16), 16) >>> 0;
    for (let i = lo & this.mask; this.seq[i] !== 0; i = (i + 1) & this.mask) {
      if (this.hi[i] !== hi || this.lo[i] !== lo) continue;
      const row = this.row((this.seq[i] as number) - 1);
      if (row && row.sha === sha && row.identity.equals(identity)) return { key: row.key, bucket: row.bucket, size: row.size, item: row.item };
    }
    return undefined;
  }

  // Rows are read a range at a time while the file's records come in their old order (an export re-dumped
  // with a few messages added or edited), one at a time otherwise.
  private page: (PreviousRow | undefined)[] = [];
  private pageStart = 0;
  private pageEnd = 0;
  private last = -1;
  private span = 1;

  private row(seq: number): PreviousRow | undefined {
    const sequential = seq > this.last && seq <= this.last + 8;
    this.last = seq;
    if (seq >= this.pageStart && seq < this.pageEnd) return this.page[seq - this.pageStart];
    this.span = sequential ? Math.min(this.span * 2, 512) : 1;
    this.page = [];
    this.pageStart = seq;
    this.pageEnd = seq + this.span;
    for (const r of this.byRange.all(this.fileId, seq, this.pageEnd) as PreviousRow[]) this.page[r.seq - seq] = r;
    return this.page[0];
  }
}

interface PreviousRow {
  seq: number;
  key: Buffer;
  bucket: string;
  size: number;
  sha: string;
  identity: Buffer;
  item: number | null;
}

/**
 * One backup run's view of the cache. `replayable` is asked when a record file starts, then `replay` or
 * `startParse`; a parsed file's records are `note`d. Nothing persistent changes before `commit`, which the run calls once its
 * snapshot is written: a cancelled or crashed run leaves the cache as it was.
 */
export class RecordFileCache {
  private readonly files = new Map<string, RunFile>();
  private nextTempId = 1;
  private readonly st: {
    find: Statement;
    badRows: Statement;
    conflictRows: Statement;
    replayIdentity: Statement;
    replayEntries: Statement;
    countDupRows: Statement;
    stats: Statement;
    insertTemp: Statement;
    findAny: Statement;
    countRows: Statement;
    previousShas: Statement;
    byRange: Statement;
    epoch: Statement;
    markChecked: Statement;
    settle: Statement;
  };

  constructor(private readonly db: Database, private readonly device: string) {
    db.exec(`
      CREATE TEMP TABLE IF NOT EXISTS run_file_rows (
        file INTEGER NOT NULL, seq INTEGER NOT NULL, identity BLOB NOT NULL, key BLOB, bucket TEXT, kind TEXT NOT NULL,
        size INTEGER NOT NULL, sha TEXT, item INTEGER, PRIMARY KEY (file, seq)) WITHOUT ROWID;
      DELETE FROM run_file_rows;
    `);
    this.st = {
      find: db.prepare('SELECT id, epoch FROM record_files WHERE device = ? AND path = ? AND size = ? AND mtime = ?'),
      // Every piece an accepted record needs (its own, which is its key, and any attachment chunks) must still be stored and intact,
      // and its catalog row must exist as the row noted (the tree links leaves to catalog rows).
      badRows: db
        .prepare(
          `SELECT 1 FROM record_file_rows r LEFT JOIN items i ON i.key = r.key
           WHERE r.file = ? AND r.key IS NOT NULL AND (i.id IS NULL OR (r.item IS NOT NULL AND i.id <> r.item)
             OR NOT EXISTS (SELECT 1 FROM pieces p JOIN packs k ON k.id = p.pack WHERE p.id = r.key AND k.missing = 0 AND p.damaged = 0)
             OR EXISTS (
               SELECT 1 FROM item_pieces ip WHERE ip.item = i.id AND NOT EXISTS (
                 SELECT 1 FROM pieces p JOIN packs k ON k.id = p.pack WHERE p.id = ip.piece AND k.missing = 0 AND p.damaged = 0)))
           LIMIT 1`,
        )
        .pluck(),
      // Replaying must give what parsing would: an accepted record must not already be in this run (it would be
      // a duplicate now), and a merged one must be merged again (its identity seen earlier in the file or the run).
      conflictRows: db
        .prepare(
          `SELECT 1 FROM record_file_rows r WHERE r.file = ? AND (
             (r.key IS NOT NULL AND EXISTS (SELECT 1 FROM run_identity ri WHERE ri.identity = r.identity))
             OR (r.key IS NULL AND NOT EXISTS (SELECT 1 FROM run_identity ri WHERE ri.identity = r.identity)
                 AND NOT EXISTS (SELECT 1 FROM record_file_rows e WHERE e.file = r.file AND e.seq < r.seq AND e.identity = r.identity AND e.key IS NOT NULL)))
           LIMIT 1`,
        )
        .pluck(),
      replayIdentity: db.prepare('INSERT OR IGNORE INTO run_identity (identity) SELECT identity FROM record_file_rows WHERE file = ? AND key IS NOT NULL'),
      replayEntries: db.prepare(
        `INSERT OR IGNORE INTO run_entries (bucket, key, kind, size, sha, media, item)
         SELECT bucket, key, kind, size, sha, NULL, item FROM record_file_rows WHERE file = ? AND key IS NOT NULL`,
      ),
      countDupRows: db.prepare('SELECT count(*) FROM record_file_rows WHERE file = ? AND key IS NULL').pluck(),
      stats: db.prepare('SELECT kind, count(*) AS items, sum(size) AS bytes FROM record_file_rows WHERE file = ? AND key IS NOT NULL GROUP BY kind'),
      insertTemp: db.prepare('INSERT INTO run_file_rows (file, seq, identity, key, bucket, kind, size, sha, item) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      findAny: db.prepare('SELECT id, epoch FROM record_files WHERE device = ? AND path = ?'),
      countRows: db.prepare('SELECT count(*) FROM record_file_rows WHERE file = ? AND key IS NOT NULL').pluck(),
      previousShas: db.prepare('SELECT seq, sha FROM record_file_rows WHERE file = ? AND key IS NOT NULL'),
      byRange: db.prepare('SELECT seq, key, bucket, size, sha, identity, item FROM record_file_rows WHERE file = ? AND seq >= ? AND seq < ? AND key IS NOT NULL'),
      epoch: db.prepare('SELECT epoch FROM record_cache_epoch').pluck(),
      markChecked: db.prepare('UPDATE record_files SET epoch = ? WHERE id = ?'),
      settle: db.prepare('UPDATE record_cache_epoch SET moved = 0 WHERE moved <> 0'),
    };
  }

  /**
   * Called when a record file starts: the cache entry for the file if it is unchanged since a run that read it
   * completely and what it produced is still stored. Nothing is added to the run yet: `replay` does that (a
   * backup defers it while it may reuse its parent's tree); `startParse` when the file is parsed instead.
   */
  replayable(file: string, size: number, mtimeMs: number): number | undefined {
    const found = this.st.find.get(this.device, file, size, Math.round(mtimeMs)) as { id: number; epoch: number } | undefined;
    if (found === undefined || this.files.has(file) || !this.intact(found)) return undefined;
    return found.id;
  }

  /**
   * Adds a replayable file's records to the run, unless replaying would differ from parsing here (an accepted
   * record already in the run, or a merged one whose original is not): then nothing is added and the caller
   * parses the file.
   */
  replay(id: number, file: string, size: number, mtimeMs: number): ReplayResult | undefined {
    if (this.files.has(file) || this.st.conflictRows.get(id) !== undefined) return undefined;
    this.st.replayIdentity.run(id);
    this.st.replayEntries.run(id);
    const kinds: ReplayResult['kinds'] = new Map();
    for (const row of this.st.stats.all(id) as { kind: ItemKind; items: number; bytes: number }[]) kinds.set(row.kind, { items: row.items, bytes: row.bytes });
    const duplicates = this.st.countDupRows.get(id) as number;
    this.files.set(file, { id: -1, device: this.device, path: file, size, mtime: Math.round(mtimeMs), seq: 0, clean: false });
    return { kinds, duplicates };
  }

  /**
   * The file is being parsed: its records are `note`d and remembered at `commit` if nothing was skipped. When
   * the file was read before and what that produced is still intact, `known` recognises the records it still holds.
   */
  startParse(file: string, size: number, mtimeMs: number): void {
    const run: RunFile = { id: this.nextTempId++, device: this.device, path: file, size, mtime: Math.round(mtimeMs), seq: 0, clean: true };
    const found = this.st.findAny.get(this.device, file) as { id: number; epoch: number } | undefined;
    if (found !== undefined && this.intact(found)) {
      const count = this.st.countRows.get(found.id) as number;
      if (count > 0) run.previous = new PreviousRows(found.id, this.st.previousShas.iterate(found.id) as Iterable<{ seq: number; sha: string }>, count, this.st.byRange);
    }
    this.files.set(file, run);
  }

  /**
   * A record of a file being parsed that the file's previous reading accepted with the same stored form (SHA-256
   * of its payload) and identity: its piece is stored and its catalog row exists, as they were then.
   */
  known(file: string, sha: string, identity: Buffer): KnownRecord | undefined {
    return this.files.get(file)?.previous?.find(sha, identity);
  }

  /** The store epoch now: removals since a file or snapshot was stamped move it. */
  currentEpoch(): number {
    return this.st.epoch.get() as number;
  }

  /** Marks that everything the run just committed is intact as of the current epoch (see `stampEpoch`). */
  settleEpoch(): number {
    this.st.settle.run();
    return this.currentEpoch();
  }

  /**
   * Whether every piece and catalog row the file's records need is still there: known when nothing was removed
   * from the store since the file was cached or last checked (same epoch), else checked record by record.
   */
  private intact(found: { id: number; epoch: number }): boolean {
    const epoch = this.st.epoch.get() as number;
    if (found.epoch === epoch) return true;
    if (this.st.badRows.get(found.id) !== undefined) return false;
    this.stampEpoch(found.id, epoch);
    return true;
  }

  /** Records that a file's rows are intact as of `epoch`; removals from now on move the epoch again. */
  private stampEpoch(fileId: number, epoch: number): void {
    this.st.markChecked.run(epoch, fileId);
    this.st.settle.run();
  }

  /** What one record of a file being read became. Records of files that did not announce themselves are ignored. */
  note(file: string, row: CachedRow): void {
    const f = this.files.get(file);
    if (!f || !f.clean) return;
    this.st.insertTemp.run(f.id, f.seq++, row.identity, row.key, row.bucket, row.kind, row.size, row.sha, row.item);
  }

  /** A file with a skipped record (or that failed part-way) is read again next time, so the skip is reported again. */
  taint(file: string): void {
    const f = this.files.get(file);
    if (f) f.clean = false;
  }

  /** After the snapshot is committed: remember what the files read completely in this run produced. */
  commit(): void {
    const db = this.db;
    const findOld = db.prepare('SELECT id FROM record_files WHERE device = ? AND path = ?').pluck();
    const delRows = db.prepare('DELETE FROM record_file_rows WHERE file = ?');
    const delFile = db.prepare('DELETE FROM record_files WHERE id = ?');
    const insFile = db.prepare('INSERT INTO record_files (device, path, size, mtime, epoch) VALUES (?, ?, ?, ?, ?)');
    const copy = db.prepare(
      `INSERT INTO record_file_rows (file, seq, identity, key, bucket, kind, size, sha, item)
       SELECT ?, seq, identity, key, bucket, kind, size, sha, item FROM run_file_rows WHERE file = ?`,
    );
    db.transaction(() => {
      // The run's records were all stored and cataloged when its snapshot was written, so they are intact as of
      // now; the run settles the epoch right after (settleEpoch), so removals from then on move it.
      const epoch = this.st.epoch.get() as number;
      for (const f of this.files.values()) {
        if (f.id < 0) continue; // replayed: the cached rows are still right
        const old = findOld.get(f.device, f.path) as number | undefined;
        if (old !== undefined) {
          delRows.run(old);
          delFile.run(old);
        }
        if (!f.clean) continue;
        const id = Number(insFile.run(f.device, f.path, f.size, f.mtime, epoch).lastInsertRowid);
        copy.run(id, f.id);
      }
      db.exec('DELETE FROM run_file_rows');
    })();
  }

  /** Drops the run's pending rows without remembering anything (cancel, failure). */
  discard(): void {
    this.db.exec('DELETE FROM run_file_rows');
  }
}
