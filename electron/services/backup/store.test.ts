import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LifelineError } from '../../../contract';
import { BackupStore } from './store';
import { jpegHeader, JPEG_END } from '../../../bench/corpus/jpeg';
import { readMediaFile } from './import/media';
import { scanSource } from './import/scan';
import type { PhoneRecord } from './import/types';
import { FORMAT_VERSION, paths } from './layout';
import { PieceType } from './pack';
import { canonicalJson } from './records';
import { DEFAULT_KDF_LOG_N } from './crypto';
import { READ_BACK_SHARE, readBackSample } from './verify';
import {
  TEST_CHUNKER,
  TEST_KDF_LOG_N,
  TEST_PACK_SIZE,
  corpusEvents,
  fakeJpeg,
  makeCorpus,
  tempDir,
  treeFiles,
  writeMedia,
} from './test-support';

const PASS = 'correct horse battery';
const opened: BackupStore[] = [];

async function newStore(): Promise<{ store: BackupStore; dir: string; src: string }> {
  const base = tempDir();
  const dir = path.join(base, 'store');
  const src = path.join(base, 'src');
  const store = await BackupStore.init(dir, PASS, { kdfLogN: TEST_KDF_LOG_N, chunker: TEST_CHUNKER, packSize: TEST_PACK_SIZE });
  opened.push(store);
  return { store, dir, src };
}

async function reopen(dir: string): Promise<BackupStore> {
  const store = await BackupStore.open(dir, PASS);
  opened.push(store);
  return store;
}

afterEach(() => {
  for (const s of opened.splice(0)) s.close();
});

async function restoreAll(store: BackupStore, ref: string) {
  const records: PhoneRecord[] = [];
  const media = new Map<string, Buffer>();
  const damaged: string[] = [];
  for await (const item of store.restoreItems(ref)) {
    if (item.type === 'record') records.push(item.record);
    else if (item.type === 'media') {
      const parts: Buffer[] = [];
      try {
        for await (const b of item.read()) parts.push(b);
        media.set(item.media.path, Buffer.concat(parts));
      } catch (error) {
        damaged.push(`${item.media.path}: ${(error as Error).message}`);
      }
    } else damaged.push(`${item.what}: ${item.reason}`);
  }
  return { records, media, damaged };
}

const sortKey = (r: PhoneRecord): string => JSON.stringify([r.kind, 'date' in r ? r.date : 0, 'body' in r ? r.body : '', 'fullName' in r ? r.fullName : '', 'relPath' in r ? r.relPath : '', 'number' in r ? r.number : '']);

function catalogDump(store: BackupStore) {
  const db = store.internals.db;
  return {
    snapshots: store.snapshots(),
    items: store.snapshots().map((s) => store.ls(s.id)),
    pieces: db.prepare('SELECT hex(id) AS id, pack, type, compression, offset, length, raw_length FROM pieces ORDER BY id, pack').all(),
    packs: db.prepare('SELECT id, size, pieces FROM packs ORDER BY id').all(),
    search: store.snapshots().map((s) => store.ls(s.id, { query: 'station' }).length),
  };
}

describe('BackupStore', () => {
  it('backs up records and media and restores them equal, byte-identical', async () => {
    const { store, src } = await newStore();
    const corpus = makeCorpus(src, 1);
    const receipt = await store.backup({ device: 'Ana phone', events: corpusEvents(corpus) });
    expect(receipt.kinds.sms?.items).toBe(60);
    expect(receipt.kinds.media?.items).toBe(corpus.media.length);
    expect(receipt.skipped.count).toBe(1);
    expect(receipt.skipped.items[0]?.reason).toBe('unclosed element');
    expect(receipt.digest.value).toMatch(/^[0-9a-f]{64}$/);

    const out = await restoreAll(store, receipt.snapshot);
    expect(out.damaged).toEqual([]);
    expect(out.records.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1))).toEqual([...corpus.records].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1)));
    for (const m of corpus.media) expect(out.media.get(m.relPath)?.equals(fs.readFileSync(m.absPath))).toBe(true);

    const sms = store.ls(receipt.snapshot, { kinds: ['sms'] });
    expect(sms).toHaveLength(60);
    expect(store.ls(receipt.snapshot, { query: 'station' }).every((i) => i.preview?.includes('station'))).toBe(true);
    expect(store.ls(receipt.snapshot, { kinds: ['media'] }).map((i) => i.relPath)).toContain('DCIM/Camera/IMG_0001.jpg');
  });

  it('an unchanged second backup adds nothing and has the same digest; a small change adds little', async () => {
    const { store, src } = await newStore();
    const corpus = makeCorpus(src, 2);
    const first = await store.backup({ device: 'p', events: corpusEvents(corpus) });
    const second = await store.backup({ device: 'p', events: corpusEvents(corpus) });
    expect(second.totals.newBytes).toBe(0);
    expect(second.totals.storedBytes).toBe(0);
    expect(second.digest.value).toBe(first.digest.value);
    expect(second.parent).toBe(first.snapshot);

    corpus.records.push({ kind: 'sms', address: '+15550100001', date: Date.UTC(2026, 1, 1), type: 1, body: 'one more', attrs: {} });
    const third = await store.backup({ device: 'p', events: corpusEvents(corpus) });
    expect(third.kinds.sms?.newItems).toBe(1);
    expect(third.totals.newItems).toBe(1);
    expect(third.totals.storedBytes).toBeLessThan(first.totals.storedBytes / 4);
    expect(third.digest.value).not.toBe(first.digest.value);
  });

  it('stores an MMS picture that is also in the gallery once, and merges duplicate records', async () => {
    const { store, src } = await newStore();
    const corpus = makeCorpus(src, 3, { photos: 1 });
    const mmsOnly = { records: corpus.records.filter((r) => r.kind === 'mms'), media: [] };
    const a = await store.backup({ device: 'p', events: corpusEvents(mmsOnly) });
    expect(a.kinds.mms?.newBytes).toBeGreaterThan(30_000);
    const photoOnly = { records: [], media: corpus.media.filter((m) => m.relPath.endsWith('IMG_0000.jpg')) };
    const b = await store.backup({ device: 'p', events: corpusEvents(photoOnly) });
    expect(b.kinds.media?.items).toBe(1);
    expect(b.kinds.media?.newBytes).toBe(0);

    const dup = corpus.records.find((r) => r.kind === 'sms') as PhoneRecord;
    const c = await store.backup({ device: 'p', events: corpusEvents({ records: [dup, { ...dup }], media: [] }) });
    expect(c.kinds.sms?.items).toBe(1);
    expect(c.duplicates).toBe(1);
  });

  it('writes every tree node as canonical JSON, records leaves with their keys sorted', async () => {
    const { store, src } = await newStore();
    await store.backup({ device: 'p', events: corpusEvents(makeCorpus(src, 33, { sms: 400, photos: 3 })) });
    const core = store.internals;
    const nodes = core.db.prepare('SELECT id, type, count FROM nodes').all() as { id: Buffer; type: string; count: number }[];
    expect(nodes.some((n) => n.type === 'records')).toBe(true);
    expect(nodes.some((n) => n.type === 'media')).toBe(true);
    for (const n of nodes) {
      const text = core.readPiece(n.id).toString('utf8');
      const node = JSON.parse(text) as { type: string; items?: unknown[] };
      expect(canonicalJson(node)).toBe(text);
      if (node.type === 'records') {
        expect(node.items).toHaveLength(n.count);
        expect(node.items).toEqual([...(node.items as string[])].sort());
      }
    }
  });

  it('holds a photo given twice in one run (the same folder in two sources) once in the snapshot, as run entries rely on', async () => {
    const { store, src } = await newStore();
    const m = writeMedia(src, 'DCIM/twice.jpg', fakeJpeg(9, 40_000), 'image/jpeg', Date.UTC(2025, 0, 3));
    const once = await store.backup({ device: 'p', events: corpusEvents({ records: [], media: [m] }) });
    const twice = await store.backup({ device: 'p', events: corpusEvents({ records: [], media: [m, { ...m }] }) });
    expect(twice.digest.value).toBe(once.digest.value);
    expect(store.ls(twice.snapshot).filter((i) => i.kind === 'media')).toHaveLength(1);
    const out = await restoreAll(store, twice.snapshot);
    expect([...out.media.keys()]).toEqual(['DCIM/twice.jpg']);
    expect(out.damaged).toEqual([]);
  });

  it('skips unchanged files through the file cache and rereads changed ones', async () => {
    const { store, src } = await newStore();
    const m = writeMedia(src, 'DCIM/a.jpg', fakeJpeg(5, 50_000), 'image/jpeg', Date.UTC(2025, 0, 1));
    await store.backup({ device: 'p', events: corpusEvents({ records: [], media: [m] }) });
    // Same size and mtime but different bytes: the cache trusts size+mtime, as restic does.
    const changed = writeMedia(src, 'DCIM/a.jpg', fakeJpeg(6, 50_000), 'image/jpeg', Date.UTC(2025, 0, 2));
    const r = await store.backup({ device: 'p', events: corpusEvents({ records: [], media: [changed] }) });
    expect(r.kinds.media?.newBytes).toBe(50_000);
    const again = await store.backup({ device: 'p', events: corpusEvents({ records: [], media: [changed] }) });
    expect(again.kinds.media?.newBytes).toBe(0);
    const out = await restoreAll(store, again.snapshot);
    expect(out.media.get('DCIM/a.jpg')?.equals(fs.readFileSync(changed.absPath))).toBe(true);
  });

  it('finds files in the file cache whatever the sub-millisecond part of their mtime', async () => {
    const { store, src } = await newStore();
    const base = Date.UTC(2025, 0, 1) / 1000;
    const files = [0.0002, 0.0005, 0.0007, 0.0009].map((frac, i) => {
      const m = writeMedia(src, `DCIM/f${i}.jpg`, fakeJpeg(20 + i, 30_000), 'image/jpeg', Date.UTC(2025, 0, 1));
      fs.utimesSync(m.absPath, base, base + frac);
      return { media: m, secs: base + frac };
    });
    expect(new Set(files.map((f) => Math.round(fs.statSync(f.media.absPath).mtimeMs * 10) % 10)).size).toBeGreaterThan(1);
    // Through the real media importer, which reports mtimes in whole ms.
    async function* scanned() {
      for (const f of files) yield await readMediaFile(f.media.absPath, f.media.relPath);
    }
    const first = await store.backup({ device: 'p', events: scanned() });
    // New bytes of the same size under the same mtime: only a cache hit keeps the old content.
    for (const [i, f] of files.entries()) {
      const before = fs.statSync(f.media.absPath).mtimeMs;
      fs.writeFileSync(f.media.absPath, fakeJpeg(40 + i, 30_000));
      fs.utimesSync(f.media.absPath, base, f.secs);
      expect(fs.statSync(f.media.absPath).mtimeMs).toBe(before);
    }
    const again = await store.backup({ device: 'p', events: scanned() });
    expect(again.kinds.media?.newBytes).toBe(0);
    expect(again.kinds.media?.items).toBe(4);
    expect(again.digest).toEqual(first.digest);
  });

  it('takes date, place and type of a photo the file cache knows from there, without opening the file', async () => {
    const { store, src } = await newStore();
    const photo = (day: number, lat: number): Buffer =>
      Buffer.concat([jpegHeader({ date: { year: 2024, month: 3, day, hour: 9, minute: 0, second: 0 }, offset: '+00:00', lat, lon: 20 }), Buffer.alloc(50_000, day), JPEG_END]);
    const write = (rel: string, data: Buffer, secs: number): string => {
      const file = path.join(src, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, data);
      fs.utimesSync(file, secs, secs);
      return file;
    };
    write('DCIM/a.jpg', photo(1, 10), 1_700_000_000);
    const b = write('DCIM/b.jpg', photo(2, 11), 1_700_000_100);
    const taken = async (snapshot: string): Promise<Record<string, [number | undefined, number | undefined]>> => {
      const out: Record<string, [number | undefined, number | undefined]> = {};
      for await (const item of store.restoreItems(snapshot, { kinds: ['media'] })) if (item.type === 'media') out[item.media.path] = [item.media.takenAt, item.media.place?.lat];
      return out;
    };
    const backup = (known: boolean) => store.backup({ device: 'p', events: scanSource([src], known ? { knownMedia: store.knownMedia(' p ') } : {}) });
    const first = await backup(true);
    expect(await taken(first.snapshot)).toEqual({ 'DCIM/a.jpg': [Date.UTC(2024, 2, 1, 9), 10], 'DCIM/b.jpg': [Date.UTC(2024, 2, 2, 9), 11] });
    // New headers of the same length: a.jpg keeps its size and mtime (known: not read), b.jpg gets a new mtime.
    write('DCIM/a.jpg', photo(5, 15), 1_700_000_000);
    write('DCIM/b.jpg', photo(6, 16), 1_700_000_200);
    expect(fs.statSync(b).size).toBe(photo(2, 11).length);
    const second = await backup(true);
    expect(await taken(second.snapshot)).toEqual({ 'DCIM/a.jpg': [Date.UTC(2024, 2, 1, 9), 10], 'DCIM/b.jpg': [Date.UTC(2024, 2, 6, 9), 16] });
    // Without the hook every header is read.
    const third = await backup(false);
    expect((await taken(third.snapshot))['DCIM/a.jpg']).toEqual([Date.UTC(2024, 2, 5, 9), 15]);
  });

  it('reads back a share of the packs a backup wrote, and marks what it finds damaged', async () => {
    const { store, dir, src } = await newStore();
    const corpus = makeCorpus(src, 8);
    const first = await store.backup({ device: 'p', events: corpusEvents(corpus) });
    const packs = store.internals.listPackFiles();
    expect(packs.length).toBeGreaterThan(1);
    expect(first.readBack).toMatchObject({ ok: true, packsWritten: packs.length, problems: [] });
    expect(first.readBack?.packsRead).toBe(Math.ceil(packs.length * READ_BACK_SHARE));
    expect(first.readBack?.packsRead).toBeLessThan(packs.length);
    expect(first.readBack?.piecesChecked).toBeGreaterThan(0);
    // Nothing new written: nothing to read back.
    const again = await store.backup({ device: 'p', events: corpusEvents(corpus) });
    expect(again.readBack).toMatchObject({ ok: true, packsWritten: 0, packsRead: 0 });
    // A pack damaged on disk after it was written is found, and its pieces are marked for the next backup.
    const victim = packs[0] as string;
    const file = paths.pack(dir, victim);
    const bytes = fs.readFileSync(file);
    bytes[40] = (bytes[40] as number) ^ 0xff;
    fs.writeFileSync(file, bytes);
    const found = await readBackSample(store.internals, [victim]);
    expect(found.ok).toBe(false);
    expect(found.packsRead).toBe(1);
    expect(found.problems.some((m) => m.includes(victim))).toBe(true);
    const marked = store.internals.db.prepare('SELECT COUNT(*) FROM pieces WHERE pack = ? AND damaged <> 0').pluck().get(victim) as number;
    expect(marked).toBeGreaterThan(0);
    // A cancel stops the reading (the snapshot is committed by then): nothing read, nothing claimed.
    const stopped = await readBackSample(store.internals, packs, 1, AbortSignal.abort());
    expect(stopped).toMatchObject({ packsWritten: packs.length, packsRead: 0, ok: true });
  });

  it('prune rewrites a pack of many bundled records page by page and keeps every live record readable', async () => {
    const { store } = await newStore();
    const sms = (i: number): PhoneRecord => ({
      kind: 'sms',
      address: `+1555010${String(i % 40).padStart(4, '0')}`,
      date: Date.UTC(2024, 0, 1) + i * 60_000,
      type: 1,
      body: `message number ${i} with some words to fill a bundle`,
      attrs: {},
    });
    const all = Array.from({ length: 12_000 }, (_, i) => sms(i));
    await store.backup({ device: 'p', events: corpusEvents({ records: all, media: [] }) });
    const kept = all.filter((_, i) => i % 3 !== 0);
    const last = await store.backup({ device: 'p', events: corpusEvents({ records: kept, media: [] }) });
    await store.forget({ keepLast: 1 });
    const pruned = await store.prune({ maxUnusedPercent: 0 });
    expect(pruned.packsRewritten + pruned.packsDeleted).toBeGreaterThan(0);
    expect(pruned.piecesRemoved).toBeGreaterThanOrEqual(4000);
    expect((await store.verify({ readData: 'all' })).ok).toBe(true);
    const out = await restoreAll(store, last.snapshot);
    expect(out.damaged).toEqual([]);
    const bodies = out.records.map((r) => (r.kind === 'sms' ? r.body : '')).sort();
    expect(bodies).toEqual(kept.map((r) => (r.kind === 'sms' ? r.body : '')).sort());
  });

  it('computes the same piece ids on the thread pool as in place', async () => {
    const { store } = await newStore();
    const core = store.internals;
    for (const size of [0, 1, 4096, 1_500_000]) {
      const data = fakeJpeg(size + 3, Math.max(size, 1)).subarray(0, size);
      expect((await core.pieceIdAsync(PieceType.chunk, data)).equals(core.pieceId(PieceType.chunk, data))).toBe(true);
    }
    expect((await core.pieceIdAsync(PieceType.record, Buffer.from('x'))).equals(core.pieceId(PieceType.chunk, Buffer.from('x')))).toBe(false);
  });

  it('refuses a wrong passphrase with wrong_passphrase and writes nothing', async () => {
    const { store, dir, src } = await newStore();
    await store.backup({ device: 'p', events: corpusEvents(makeCorpus(src, 4)) });
    store.close();
    const before = treeFiles(dir).map((f) => [f, fs.statSync(path.join(dir, f)).mtimeMs, fs.statSync(path.join(dir, f)).size]);
    const err = await BackupStore.open(dir, 'not the passphrase').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LifelineError);
    expect((err as LifelineError).code).toBe('wrong_passphrase');
    const after = treeFiles(dir).map((f) => [f, fs.statSync(path.join(dir, f)).mtimeMs, fs.statSync(path.join(dir, f)).size]);
    expect(after).toEqual(before);
  });

  it('refuses a store written by a newer format and a missing store', async () => {
    const { store, dir } = await newStore();
    store.close();
    const cfg = JSON.parse(fs.readFileSync(paths.config(dir), 'utf8')) as { version: number };
    fs.writeFileSync(paths.config(dir), JSON.stringify({ ...cfg, version: FORMAT_VERSION + 1 }));
    await expect(BackupStore.open(dir, PASS)).rejects.toMatchObject({ code: 'unsupported_version' });
    await expect(BackupStore.open(path.join(dir, 'nope'), PASS)).rejects.toMatchObject({ code: 'store_missing' });
  });

  it('changes the passphrase and keeps every snapshot readable', async () => {
    const { store, dir, src } = await newStore();
    const r = await store.backup({ device: 'p', events: corpusEvents(makeCorpus(src, 5)) });
    await store.changePassphrase(PASS, 'a brand new passphrase');
    store.close();
    await expect(BackupStore.open(dir, PASS)).rejects.toMatchObject({ code: 'wrong_passphrase' });
    const again = await BackupStore.open(dir, 'a brand new passphrase');
    opened.push(again);
    const out = await restoreAll(again, r.snapshot);
    expect(out.damaged).toEqual([]);
    expect(out.records.length).toBeGreaterThan(50);
  });

  it('raises a cheaper key derivation cost to the default when the passphrase changes, and keeps a given one', async () => {
    const { store, dir } = await newStore();
    const logN = (): number => (JSON.parse(fs.readFileSync(paths.config(dir), 'utf8')) as { kdf: { logN: number } }).kdf.logN;
    expect(logN()).toBe(TEST_KDF_LOG_N);
    await store.changePassphrase(PASS, 'second passphrase', TEST_KDF_LOG_N + 1);
    expect(logN()).toBe(TEST_KDF_LOG_N + 1);
    await store.changePassphrase('second passphrase', 'third passphrase');
    expect(logN()).toBe(DEFAULT_KDF_LOG_N);
    store.close();
    const again = await BackupStore.open(dir, 'third passphrase');
    opened.push(again);
    expect(again.snapshots()).toEqual([]);
  });

  it('rebuilds an index equal to the original from packs and snapshots alone', async () => {
    const { store, dir, src } = await newStore();
    const corpus = makeCorpus(src, 6);
    await store.backup({ device: 'a', events: corpusEvents(corpus) });
    corpus.records.splice(0, 5);
    await store.backup({ device: 'b', events: corpusEvents(corpus) });
    const before = catalogDump(store);
    await store.rebuildIndex();
    expect(catalogDump(store)).toEqual(before);
    store.close();
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(paths.index(dir) + suffix, { force: true });
    const fresh = await reopen(dir);
    expect(catalogDump(fresh)).toEqual(before);
    fresh.close();
    // A damaged index file is derived data: opening replaces it and rebuilds the catalog.
    for (const suffix of ['-wal', '-shm']) fs.rmSync(paths.index(dir) + suffix, { force: true });
    fs.writeFileSync(paths.index(dir), Buffer.alloc(8192, 0x5a));
    const healed = await reopen(dir);
    expect(catalogDump(healed)).toEqual(before);
  });

  it('forget keeps what the rules say and prune frees space while the kept snapshot still restores', async () => {
    const { store, src } = await newStore();
    const receipts = [];
    for (let i = 0; i < 3; i++) {
      const corpus = makeCorpus(path.join(src, String(i)), 10 + i, { photos: 3 });
      receipts.push(await store.backup({ device: 'p', events: corpusEvents(corpus) }));
    }
    const bytesBefore = store.internals.db.prepare('SELECT SUM(size) FROM packs').pluck().get() as number;
    const dry = await store.forget({ keepLast: 1 }, { dryRun: true });
    expect(dry.remove.map((s) => s.id).sort()).toEqual([receipts[0]?.snapshot, receipts[1]?.snapshot].sort());
    expect(store.snapshots()).toHaveLength(3);
    const res = await store.forget({ keepLast: 1 }, { prune: true });
    expect(res.remove).toHaveLength(2);
    expect(store.snapshots().map((s) => s.id)).toEqual([receipts[2]?.snapshot]);
    expect((res.prune?.packsDeleted ?? 0) + (res.prune?.packsRewritten ?? 0)).toBeGreaterThan(0);
    const bytesAfter = store.internals.db.prepare('SELECT SUM(size) FROM packs').pluck().get() as number;
    expect(bytesAfter).toBeLessThan(bytesBefore * 0.6);
    const out = await restoreAll(store, 'latest');
    expect(out.damaged).toEqual([]);
    expect((await store.verify({ readData: 'all' })).ok).toBe(true);
    await expect(store.forget({})).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('prune leaves packs with nothing unused alone (a pack\'s table of contents is not unused space)', async () => {
    const { store, src } = await newStore();
    // Many small records: their packs are mostly bundles, with a table entry for every record.
    await store.backup({ device: 'p', events: corpusEvents(makeCorpus(src, 32, { sms: 3000, photos: 1 })) });
    const result = await store.prune({});
    expect(result).toMatchObject({ packsDeleted: 0, packsRewritten: 0, packsWritten: 0, piecesRemoved: 0 });
  });

  it('prune keeps one copy of pieces stored in two packs: the first intact one, by pack id', async () => {
    const { store, dir, src } = await newStore();
    const corpus = makeCorpus(src, 31, { photos: 2 });
    const receipt = await store.backup({ device: 'p', events: corpusEvents(corpus) });
    const db = store.internals.db;
    const packs = db.prepare('SELECT id FROM packs ORDER BY id').pluck().all() as string[];
    // A crash after a pack was renamed but before it was indexed leaves its pieces to be stored again; here
    // the last pack is copied under the lowest id, and opening indexes the copy next to the original.
    const original = packs[packs.length - 1] as string;
    const copy = `00${original.slice(2)}`;
    fs.mkdirSync(path.dirname(paths.pack(dir, copy)), { recursive: true });
    fs.copyFileSync(paths.pack(dir, original), paths.pack(dir, copy));
    store.close();
    const again = await reopen(dir);
    const adb = again.internals.db;
    const copies = adb.prepare('SELECT count(*) FROM pieces WHERE pack = ?').pluck();
    expect(copies.get(copy)).toBe(copies.get(original));

    // The copy sorts first, so it holds the live pieces and the original is all unused.
    const first = await again.prune({});
    expect(first.packsDeleted).toBe(1);
    expect(adb.prepare('SELECT count(*) FROM packs WHERE id = ?').pluck().get(original)).toBe(0);
    expect(fs.existsSync(paths.pack(dir, original))).toBe(false);
    expect((await restoreAll(again, receipt.snapshot)).damaged).toEqual([]);

    // With a piece of the first copy damaged, the intact copy in a later pack is the one kept.
    fs.copyFileSync(paths.pack(dir, copy), paths.pack(dir, original));
    again.close();
    const third = await reopen(dir);
    const tdb = third.internals.db;
    const victim = tdb.prepare('SELECT id FROM pieces WHERE pack = ? LIMIT 1').pluck().get(copy) as Buffer;
    tdb.prepare('UPDATE pieces SET damaged = 1 WHERE id = ? AND pack = ?').run(victim, copy);
    const second = await third.prune({});
    // The original now holds one live piece (it is repacked); the damaged copy is never deleted.
    expect(second.packsDeleted).toBe(0);
    expect(second.packsRewritten).toBeGreaterThanOrEqual(1);
    const holders = tdb.prepare('SELECT pack FROM pieces WHERE id = ? AND damaged = 0').pluck().all(victim);
    expect(holders).toHaveLength(1);
    expect(holders[0]).not.toBe(copy);
    expect((await restoreAll(third, receipt.snapshot)).damaged).toEqual([]);
  });

  it('verify --read-data finds a flipped byte and names the affected items; the rest restores', async () => {
    const { store, dir, src } = await newStore();
    const corpus = makeCorpus(src, 7, { photos: 6 });
    const r = await store.backup({ device: 'p', events: corpusEvents(corpus) });
    expect((await store.verify({ readData: 'all' })).ok).toBe(true);
    // Flip one byte inside the first media chunk of one photo.
    const item = store.ls(r.snapshot, { kinds: ['media'] }).find((i) => i.relPath === 'DCIM/Camera/IMG_0003.jpg');
    expect(item).toBeDefined();
    const db = store.internals.db;
    const loc = db
      .prepare('SELECT p.pack, p.offset, p.length FROM items i JOIN item_pieces ip ON ip.item = i.id JOIN pieces p ON p.id = ip.piece WHERE i.key = ? LIMIT 1')
      .get(Buffer.from(item?.key ?? '', 'hex')) as { pack: string; offset: number; length: number };
    const file = paths.pack(dir, loc.pack);
    const bytes = fs.readFileSync(file);
    const at = loc.offset + Math.floor(loc.length / 2);
    bytes[at] = (bytes[at] as number) ^ 0x40;
    fs.writeFileSync(file, bytes);

    const structural = await store.verify();
    expect(structural.ok).toBe(true); // structure alone cannot see a flipped byte
    const report = await store.verify({ readData: 'all' });
    expect(report.ok).toBe(false);
    expect(report.affected.itemCount).toBeGreaterThan(0);
    expect(report.affected.items.map((i) => i.relPath)).toContain('DCIM/Camera/IMG_0003.jpg');
    expect(report.affected.snapshots.map((s) => s.id)).toEqual([r.snapshot]);
    expect(report.summary).toMatch(/affected/);

    const out = await restoreAll(store, r.snapshot);
    expect(out.media.has('DCIM/Camera/IMG_0001.jpg')).toBe(true);
    expect(out.records.length).toBeGreaterThan(0);

    // The next backup stores the damaged piece again, and then verify is clean once the bad copy is pruned.
    await store.backup({ device: 'p', events: corpusEvents(corpus) });
    const fixedOut = await restoreAll(store, 'latest');
    expect(fixedOut.media.get('DCIM/Camera/IMG_0003.jpg')?.equals(fs.readFileSync(path.join(src, 'DCIM/Camera/IMG_0003.jpg')))).toBe(true);
  });

  it('verify finds a missing pack and names the affected items and snapshots', async () => {
    const { store, dir, src } = await newStore();
    const r = await store.backup({ device: 'p', events: corpusEvents(makeCorpus(src, 8, { photos: 6 })) });
    const packs = store.internals.listPackFiles();
    expect(packs.length).toBeGreaterThan(2);
    // Remove a pack holding media chunks.
    const db = store.internals.db;
    const victim = db.prepare("SELECT pack FROM pieces WHERE type = 1 GROUP BY pack ORDER BY COUNT(*) DESC LIMIT 1").pluck().get() as string;
    fs.rmSync(paths.pack(dir, victim));
    const report = await store.verify();
    expect(report.ok).toBe(false);
    expect(report.problems.some((p) => p.pack === victim && /missing/.test(p.message))).toBe(true);
    expect(report.affected.byKind.media ?? 0).toBeGreaterThan(0);
    expect(report.affected.snapshots[0]?.id).toBe(r.snapshot);
  });

  it('stops cleanly on a full disk and the store stays valid', async () => {
    const base = tempDir();
    const dir = path.join(base, 'store');
    let packsWritten = 0;
    let full = false;
    const hooks = {
      beforeWrite: (dest: string) => {
        if (dest.includes(`${path.sep}packs${path.sep}`) && full && ++packsWritten > 2) {
          throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
        }
      },
    };
    const store = await BackupStore.init(dir, PASS, { kdfLogN: TEST_KDF_LOG_N, chunker: TEST_CHUNKER, packSize: TEST_PACK_SIZE, hooks });
    opened.push(store);
    const first = await store.backup({ device: 'p', events: corpusEvents(makeCorpus(path.join(base, 'a'), 9)) });
    full = true;
    const err = await store.backup({ device: 'p', events: corpusEvents(makeCorpus(path.join(base, 'b'), 19, { photos: 8 })) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'storage_full' });
    expect(store.snapshots().map((s) => s.id)).toEqual([first.snapshot]);
    expect(treeFiles(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect((await store.verify({ readData: 'all' })).ok).toBe(true);
    full = false;
    const resumed = await store.backup({ device: 'p', events: corpusEvents(makeCorpus(path.join(base, 'b'), 19, { photos: 8 })) });
    expect(resumed.snapshot).toBeDefined();
    expect((await restoreAll(store, resumed.snapshot)).damaged).toEqual([]);
  });

  it('a cancelled backup writes no snapshot and keeps its packs for the next run', async () => {
    const { store, src } = await newStore();
    const corpus = makeCorpus(src, 11, { photos: 6 });
    const ac = new AbortController();
    async function* events() {
      let n = 0;
      for await (const e of corpusEvents(corpus)) {
        if (++n === corpus.records.length + 4) ac.abort();
        yield e;
      }
    }
    await expect(store.backup({ device: 'p', events: events(), signal: ac.signal })).rejects.toMatchObject({ code: 'cancelled' });
    expect(store.snapshots()).toHaveLength(0);
    const packs = store.internals.listPackFiles().length;
    expect(packs).toBeGreaterThan(0);
    const r = await store.backup({ device: 'p', events: corpusEvents(corpus) });
    expect(r.totals.newBytes).toBeLessThan(r.totals.bytes);
  });

  it('a backup cancelled while it builds its tree writes no snapshot, and the next run completes it', async () => {
    const { store, src } = await newStore();
    const corpus = makeCorpus(src, 12, { sms: 300, photos: 2 });
    const ac = new AbortController();
    const phases: string[] = [];
    const run = store.backup({
      device: 'p',
      events: corpusEvents(corpus),
      signal: ac.signal,
      onProgress: (p) => {
        phases.push(p.phase);
        if (p.phase === 'finishing') ac.abort(); // every record is read; the tree is next
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(phases).toContain('finishing');
    expect(store.snapshots()).toHaveLength(0);
    expect(store.internals.db.prepare('SELECT count(*) FROM nodes').pluck().get()).toBe(0);
    const done = await store.backup({ device: 'p', events: corpusEvents(corpus) });
    expect(store.snapshots()).toHaveLength(1);
    expect((await restoreAll(store, done.snapshot)).records).toHaveLength(done.totals.items - done.kinds.media!.items);
  });
});

describe('format 1 stores (written before bundles)', () => {
  it('open, restore and verify; the next backup writes bundles, upgrades the config, and prune and rebuild keep both readable', async () => {
    const base = tempDir();
    const dir = path.join(base, 'store');
    const src = path.join(base, 'src');
    const old = await BackupStore.init(dir, PASS, { kdfLogN: TEST_KDF_LOG_N, chunker: TEST_CHUNKER, packSize: TEST_PACK_SIZE, hooks: { writeFormat: 1 } });
    const corpus = makeCorpus(src, 21, { photos: 2 });
    const first = await old.backup({ device: 'p', events: corpusEvents(corpus) });
    old.close();
    expect((JSON.parse(fs.readFileSync(paths.config(dir), 'utf8')) as { version: number }).version).toBe(1);

    const store = await reopen(dir);
    const db = store.internals.db;
    expect(db.prepare('SELECT count(*) FROM pieces WHERE compression = 2').pluck().get()).toBe(0);
    const before = await restoreAll(store, first.snapshot);
    expect(before.damaged).toEqual([]);
    expect(before.records.map(sortKey).sort()).toEqual(corpus.records.map(sortKey).sort());
    expect((await store.verify({ readData: 'all' })).ok).toBe(true);

    // New records go into bundles; the config now says format 2, so an older Lifeline refuses the store cleanly.
    const more = makeCorpus(path.join(src, 'more'), 22, { photos: 1 });
    const second = await store.backup({ device: 'p', events: corpusEvents({ ...more, records: [...corpus.records, ...more.records] }) });
    expect((JSON.parse(fs.readFileSync(paths.config(dir), 'utf8')) as { version: number }).version).toBe(FORMAT_VERSION);
    expect(db.prepare('SELECT count(*) FROM pieces WHERE compression = 2').pluck().get()).toBeGreaterThan(0);
    expect(db.prepare('SELECT count(*) FROM pieces WHERE compression = 2 AND bundle IS NULL').pluck().get()).toBe(0);
    const after = await restoreAll(store, second.snapshot);
    expect(after.damaged).toEqual([]);
    // The second corpus repeats some of the first one's identities (calls, note paths): those merge.
    const recordItems = Object.entries(second.kinds).reduce((n, [k, v]) => (k === 'media' ? n : n + v.items), 0);
    expect(after.records).toHaveLength(recordItems);
    const restored = new Set(after.records.map(sortKey));
    for (const rec of [...corpus.records, ...more.records].filter((x) => x.kind === 'sms')) expect(restored.has(sortKey(rec))).toBe(true);
    expect((await store.verify({ readData: 'all' })).ok).toBe(true);

    await store.rebuildIndex();
    expect((await restoreAll(store, first.snapshot)).records).toHaveLength(before.records.length);
    await store.forget({ keepLast: 1 }, { prune: true });
    const pruned = await restoreAll(store, 'latest');
    expect(pruned.damaged).toEqual([]);
    expect(pruned.records).toHaveLength(after.records.length);
    expect((await store.verify({ readData: 'all' })).ok).toBe(true);
  });
});

describe('bundles', () => {
  it('a flipped byte in a bundle names the records in it; the next backup stores them again', async () => {
    const { store, dir, src } = await newStore();
    const corpus = makeCorpus(src, 23, { photos: 1 });
    const r = await store.backup({ device: 'p', events: corpusEvents(corpus) });
    const db = store.internals.db;
    const bundle = db
      .prepare('SELECT b.id, b.pack, b.offset, b.length FROM pieces b JOIN pieces p ON p.bundle = b.id AND p.type = 2 WHERE b.type = 4 GROUP BY b.id ORDER BY count(*) DESC LIMIT 1')
      .get() as {
      id: Buffer; pack: string; offset: number; length: number;
    };
    const inside = db.prepare('SELECT count(*) FROM pieces WHERE bundle = ?').pluck().get(bundle.id) as number;
    expect(inside).toBeGreaterThan(1);
    const file = paths.pack(dir, bundle.pack);
    const bytes = fs.readFileSync(file);
    const at = bundle.offset + Math.floor(bundle.length / 2);
    bytes[at] = (bytes[at] as number) ^ 0x01;
    fs.writeFileSync(file, bytes);
    store.internals.dropFds();

    const report = await store.verify({ readData: 'all' });
    expect(report.ok).toBe(false);
    expect(report.affected.itemCount).toBe(inside);
    expect(report.affected.snapshots.map((s) => s.id)).toEqual([r.snapshot]);
    const damagedOut = await restoreAll(store, r.snapshot);
    expect(damagedOut.damaged.length).toBe(inside);
    expect(damagedOut.records.length).toBe(corpus.records.length - inside);

    const again = await store.backup({ device: 'p', events: corpusEvents(corpus) });
    const out = await restoreAll(store, again.snapshot);
    expect(out.damaged).toEqual([]);
    expect(out.records.map(sortKey).sort()).toEqual(corpus.records.map(sortKey).sort());
  });
});

describe('bundled tree nodes', () => {
  it('a damaged bundle of tree nodes is reported per snapshot, and a new backup writes the tree again', async () => {
    const { store, dir, src } = await newStore();
    const corpus = makeCorpus(src, 24, { photos: 1 });
    const r = await store.backup({ device: 'p', events: corpusEvents(corpus) });
    const db = store.internals.db;
    const bundle = db
      .prepare('SELECT b.id, b.pack, b.offset, b.length FROM pieces b JOIN pieces p ON p.bundle = b.id AND p.type = 3 WHERE b.type = 4 GROUP BY b.id LIMIT 1')
      .get() as { id: Buffer; pack: string; offset: number; length: number };
    expect(bundle).toBeDefined();
    const file = paths.pack(dir, bundle.pack);
    const bytes = fs.readFileSync(file);
    const at = bundle.offset + 20;
    bytes[at] = (bytes[at] as number) ^ 0x01;
    fs.writeFileSync(file, bytes);
    store.internals.dropFds();
    const report = await store.verify({ readData: 'all' });
    expect(report.ok).toBe(false);
    expect(report.affected.snapshots.map((s) => s.id)).toEqual([r.snapshot]);
    const again = await store.backup({ device: 'p', events: corpusEvents(corpus) });
    const out = await restoreAll(store, again.snapshot);
    expect(out.damaged).toEqual([]);
    expect(out.records).toHaveLength(corpus.records.length);
  });
});
