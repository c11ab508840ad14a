import crypto from 'node:crypto';
import { LifelineError } from '../../../contract';
import type { Statement } from 'better-sqlite3';
import type { StoreCore } from './core';
import { AuthError } from './crypto';
import { ALL_NODES_CTE, SNAPSHOT_NODES_CTE } from './index-db';
import { ScratchReader } from './fs-util';
import { paths } from './layout';
import { Compression, parsePackToc, PieceType, unsealPiece } from './pack';

export interface VerifyOptions {
  /** 'none': structure only; 'all': read back every pack; subset: a random share of the packs. */
  readData?: 'none' | 'all' | { subsetPercent: number };
  onProgress?: (p: { packsRead: number; packsTotal: number; bytesRead: number }) => void;
  /** Stops the read-back between packs; nothing is changed by stopping. */
  signal?: AbortSignal;
}

export interface AffectedItem {
  kind: string;
  name: string | null;
  relPath: string | null;
  address: string | null;
  date: number | null;
}

export interface VerifyReport {
  ok: boolean;
  snapshots: number;
  packs: number;
  packsRead: number;
  piecesChecked: number;
  bytesRead: number;
  problems: { message: string; pack?: string; piece?: string; snapshot?: string }[];
  affected: {
    itemCount: number;
    byKind: Record<string, number>;
    /** Up to 1000 of the affected items. */
    items: AffectedItem[];
    snapshots: { id: string; device: string; time: number; items: number; byKind: Record<string, number>; structure: boolean }[];
  };
  /** One sentence for people, e.g. "12 photos and 340 messages in 2 snapshots are affected". */
  summary: string;
}

const KIND_WORDS: Record<string, [string, string]> = {
  media: ['media file', 'media files'],
  sms: ['SMS', 'SMS'],
  mms: ['MMS', 'MMS'],
  call: ['call', 'calls'],
  contact: ['contact', 'contacts'],
  note: ['note', 'notes'],
};

function describeKinds(byKind: Record<string, number>): string {
  const parts = Object.entries(byKind)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${(KIND_WORDS[k] ?? [k, k])[n === 1 ? 0 : 1]}`);
  if (parts.length <= 1) return parts[0] ?? '';
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/**
 * Checks the store: every piece a snapshot needs has a place in an existing pack (structure), and
 * optionally that the packs decrypt and hash back to their ids (read-data). Problems are mapped to the
 * items and snapshots they touch. With `canWrite`, damaged pieces are marked so the next backup stores
 * them again.
 */
export async function verifyStore(core: StoreCore, opts: VerifyOptions & { canWrite: boolean }): Promise<VerifyReport> {
  const db = core.db;
  const problems: VerifyReport['problems'] = [];
  core.dropFds();

  // Snapshot files the catalog could not take in (damaged or unreadable).
  const known = new Set(db.prepare('SELECT id FROM snapshots').pluck().all() as string[]);
  for (const id of core.listSnapshotFiles()) {
    if (known.has(id)) continue;
    try {
      core.readSnapshot(id);
      problems.push({ snapshot: id, message: `Snapshot ${id} could not be added to the catalog: part of its tree is missing or damaged.` });
    } catch (error) {
      problems.push({ snapshot: id, message: (error as Error).message });
    }
  }

  const packs = db.prepare('SELECT id, size, missing FROM packs ORDER BY id').all() as { id: string; size: number; missing: number }[];
  for (const p of packs) {
    if (p.missing) problems.push({ pack: p.id, message: `Pack ${p.id} is missing from ${paths.packsDir(core.dir)}.` });
  }
  const onDisk = core.listPackFiles();
  const indexed = new Set(packs.map((p) => p.id));
  for (const id of onDisk) {
    if (!indexed.has(id)) problems.push({ pack: id, message: `Pack ${id} cannot be read (its table of contents is damaged).` });
  }

  db.exec(`
    CREATE TEMP TABLE IF NOT EXISTS ref_pieces (id BLOB PRIMARY KEY) WITHOUT ROWID;
    CREATE TEMP TABLE IF NOT EXISTS bad_pieces (id BLOB PRIMARY KEY) WITHOUT ROWID;
    CREATE TEMP TABLE IF NOT EXISTS affected_items (id INTEGER PRIMARY KEY);
    DELETE FROM ref_pieces; DELETE FROM bad_pieces; DELETE FROM affected_items;`);
  db.exec(`${ALL_NODES_CTE}
    INSERT OR IGNORE INTO ref_pieces SELECT node FROM t;`);
  db.exec(`${ALL_NODES_CTE}
    INSERT OR IGNORE INTO ref_pieces SELECT ip.piece FROM t JOIN node_items ni ON ni.node = t.node JOIN item_pieces ip ON ip.item = ni.item;`);
  // A record's own piece is its key (it has no item_pieces row).
  db.exec(`${ALL_NODES_CTE}
    INSERT OR IGNORE INTO ref_pieces SELECT i.key FROM t JOIN node_items ni ON ni.node = t.node JOIN items i ON i.id = ni.item WHERE i.kind <> 'media';`);

  // Read-back.
  let packsRead = 0;
  let piecesChecked = 0;
  let bytesRead = 0;
  const present = packs.filter((p) => !p.missing);
  let toRead: typeof present = [];
  const mode = opts.readData ?? 'none';
  if (mode === 'all') toRead = present;
  else if (typeof mode === 'object') {
    const pct = Math.min(100, Math.max(0, mode.subsetPercent));
    const n = Math.min(present.length, Math.ceil((present.length * pct) / 100));
    toRead = shuffle(present).slice(0, n);
  }
  const reader = new PackReader(core);
  const addBad = db.prepare('INSERT OR IGNORE INTO bad_pieces VALUES (?)');
  for (const p of toRead) {
    if (opts.signal?.aborted) throw new LifelineError('cancelled', 'The check was cancelled. Nothing was changed; run it again to check the whole store.');
    // Between packs the event loop gets a turn, so progress reaches the window and Cancel is heard.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const checked = reader.check(p.id, opts.canWrite);
    problems.push(...checked.problems);
    if (!checked.read) continue;
    packsRead++;
    bytesRead += checked.bytes;
    piecesChecked += checked.pieces;
    if (!opts.canWrite) for (const id of checked.bad) addBad.run(id);
    opts.onProgress?.({ packsRead, packsTotal: toRead.length, bytesRead });
  }

  // A referenced piece is bad when it has no usable copy: no location, its pack missing, or marked damaged.
  db.exec(`INSERT OR IGNORE INTO bad_pieces
    SELECT r.id FROM ref_pieces r WHERE NOT EXISTS (
      SELECT 1 FROM pieces p JOIN packs k ON k.id = p.pack WHERE p.id = r.id AND k.missing = 0 AND p.damaged = 0)`);
  const missingCount = db.prepare(
    `SELECT COUNT(*) FROM ref_pieces r WHERE NOT EXISTS (SELECT 1 FROM pieces p WHERE p.id = r.id)`,
  ).pluck().get() as number;
  if (missingCount > 0) problems.push({ message: `${missingCount} pieces that snapshots need are in no pack at all.` });

  // Items touched directly, and every item below a damaged tree node.
  db.exec(`INSERT OR IGNORE INTO affected_items SELECT DISTINCT ip.item FROM item_pieces ip JOIN bad_pieces b ON b.id = ip.piece
    WHERE ip.item IN (SELECT ni.item FROM node_items ni)`);
  db.exec(`INSERT OR IGNORE INTO affected_items SELECT i.id FROM bad_pieces b JOIN items i ON i.key = b.id
    WHERE i.kind <> 'media' AND i.id IN (SELECT ni.item FROM node_items ni)`);
  db.exec(`WITH RECURSIVE d(node) AS (
      SELECT n.id FROM nodes n JOIN bad_pieces b ON b.id = n.id
      UNION SELECT c.child FROM node_children c JOIN d ON c.parent = d.node)
    INSERT OR IGNORE INTO affected_items SELECT ni.item FROM d JOIN node_items ni ON ni.node = d.node`);

  const itemCount = db.prepare('SELECT COUNT(*) FROM affected_items').pluck().get() as number;
  const byKind: Record<string, number> = {};
  for (const r of db.prepare('SELECT i.kind, COUNT(*) AS n FROM affected_items a JOIN items i ON i.id = a.id GROUP BY i.kind').all() as { kind: string; n: number }[]) {
    byKind[r.kind] = r.n;
  }
  const items = (
    db.prepare('SELECT i.kind, i.name, i.rel_path, i.address, i.date FROM affected_items a JOIN items i ON i.id = a.id ORDER BY i.kind, i.date LIMIT 1000').all() as {
      kind: string; name: string | null; rel_path: string | null; address: string | null; date: number | null;
    }[]
  ).map((r) => ({ kind: r.kind, name: r.name, relPath: r.rel_path, address: r.address, date: r.date }));

  const snapshots: VerifyReport['affected']['snapshots'] = [];
  const snaps = db.prepare('SELECT id, device, time FROM snapshots ORDER BY time').all() as { id: string; device: string; time: number }[];
  const perSnap = db.prepare(`${SNAPSHOT_NODES_CTE}
    SELECT i.kind, COUNT(DISTINCT i.id) AS n FROM t JOIN node_items ni ON ni.node = t.node JOIN affected_items a ON a.id = ni.item
    JOIN items i ON i.id = a.id GROUP BY i.kind`);
  const structBad = db.prepare(`${SNAPSHOT_NODES_CTE} SELECT COUNT(*) FROM t JOIN bad_pieces b ON b.id = t.node`).pluck();
  for (const s of snaps) {
    const kinds: Record<string, number> = {};
    let n = 0;
    for (const r of perSnap.all(s.id) as { kind: string; n: number }[]) {
      kinds[r.kind] = r.n;
      n += r.n;
    }
    const structure = (structBad.get(s.id) as number) > 0;
    if (n > 0 || structure) snapshots.push({ id: s.id, device: s.device, time: s.time, items: n, byKind: kinds, structure });
  }

  const ok = problems.length === 0 && itemCount === 0 && snapshots.length === 0;
  const summary = ok
    ? `No problems found in ${snaps.length} snapshots and ${packs.length} packs${packsRead ? ` (${packsRead} packs read back)` : ''}.`
    : itemCount > 0
      ? `${describeKinds(byKind)} in ${snapshots.length} snapshot${snapshots.length === 1 ? '' : 's'} ${itemCount === 1 ? 'is' : 'are'} affected; everything else restores.`
      : `${problems.length} problem${problems.length === 1 ? '' : 's'} found; no backed-up item is affected.`;
  return {
    ok,
    snapshots: snaps.length,
    packs: packs.length,
    packsRead,
    piecesChecked,
    bytesRead,
    problems: problems.slice(0, 1000),
    affected: { itemCount, byKind, items, snapshots },
    summary,
  };
}

function shuffle<T>(list: readonly T[]): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = crypto.randomInt(i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

type Problem = VerifyReport['problems'][number];

/**
 * Reads packs back: the file must still hash to its name, its table of contents must open, and every piece
 * must decrypt and hash back to its id. With `mark`, the damaged flags of the pack's pieces are set to what
 * was found (only changed rows are written).
 */
export class PackReader {
  private readonly scratch = new ScratchReader();
  // A bundle sorts before the pieces inside it (same offset, lower compression value).
  private readonly piecesOf: Statement;
  private readonly setDamaged: Statement;

  constructor(private readonly core: StoreCore) {
    this.piecesOf = core.db.prepare(
      'SELECT id, type, compression, offset, length, raw_length, bundle, bundle_at, damaged FROM pieces WHERE pack = ? ORDER BY offset, compression',
    );
    this.setDamaged = core.db.prepare('UPDATE pieces SET damaged = ? WHERE id = ? AND pack = ?');
  }

  check(pack: string, mark: boolean): { read: boolean; bytes: number; pieces: number; bad: Buffer[]; problems: Problem[] } {
    const core = this.core;
    const problems: Problem[] = [];
    let bytes: Buffer;
    try {
      bytes = this.scratch.read(paths.pack(core.dir, pack));
    } catch (error) {
      problems.push({ pack, message: `Pack ${pack} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).` });
      return { read: false, bytes: 0, pieces: 0, bad: [], problems };
    }
    if (crypto.createHash('sha256').update(bytes).digest('hex') !== pack) {
      problems.push({ pack, message: `Pack ${pack} has changed on disk (its content no longer matches its name).` });
    }
    try {
      parsePackToc(bytes, core.keys.enc);
    } catch (error) {
      problems.push({ pack, message: `The table of contents of pack ${pack} is damaged (${(error as Error).message}).` });
    }
    // Rows are read one at a time (a pack of small records has 200,000) and only changed flags are written.
    const rows = this.piecesOf.iterate(pack) as IterableIterator<{
      id: Buffer; type: number; compression: number; offset: number; length: number; raw_length: number; bundle: Buffer | null; bundle_at: number; damaged: number;
    }>;
    const updates: [number, Buffer][] = [];
    const bad: Buffer[] = [];
    let pieces = 0;
    // Rows come sorted so that a bundle is followed by its pieces: only the current bundle is kept.
    let bundle: { id: Buffer; plain: Buffer } | undefined;
    for (const r of rows) {
      pieces++;
      let good = false;
      try {
        if (r.offset + r.length > bytes.length) throw new AuthError('The pack is shorter than its table of contents says.');
        let plain: Buffer;
        if (r.compression === Compression.bundled) {
          if (!bundle || !r.bundle || !bundle.id.equals(r.bundle)) throw new AuthError('The bundle holding the piece is damaged or missing.');
          if (r.bundle_at + r.raw_length > bundle.plain.length) throw new AuthError('The piece lies outside its bundle.');
          plain = bundle.plain.subarray(r.bundle_at, r.bundle_at + r.raw_length);
        } else {
          plain = unsealPiece(core.keys.enc, r.id, bytes.subarray(r.offset, r.offset + r.length), r.compression, r.raw_length);
        }
        good = core.pieceId(r.type as PieceType, plain).equals(r.id);
        if (r.type === PieceType.bundle) bundle = good ? { id: r.id, plain } : undefined;
      } catch {
        good = false;
      }
      if (!good) {
        problems.push({ pack, piece: r.id.toString('hex'), message: `A piece in pack ${pack.slice(0, 16)} is damaged.` });
        bad.push(r.id);
      }
      if ((good ? 0 : 1) !== (r.damaged === 0 ? 0 : 1)) updates.push([good ? 0 : 1, r.id]);
    }
    if (mark) core.db.transaction(() => updates.forEach(([d, id]) => this.setDamaged.run(d, id, pack)))();
    return { read: true, bytes: bytes.length, pieces, bad, problems };
  }
}

/** What a backup read back of the packs it wrote (see readBackSample). */
export interface ReadBack {
  packsWritten: number;
  packsRead: number;
  bytesRead: number;
  piecesChecked: number;
  ok: boolean;
  /** Up to 20 problems, for people. */
  problems: string[];
}

/** Share of a backup's new packs read back right after it (BACKUP.md: a random sample after each backup). */
export const READ_BACK_SHARE = 0.1;

/**
 * Reads back a random share of the packs a backup just wrote (at least one when it wrote any), marking what
 * is damaged so the next backup stores it again. Returns between packs to the event loop; a cancel ends it
 * early (fewer packs read).
 */
export async function readBackSample(core: StoreCore, written: readonly string[], share = READ_BACK_SHARE, signal?: AbortSignal): Promise<ReadBack> {
  const sample = shuffle(written).slice(0, written.length === 0 ? 0 : Math.max(1, Math.ceil(written.length * share)));
  const reader = new PackReader(core);
  const out: ReadBack = { packsWritten: written.length, packsRead: 0, bytesRead: 0, piecesChecked: 0, ok: true, problems: [] };
  for (const pack of sample) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    // A cancel here stops the reading only: the snapshot is already committed, the receipt says what was read.
    if (signal?.aborted) break;
    const checked = reader.check(pack, true);
    if (checked.read) {
      out.packsRead++;
      out.bytesRead += checked.bytes;
      out.piecesChecked += checked.pieces;
    }
    if (checked.problems.length > 0) out.ok = false;
    for (const p of checked.problems) if (out.problems.length < 20) out.problems.push(p.message);
  }
  return out;
}
