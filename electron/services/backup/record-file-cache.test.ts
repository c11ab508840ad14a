import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { currentVersion } from '../db/migrate';
import { scanSource } from './import/scan';
import { StoreCore } from './core';
import { RECORD_CACHE_SCOPE, RecordFileCache, recordCacheMigrations } from './record-file-cache';
import { BackupStore } from './store';
import { TEST_CHUNKER, TEST_KDF_LOG_N, TEST_PACK_SIZE, tempDir } from './test-support';

const PASS = 'correct horse battery staple';

function sms(date: number, body: string, address = '+15550100001'): string {
  return `  <sms protocol="0" address="${address}" date="${date}" type="1" body="${body}" read="1" status="-1" contact_name="Ana" />\n`;
}

function writeExport(dir: string, smsLines: string[]): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'sms.xml'),
    `<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count="${smsLines.length}">\n${smsLines.join('')}</smses>\n`,
  );
  fs.writeFileSync(
    path.join(dir, 'contacts.vcf'),
    'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Example\r\nTEL:+15550100001\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Budi\r\nTEL:+6281234567890\r\nEND:VCARD\r\n',
  );
}

/** A store with the fast test settings. */
function initStore(dir: string): Promise<BackupStore> {
  return BackupStore.init(dir, PASS, { kdfLogN: TEST_KDF_LOG_N, chunker: TEST_CHUNKER, packSize: TEST_PACK_SIZE });
}

/** The SMS bodies the latest snapshot restores, in restore order. */
async function smsBodies(store: BackupStore): Promise<string[]> {
  const bodies: string[] = [];
  for await (const item of store.restoreItems('latest', { kinds: ['sms'] })) if (item.type === 'record' && item.record.kind === 'sms') bodies.push(item.record.body);
  return bodies;
}

/** Counts how many record files were announced and how many of them the store reused instead of parsing. */
async function backup(store: BackupStore, dir: string): Promise<{ reused: number; announced: number; digest: string; items: number; duplicates: number }> {
  let reused = 0;
  let announced = 0;
  async function* events() {
    for await (const ev of scanSource([dir])) {
      yield ev;
      if (ev.type === 'file') {
        announced++;
        if (ev.reuse) reused++;
      }
    }
  }
  const receipt = await store.backup({ device: 'phone', events: events() });
  return { reused, announced, digest: receipt.digest.value, items: receipt.totals.items, duplicates: receipt.duplicates };
}

describe('record file cache', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('its migrations create their tables in their own scope', async () => {
    const base = tempDir();
    const store = await initStore(path.join(base, 'store'));
    const db = store.internals.db;
    expect(currentVersion(db, RECORD_CACHE_SCOPE)).toBe(recordCacheMigrations.length);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    expect(tables).toEqual(expect.arrayContaining(['record_files', 'record_file_rows', 'record_cache_epoch']));
    store.close();
  });

  it('replays unchanged exports with the same snapshot content, and reads changed ones again', async () => {
    const base = tempDir();
    const src = path.join(base, 'src');
    const lines = Array.from({ length: 50 }, (_, i) => sms(1_700_000_000_000 + i * 60_000, `message ${i}`));
    // An exact duplicate inside the file: merged on the first run, and merged again when replayed.
    writeExport(src, [...lines, sms(1_700_000_000_000, 'message 0')]);
    const store = await initStore(path.join(base, 'store'));

    const first = await backup(store, src);
    expect(first).toMatchObject({ reused: 0, announced: 2, items: 52, duplicates: 1 });
    const second = await backup(store, src);
    expect(second).toEqual({ ...first, reused: 2 });

    // A re-dumped export with one more message is parsed again; the unchanged vCard is still reused.
    writeExport(src, [...lines, sms(1_700_000_000_000, 'message 0'), sms(1_800_000_000_000, 'new one')]);
    const vcf = path.join(src, 'contacts.vcf');
    fs.utimesSync(vcf, new Date(1_600_000_000_000), new Date(1_600_000_000_000));
    const third = await backup(store, src);
    expect(third).toMatchObject({ items: 53, duplicates: 1 });
    expect(third.reused).toBe(0); // the vCard's mtime changed too (rewritten, then set back to another time)
    const fourth = await backup(store, src);
    expect(fourth).toEqual({ ...third, reused: 2 });

    // Restore gives every message once, whether the snapshot came from parsing or from the cache.
    const bodies = await smsBodies(store);
    expect(bodies.sort()).toEqual([...lines.map((_, i) => `message ${i}`), 'new one'].sort());
    store.close();
  });

  it('does not replay a file whose records are no longer stored (a pack went missing)', async () => {
    const base = tempDir();
    const src = path.join(base, 'src');
    writeExport(src, Array.from({ length: 20 }, (_, i) => sms(1_700_000_000_000 + i * 1000, `hello ${i}`)));
    const dir = path.join(base, 'store');
    let store = await initStore(dir);
    const first = await backup(store, src);
    store.close();
    // Losing every pack: the cached rows point at pieces that are gone, so the files must be read again.
    fs.rmSync(path.join(dir, 'packs'), { recursive: true, force: true });
    fs.rmSync(path.join(dir, 'snapshots'), { recursive: true, force: true });
    fs.mkdirSync(path.join(dir, 'packs'));
    fs.mkdirSync(path.join(dir, 'snapshots'));
    store = await BackupStore.open(dir, PASS);
    const again = await backup(store, src);
    expect(again).toEqual({ ...first, reused: 0 });
    let restored = 0;
    for await (const item of store.restoreItems('latest', { kinds: ['sms'] })) if (item.type === 'record') restored++;
    expect(restored).toBe(20);
    store.close();
  });

  it('keeps a store epoch: removals move it once, and a cached file re-checked after that is replayed only if intact', async () => {
    const base = tempDir();
    const src = path.join(base, 'src');
    const smsLines = Array.from({ length: 30 }, (_, i) => sms(1_700_000_000_000 + i * 1000, `epoch ${i}`));
    writeExport(src, smsLines);
    const store = await initStore(path.join(base, 'store'));
    const db = store.internals.db;
    const epoch = (): { epoch: number; moved: number } => db.prepare('SELECT epoch, moved FROM record_cache_epoch').get() as { epoch: number; moved: number };
    const fileEpochs = (): number[] => db.prepare('SELECT epoch FROM record_files ORDER BY path').pluck().all() as number[];

    await backup(store, src);
    const e0 = epoch();
    expect(e0.moved).toBe(0);
    expect(fileEpochs()).toEqual([e0.epoch, e0.epoch]);
    expect((await backup(store, src)).reused).toBe(2);
    expect(epoch()).toEqual(e0); // backups remove nothing

    // Half the messages deleted on the phone, then the old snapshots forgotten and pruned: many catalog and
    // piece rows go, and the epoch moves once.
    writeExport(src, smsLines.slice(0, 15));
    fs.utimesSync(path.join(src, 'contacts.vcf'), new Date(1_600_000_000_000), new Date(1_600_000_000_000));
    const kept = await backup(store, src);
    expect(kept.items).toBe(17);
    await store.forget({ keepLast: 1 });
    const pruned = await store.prune({ maxUnusedPercent: 0 });
    expect(pruned.piecesRemoved).toBeGreaterThan(1);
    expect(epoch()).toEqual({ epoch: e0.epoch + 1, moved: 1 });
    // Both files are checked record by record once, found intact, replayed, and stamped with the new epoch.
    expect(await backup(store, src)).toMatchObject({ reused: 2, items: 17 });
    expect(epoch()).toEqual({ epoch: e0.epoch + 1, moved: 0 });
    expect(fileEpochs()).toEqual([e0.epoch + 1, e0.epoch + 1]);

    // One damaged piece (as "verify --read-data" marks it): the SMS export, whose record is damaged, is read
    // again and the record stored again; the vCard is replayed.
    const smsKey = db.prepare("SELECT key FROM items WHERE kind = 'sms' LIMIT 1").pluck().get() as Buffer;
    db.prepare('UPDATE pieces SET damaged = 1 WHERE id = ?').run(smsKey);
    expect(epoch()).toEqual({ epoch: e0.epoch + 2, moved: 1 });
    expect(await backup(store, src)).toMatchObject({ reused: 1, items: 17 });
    expect(db.prepare('SELECT count(*) FROM pieces WHERE id = ? AND damaged = 0').pluck().get(smsKey)).toBe(1);
    expect(epoch()).toEqual({ epoch: e0.epoch + 2, moved: 0 });
    expect(await backup(store, src)).toMatchObject({ reused: 2, items: 17 });
    store.close();
  });

  it('a backup given exactly the last snapshot\'s sources reuses its tree without replaying any record file', async () => {
    const base = tempDir();
    const src = path.join(base, 'src');
    writeExport(src, Array.from({ length: 40 }, (_, i) => sms(1_700_000_000_000 + i * 1000, `same ${i}`)));
    fs.mkdirSync(path.join(src, 'notes'));
    fs.writeFileSync(path.join(src, 'notes', 'todo.md'), '# Todo\nbuy milk\n');
    const store = await initStore(path.join(base, 'store'));
    const replay = vi.spyOn(RecordFileCache.prototype, 'replay');
    const first = await backup(store, src);
    const firstReceipt = store.receipt('latest');
    expect(replay).not.toHaveBeenCalled();

    const second = await backup(store, src);
    expect(replay).not.toHaveBeenCalled(); // the parent's tree was reused as it is
    expect(second).toEqual({ ...first, reused: 3 });
    const receipt = store.receipt('latest');
    expect(receipt.snapshot).not.toBe(firstReceipt.snapshot);
    expect(receipt.parent).toBe(firstReceipt.snapshot);
    expect(receipt.digest).toEqual(firstReceipt.digest);
    expect(receipt.totals).toMatchObject({ items: firstReceipt.totals.items, bytes: firstReceipt.totals.bytes, newItems: 0, newBytes: 0 });
    expect(store.internals.db.prepare('SELECT root FROM snapshots WHERE id = ?').pluck().get(receipt.snapshot)).toEqual(
      store.internals.db.prepare('SELECT root FROM snapshots WHERE id = ?').pluck().get(firstReceipt.snapshot),
    );

    // One more note: the sources differ, so the unchanged files are replayed (the note is parsed).
    fs.writeFileSync(path.join(src, 'notes', 'later.md'), '# Later\ncall Budi\n');
    const third = await backup(store, src);
    expect(replay).toHaveBeenCalledTimes(3);
    expect(third).toMatchObject({ reused: 3, items: first.items + 1 });
    let notes = 0;
    for await (const item of store.restoreItems('latest', { kinds: ['note', 'sms'] })) if (item.type === 'record') notes++;
    expect(notes).toBe(42);

    // Something removed from the store (a damaged piece) moves the epoch: no reuse even with the same sources.
    replay.mockClear();
    const noteKey = store.internals.db.prepare("SELECT key FROM items WHERE kind = 'note' LIMIT 1").pluck().get() as Buffer;
    store.internals.db.prepare('UPDATE pieces SET damaged = 1 WHERE id = ?').run(noteKey);
    await backup(store, src);
    expect(replay).toHaveBeenCalled();
    store.close();
  });

  it('a deferred file that can no longer be replayed as it was is parsed instead (its original record is gone)', async () => {
    const base = tempDir();
    const src = path.join(base, 'src');
    fs.mkdirSync(src, { recursive: true });
    const xml = (lines: string[]): string => `<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count="${lines.length}">\n${lines.join('')}</smses>\n`;
    const shared = sms(1_700_000_000_000, 'in both exports');
    // a.xml is read first and accepts the shared message; b.xml merges its copy into it.
    fs.writeFileSync(path.join(src, 'a.xml'), xml([shared, sms(1_700_000_001_000, 'only in a')]));
    fs.writeFileSync(path.join(src, 'b.xml'), xml([shared, sms(1_700_000_002_000, 'only in b')]));
    const store = await initStore(path.join(base, 'store'));
    const first = await backup(store, src);
    expect(first).toMatchObject({ items: 3, duplicates: 1 });
    // a.xml goes: b.xml is unchanged and deferred, but its cached rows merge the shared message into a record
    // that is no longer in the run, so it is read again and the shared message is kept from b.xml.
    fs.rmSync(path.join(src, 'a.xml'));
    const second = await backup(store, src);
    expect(second).toMatchObject({ reused: 1, items: 2, duplicates: 0 });
    const bodies = await smsBodies(store);
    expect(bodies.sort()).toEqual(['in both exports', 'only in b']);
    // Read completely this time, b.xml is cached again and replays next time.
    expect(await backup(store, src)).toMatchObject({ reused: 1, items: 2 });
    store.close();
  });

  it('recognises the records a re-dumped export still holds, in any order, without storing or cataloguing them again', async () => {
    const base = tempDir();
    const src = path.join(base, 'src');
    const lines = Array.from({ length: 60 }, (_, i) => sms(1_700_000_000_000 + i * 60_000, `message ${i}`));
    writeExport(src, lines);
    const store = await initStore(path.join(base, 'store'));
    await backup(store, src);

    // The phone dumps everything again, newest first this time: one message edited, two new.
    const redumped = [...lines];
    redumped[7] = sms(1_700_000_000_000 + 7 * 60_000, 'message 7, edited');
    redumped.push(sms(1_800_000_000_000, 'new one'), sms(1_800_000_060_000, 'new two'));
    writeExport(src, redumped.reverse());
    fs.utimesSync(path.join(src, 'contacts.vcf'), new Date(1_600_000_000_000), new Date(1_600_000_000_000));
    const known = vi.spyOn(RecordFileCache.prototype, 'known');
    const ensured = vi.spyOn(StoreCore.prototype, 'ensureItem');
    const second = await backup(store, src);
    const hits = (): number => known.mock.results.filter((r) => r.value !== undefined).length;
    expect(known).toHaveBeenCalledTimes(62 + 2); // every message and both contacts asked
    expect(hits()).toBe(59 + 2); // all but the edited and the new messages were known
    expect(ensured).toHaveBeenCalledTimes(3);

    // The snapshot is what a store that never saw the old export makes of the same folder.
    const fresh = await initStore(path.join(base, 'fresh'));
    const reference = await backup(fresh, src);
    fresh.close();
    expect(second).toEqual({ ...reference, reused: 0 });
    const bodies = await smsBodies(store);
    expect(bodies).toHaveLength(62);
    expect(bodies).toContain('message 7, edited');
    expect(bodies).not.toContain('message 7');

    // Dumped again in the same order with one more at the end: rows are read a range at a time, same result.
    writeExport(src, [...redumped, sms(1_800_000_120_000, 'new three')]);
    known.mockClear();
    ensured.mockClear();
    const third = await backup(store, src);
    expect(hits()).toBe(62 + 2); // every message but the new one, and both contacts (the vCard was written again)
    expect(ensured).toHaveBeenCalledTimes(1);
    const fresh3 = await initStore(path.join(base, 'fresh3'));
    expect(third).toEqual({ ...(await backup(fresh3, src)), reused: 0 });
    fresh3.close();

    // A damaged piece moves the epoch and the old reading is no longer trusted: nothing is recognised, and the
    // damaged record is stored again.
    const db = store.internals.db;
    const damaged = db.prepare("SELECT key FROM items WHERE kind = 'sms' AND thread IS NOT NULL LIMIT 1").pluck().get() as Buffer;
    db.prepare('UPDATE pieces SET damaged = 1 WHERE id = ?').run(damaged);
    fs.appendFileSync(path.join(src, 'sms.xml'), '\n');
    known.mockClear();
    await backup(store, src);
    expect(known).toHaveBeenCalled();
    expect(hits()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM pieces WHERE id = ? AND damaged = 0').pluck().get(damaged)).toBe(1);
    store.close();
  });

  it('builds the unchanged part of the tree again without asking the index, while nothing was removed since the last snapshot', async () => {
    const base = tempDir();
    const src = path.join(base, 'src');
    const month = 31 * 24 * 3600 * 1000;
    // One message a month for five years: 60 month leaves, 5 year nodes.
    const lines = Array.from({ length: 60 }, (_, i) => sms(1_600_000_000_000 + i * month, `monthly ${i}`));
    writeExport(src, lines);
    const store = await initStore(path.join(base, 'store'));
    await backup(store, src);
    const asked = vi.spyOn(StoreCore.prototype, 'hasPiece');

    writeExport(src, [...lines, sms(1_600_000_000_000 + 59 * month + 1000, 'one more in the last month')]);
    await backup(store, src);
    // The new record, and the nodes on its path (leaf, year, conversation, messages, root): no unchanged node.
    expect(asked.mock.calls.length).toBeLessThan(10);

    // After a removal (here a piece marked damaged) the last snapshot's nodes are no longer known to be stored.
    const db = store.internals.db;
    db.prepare('UPDATE pieces SET damaged = 1 WHERE id = (SELECT key FROM items WHERE kind = ? LIMIT 1)').run('contact');
    asked.mockClear();
    writeExport(src, [...lines, sms(1_600_000_000_000 + 59 * month + 1000, 'one more in the last month'), sms(1_600_000_000_000 + 59 * month + 2000, 'and another')]);
    await backup(store, src);
    expect(asked.mock.calls.length).toBeGreaterThan(60);
    expect(await smsBodies(store)).toHaveLength(62);
    store.close();
  });

  it('migration 4 forgets rows cached before it (no catalog row; year leaves), so every export is read once more', async () => {
    const base = tempDir();
    const src = path.join(base, 'src');
    writeExport(src, Array.from({ length: 10 }, (_, i) => sms(1_700_000_000_000 + i * 1000, `before ${i}`)));
    const dir = path.join(base, 'store');
    let store = await initStore(dir);
    const first = await backup(store, src);
    // Put the cache back as version 3 left it: no item column, message rows in <thread>/<year> buckets.
    let db = store.internals.db;
    db.exec(`ALTER TABLE record_file_rows DROP COLUMN item;
      UPDATE record_file_rows SET bucket = substr(bucket, 1, length(bucket) - 8) WHERE kind = 'sms';`);
    db.prepare('DELETE FROM schema_migrations WHERE scope = ? AND version = 4').run(RECORD_CACHE_SCOPE);
    store.close();

    store = await BackupStore.open(dir, PASS);
    db = store.internals.db;
    expect(currentVersion(db, RECORD_CACHE_SCOPE)).toBe(4);
    expect(db.prepare('SELECT count(*) FROM record_files').pluck().get()).toBe(0);
    expect(db.prepare("SELECT count(*) FROM pragma_table_info('record_file_rows') WHERE name = 'item'").pluck().get()).toBe(1);
    expect(await backup(store, src)).toEqual({ ...first, reused: 0 });
    expect(await backup(store, src)).toEqual({ ...first, reused: 2 });
    expect(db.prepare('SELECT count(*) FROM record_file_rows WHERE key IS NOT NULL AND item IS NULL').pluck().get()).toBe(0);
    store.close();
  });

  it('does not remember a file that had a skipped record, so the skip is reported on every run', async () => {
    const base = tempDir();
    const src = path.join(base, 'src');
    writeExport(src, [sms(1_700_000_000_000, 'fine'), '  <sms date="oops" type="1" body="bad date" address="+1" />\n']);
    const store = await initStore(path.join(base, 'store'));
    await backup(store, src);
    const second = await backup(store, src);
    expect(second.reused).toBe(1); // the vCard only
    expect(store.receipt('latest').skipped.count).toBeGreaterThan(0);
    store.close();
  });
});
