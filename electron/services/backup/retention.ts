import fs from 'node:fs';
import path from 'node:path';
import { LifelineError } from '../../../contract';
import { collectCatalogGarbage } from './catalog';
import type { StoreCore } from './core';
import { fsyncDir, ScratchReader } from './fs-util';
import { ALL_NODES_CTE } from './index-db';
import { paths, type SnapshotObject } from './layout';
import { Compression, PieceType, unsealPiece, type TocEntry } from './pack';

export interface ForgetRules {
  keepLast?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
  keepYearly?: number;
}

export interface ForgetResult {
  keep: { id: string; device: string; time: number; reasons: string[] }[];
  remove: { id: string; device: string; time: number }[];
  dryRun: boolean;
}

export interface PruneResult {
  packsDeleted: number;
  packsRewritten: number;
  packsWritten: number;
  bytesBefore: number;
  bytesAfter: number;
  piecesRemoved: number;
  /** Packs left alone because a piece in them could not be read back (see verify). */
  packsSkippedDamaged: string[];
  dryRun: boolean;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Calendar buckets in UTC, so the same store forgets the same snapshots wherever it is opened. */
function bucketKeys(ms: number): { daily: string; weekly: string; monthly: string; yearly: string } {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  // ISO week: the week with the year's first Thursday is week 1.
  const t = new Date(Date.UTC(y, d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return {
    daily: `${y}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
    weekly: `${t.getUTCFullYear()}-W${pad(week)}`,
    monthly: `${y}-${pad(d.getUTCMonth() + 1)}`,
    yearly: String(y),
  };
}

/** Which snapshots the rules keep, per device, newest first; pure so it can be tested on its own. */
export function applyRules(
  snaps: readonly { id: string; device: string; time: number }[],
  rules: ForgetRules,
): { keep: Map<string, string[]>; remove: string[] } {
  const keep = new Map<string, string[]>();
  const byDevice = new Map<string, { id: string; time: number }[]>();
  for (const s of snaps) {
    const list = byDevice.get(s.device) ?? [];
    list.push(s);
    byDevice.set(s.device, list);
  }
  const mark = (id: string, why: string): void => {
    const list = keep.get(id) ?? [];
    list.push(why);
    keep.set(id, list);
  };
  for (const list of byDevice.values()) {
    list.sort((a, b) => b.time - a.time || (a.id < b.id ? 1 : -1));
    list.slice(0, rules.keepLast ?? 0).forEach((s) => mark(s.id, 'last'));
    for (const [rule, key] of [
      ['keepDaily', 'daily'],
      ['keepWeekly', 'weekly'],
      ['keepMonthly', 'monthly'],
      ['keepYearly', 'yearly'],
    ] as const) {
      const n = rules[rule] ?? 0;
      const seen = new Set<string>();
      for (const s of list) {
        if (seen.size >= n) break;
        const k = bucketKeys(s.time)[key];
        if (seen.has(k)) continue;
        seen.add(k);
        mark(s.id, key);
      }
    }
  }
  return { keep, remove: snaps.filter((s) => !keep.has(s.id)).map((s) => s.id) };
}

export async function forgetSnapshots(
  core: StoreCore,
  rules: ForgetRules,
  opts: { dryRun?: boolean; device?: string },
): Promise<ForgetResult> {
  const values = Object.values(rules).filter((v) => v !== undefined);
  if (values.length === 0 || values.some((v) => !Number.isInteger(v) || (v as number) < 0)) {
    throw new LifelineError('invalid_input', 'Give at least one keep rule with a whole number (e.g. --keep-last 3); without rules nothing is forgotten.');
  }
  if (values.every((v) => v === 0)) {
    throw new LifelineError('invalid_input', 'Every keep rule is 0, which would forget every snapshot. Keep at least one.');
  }
  const db = core.db;
  const all = (db.prepare('SELECT object FROM snapshots').pluck().all() as string[]).map((o) => JSON.parse(o) as SnapshotObject);
  const scope = all.filter((s) => opts.device === undefined || s.device === opts.device);
  const { keep, remove } = applyRules(scope, rules);
  const result: ForgetResult = {
    keep: scope.filter((s) => keep.has(s.id)).map((s) => ({ id: s.id, device: s.device, time: s.time, reasons: keep.get(s.id) ?? [] })),
    remove: scope.filter((s) => remove.includes(s.id)).map((s) => ({ id: s.id, device: s.device, time: s.time })),
    dryRun: opts.dryRun ?? false,
  };
  if (opts.dryRun || remove.length === 0) return result;
  // Files first: the snapshot file is the truth, the catalog follows it.
  for (const id of remove) fs.rmSync(paths.snapshot(core.dir, id), { force: true });
  await fsyncDir(paths.snapshotsDir(core.dir));
  const del = db.prepare('DELETE FROM snapshots WHERE id = ?');
  db.transaction(() => remove.forEach((id) => del.run(id)))();
  collectCatalogGarbage(core);
  return result;
}

/**
 * Removes data no snapshot needs. Packs with nothing in use are deleted; packs with more than
 * `maxUnusedPercent` unused bytes have their live pieces copied into new packs first. Order: new packs
 * durable -> index points at them -> old packs deleted, so a crash anywhere leaves every piece reachable.
 */
export async function pruneStore(core: StoreCore, opts: { maxUnusedPercent?: number; dryRun?: boolean }): Promise<PruneResult> {
  const db = core.db;
  const maxUnused = (opts.maxUnusedPercent ?? 5) / 100;
  // Snapshots the catalog does not hold (unreadable) would make the live set incomplete: refuse.
  const known = new Set(db.prepare('SELECT id FROM snapshots').pluck().all() as string[]);
  const unknown = core.listSnapshotFiles().filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new LifelineError(
      'corrupt_data',
      `Prune stopped before deleting anything: snapshot${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')} could not be read into the catalog, so what they need is unknown. Run "verify" to see the damage.`,
    );
  }
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS live (id BLOB PRIMARY KEY) WITHOUT ROWID; DELETE FROM live;`);
  db.exec(`${ALL_NODES_CTE} INSERT OR IGNORE INTO live SELECT node FROM t;`);
  db.exec(`${ALL_NODES_CTE} INSERT OR IGNORE INTO live SELECT ip.piece FROM t JOIN node_items ni ON ni.node = t.node JOIN item_pieces ip ON ip.item = ni.item;`);
  // A record's own piece is its key (it has no item_pieces row).
  db.exec(`${ALL_NODES_CTE} INSERT OR IGNORE INTO live SELECT i.key FROM t JOIN node_items ni ON ni.node = t.node JOIN items i ON i.id = ni.item WHERE i.kind <> 'media';`);
  // A live bundled piece keeps its bundle (every copy of it; the first intact one is claimed below).
  db.exec(`INSERT OR IGNORE INTO live SELECT DISTINCT p.bundle FROM live l JOIN pieces p ON p.id = l.id WHERE p.bundle IS NOT NULL;`);

  const packs = db.prepare('SELECT id, size FROM packs WHERE missing = 0 ORDER BY id').all() as { id: string; size: number }[];
  const bundleRow = db.prepare('SELECT compression, raw_length FROM pieces WHERE id = ? AND pack = ?');
  // Each live piece is claimed by one pack: the first intact one (by pack id) holding it, so a piece stored
  // twice (after a crash or an earlier repack) is live in that pack only. One pass over `live` in id order
  // joins the index in its own order; the old way, pack by pack, looked every piece up at random (25 of the
  // 85 s a prune of 900,000 pieces took). Claims live in a temp table, not in JS: a pack of small records
  // has 200,000 pieces.
  db.exec(`
    CREATE TEMP TABLE IF NOT EXISTS claimed (id BLOB PRIMARY KEY, pack TEXT NOT NULL) WITHOUT ROWID;
    DROP INDEX IF EXISTS temp.claimed_pack;
    DELETE FROM claimed;
    INSERT INTO claimed (id, pack)
      SELECT p.id, min(p.pack) FROM live l JOIN pieces p ON p.id = l.id JOIN packs k ON k.id = p.pack
      WHERE p.damaged = 0 AND k.missing = 0 GROUP BY p.id;
    CREATE INDEX temp.claimed_pack ON claimed (pack);
  `);
  const liveByPack = new Map<string, { live: number; liveBytes: number }>();
  const claimedStats = db.prepare(
    `SELECT c.pack AS pack, count(*) AS live, COALESCE(SUM(CASE WHEN p.compression <> ${Compression.bundled} THEN p.length ELSE 0 END), 0) AS liveBytes
     FROM claimed c JOIN pieces p ON p.id = c.id AND p.pack = c.pack GROUP BY c.pack`,
  );
  for (const r of claimedStats.all() as { pack: string; live: number; liveBytes: number }[]) liveByPack.set(r.pack, r);
  // A pack's data bytes are its pieces' (bundle members lie inside their bundle): its table of contents
  // is not unused space. Comparing live bytes with the file size counted the table as garbage, so every pack
  // of small records (7-14 % of it is table, a piece id and offsets per record) was rewritten by every prune.
  const totalsByPack = new Map<string, { total: number; damaged: number; dataBytes: number }>();
  const packTotals = db.prepare(
    `SELECT pack, count(*) AS total, COALESCE(SUM(damaged <> 0), 0) AS damaged,
       COALESCE(SUM(CASE WHEN compression <> ${Compression.bundled} THEN length ELSE 0 END), 0) AS dataBytes
     FROM pieces GROUP BY pack`,
  );
  for (const r of packTotals.all() as { pack: string; total: number; damaged: number; dataBytes: number }[]) totalsByPack.set(r.pack, r);
  // A rewritten pack's live pieces are copied in pack order into a numbered temp table and read a page at a time.
  // A bundle sorts before the pieces inside it (same offset, lower compression value).
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS rewrite_rows (
    seq INTEGER PRIMARY KEY, id BLOB NOT NULL, type INTEGER NOT NULL, compression INTEGER NOT NULL, offset INTEGER NOT NULL,
    length INTEGER NOT NULL, raw_length INTEGER NOT NULL, bundle BLOB, bundle_at INTEGER NOT NULL); DELETE FROM rewrite_rows;`);
  const stageRows = db.prepare(
    `INSERT INTO rewrite_rows (id, type, compression, offset, length, raw_length, bundle, bundle_at)
     SELECT p.id, p.type, p.compression, p.offset, p.length, p.raw_length, p.bundle, p.bundle_at
     FROM claimed c JOIN pieces p ON p.id = c.id AND p.pack = c.pack WHERE c.pack = ? ORDER BY p.offset, p.compression`,
  );
  const pageRows = db.prepare('SELECT seq, id, type, compression, offset, length, raw_length, bundle, bundle_at FROM rewrite_rows WHERE seq > ? ORDER BY seq LIMIT ?');
  const REWRITE_PAGE = 5000;
  type Row = { seq: number; id: Buffer; type: number; compression: number; offset: number; length: number; raw_length: number; bundle: Buffer | null; bundle_at: number };
  const plan: { pack: string; size: number; liveBytes: number; action: 'keep' | 'delete' | 'rewrite' }[] = [];
  const result: PruneResult = {
    packsDeleted: 0,
    packsRewritten: 0,
    packsWritten: 0,
    bytesBefore: 0,
    bytesAfter: 0,
    piecesRemoved: 0,
    packsSkippedDamaged: [],
    dryRun: opts.dryRun ?? false,
  };
  for (const p of packs) {
    result.bytesBefore += p.size;
    const { live, liveBytes } = liveByPack.get(p.id) ?? { live: 0, liveBytes: 0 };
    const { total, damaged, dataBytes } = totalsByPack.get(p.id) ?? { total: 0, damaged: 0, dataBytes: 0 };
    result.piecesRemoved += total - live;
    const unused = 1 - liveBytes / Math.max(1, dataBytes);
    const action = live === 0 ? 'delete' : unused > maxUnused ? 'rewrite' : 'keep';
    if (damaged > 0 && action !== 'keep') {
      // Keep damaged packs as they are; verify reports them and a later backup re-stores what it can.
      result.packsSkippedDamaged.push(p.id);
      plan.push({ pack: p.id, size: p.size, liveBytes, action: 'keep' });
      continue;
    }
    plan.push({ pack: p.id, size: p.size, liveBytes, action });
  }
  if (opts.dryRun) {
    result.packsDeleted = plan.filter((p) => p.action === 'delete').length;
    result.packsRewritten = plan.filter((p) => p.action === 'rewrite').length;
    result.bytesAfter = plan.reduce((n, p) => n + (p.action === 'keep' ? p.size : p.action === 'rewrite' ? p.liveBytes : 0), 0);
    return result;
  }

  if (plan.some((p) => p.action === 'rewrite')) await core.upgradeFormat();
  let builder = core.newPackBuilder();
  const written: { id: string; size: number }[] = [];
  const flush = async (): Promise<void> => {
    if (builder.count === 0) return;
    written.push(await core.writePack(builder));
    builder = core.newPackBuilder();
  };
  const scratch = new ScratchReader();
  try {
    for (const p of plan.filter((x) => x.action === 'rewrite')) {
      const bytes = scratch.read(paths.pack(core.dir, p.pack));
      // Bundles copied into the current builder, so their pieces can point at the new copy.
      let copied = new Map<string, TocEntry>();
      const copy = (id: Buffer, type: number, compression: number, rawLength: number, offset: number, length: number): TocEntry => {
        const sealed = bytes.subarray(offset, offset + length);
        // Check before copying: a damaged piece must not be carried into a new pack as if it were good.
        unsealPiece(core.keys.enc, id, sealed, compression, rawLength);
        return builder.addSealed(id, type as PieceType, compression as Compression, rawLength, Buffer.from(sealed));
      };
      db.exec('DELETE FROM rewrite_rows');
      stageRows.run(p.pack);
      for (let after = 0, page: Row[]; (page = pageRows.all(after, REWRITE_PAGE) as Row[]).length > 0; after = (page[page.length - 1] as Row).seq) {
        for (const r of page) {
          if (r.compression === Compression.bundled) {
            const bundleId = r.bundle as Buffer;
            let entry = copied.get(bundleId.toString('hex'));
            if (!entry) {
              // The bundle itself was claimed in another pack; this pack's copy comes along for its live piece.
              const b = bundleRow.get(bundleId, p.pack) as { compression: number; raw_length: number } | undefined;
              if (!b) throw new LifelineError('corrupt_data', `Pack ${p.pack} lists a piece in a bundle it does not hold. Run "rebuild-index".`);
              entry = copy(bundleId, PieceType.bundle, b.compression, b.raw_length, r.offset, r.length);
              copied.set(bundleId.toString('hex'), entry);
            }
            builder.addBundled(r.id, r.type as PieceType, r.raw_length, entry, r.bundle_at);
            continue;
          }
          // A bundle and its pieces stay in one pack: a new pack starts only before something that is not inside one.
          if (builder.byteSize >= core.config.packSize) {
            await flush();
            copied = new Map();
          }
          const entry = copy(r.id, r.type, r.compression, r.raw_length, r.offset, r.length);
          if (r.type === PieceType.bundle) copied.set(r.id.toString('hex'), entry);
        }
      }
    }
    await flush();
  } finally {
    builder.discard();
  }
  const gone = plan.filter((p) => p.action !== 'keep').map((p) => p.pack);
  const delPieces = db.prepare('DELETE FROM pieces WHERE pack = ?');
  const delPack = db.prepare('DELETE FROM packs WHERE id = ?');
  db.transaction(() => {
    for (const id of gone) {
      delPieces.run(id);
      delPack.run(id);
    }
  })();
  core.dropFds();
  const dirs = new Set<string>();
  for (const id of gone) {
    const file = paths.pack(core.dir, id);
    fs.rmSync(file, { force: true });
    dirs.add(path.dirname(file));
  }
  for (const d of dirs) await fsyncDir(d);
  result.packsDeleted = plan.filter((p) => p.action === 'delete').length;
  result.packsRewritten = plan.filter((p) => p.action === 'rewrite').length;
  result.packsWritten = written.length;
  result.bytesAfter = (db.prepare('SELECT COALESCE(SUM(size), 0) FROM packs WHERE missing = 0').pluck().get() as number);
  return result;
}
