import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import type { BackupProgress } from '../../../contract/backup';
import { ManualClock } from '../clock';
import { BackupService } from './backup-service';
import { searchQuery } from './browse';
import { makeCorpus, tempDir, writeExportFolder, writeMedia } from './test-support';

const PASS = 'correct horse battery';
const services: BackupService[] = [];

async function setUp(opts: { sms?: number; onProgress?: (p: BackupProgress, s: BackupService) => void } = {}) {
  const base = tempDir('lifeline-browse-');
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 10));
  const service: BackupService = new BackupService({ dir: path.join(base, 'store'), clock, kdfLogN: 12, onProgress: (p) => opts.onProgress?.(p, service) });
  services.push(service);
  await service.init(PASS);
  const corpus = makeCorpus(path.join(base, 'phone'), 7, { sms: opts.sms ?? 120, calls: 30, contacts: 12, photos: 3 });
  // One real photo sharp can read; the generated ones are JPEG headers over random bytes (undecodable).
  const real = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 200, g: 40, b: 90 } } }).jpeg().toBuffer();
  corpus.media.push(writeMedia(corpus.root, 'DCIM/Camera/real.jpg', real, 'image/jpeg', Date.UTC(2025, 5, 1)));
  corpus.media.push(writeMedia(corpus.root, 'DCIM/Camera/clip.mp4', Buffer.alloc(2048), 'video/mp4', Date.UTC(2025, 5, 2)));
  corpus.records.push({ kind: 'sms', address: '+15550109999', date: Date.UTC(2025, 2, 3), type: 1, body: 'the zanzibar ferry leaves at nine', attrs: {} });
  await writeExportFolder(corpus);
  return { base, clock, service, corpus };
}

afterEach(() => {
  for (const s of services.splice(0)) s.close();
});

describe('snapshot browser', () => {
  it('opens a snapshot, lists threads with their last message, pages a conversation and the call log, and finds one message', async () => {
    const { service: svc, corpus } = await setUp();
    await svc.run('Ana phone', [corpus.root]);
    const overview = svc.overview('latest');
    expect(overview.counts.messages).toBe(122);
    expect(overview.counts.calls).toBe(30);
    expect(overview.threads).toBeGreaterThanOrEqual(5);

    const threads = svc.threads('latest', { limit: 50, offset: 0 });
    expect(threads.total).toBe(overview.threads);
    const dates = threads.items.map((t) => t.lastDate ?? 0);
    expect([...dates].sort((a, b) => b - a)).toEqual(dates);
    const biggest = [...threads.items].sort((a, b) => b.count - a.count)[0];
    expect(biggest).toBeDefined();
    const thread = biggest?.thread as string;

    const all = svc.conversation('latest', thread, { limit: 500, offset: 0 });
    expect(all.total).toBe(biggest?.count);
    expect(all.items).toHaveLength(all.total);
    const viaLs = svc.ls('latest', { kinds: ['sms', 'mms'], thread, limit: 1000 });
    expect(all.items.map((i) => i.key).sort()).toEqual(viaLs.map((i) => i.key).sort());
    const itemDates = all.items.map((i) => i.date ?? 0);
    expect([...itemDates].sort((a, b) => a - b)).toEqual(itemDates);
    // Pages taken at odd offsets line up with the whole.
    const page = svc.conversation('latest', thread, { limit: 7, offset: 5 });
    expect(page.items.map((i) => i.key)).toEqual(all.items.slice(5, 12).map((i) => i.key));
    expect(biggest?.lastPreview).toBe(all.items[all.items.length - 1]?.preview);

    const calls = svc.list('latest', 'calls', { limit: 10, offset: 0 });
    expect(calls.total).toBe(30);
    const calls2 = svc.list('latest', 'calls', { limit: 10, offset: 10 });
    const callDates = [...calls.items, ...calls2.items].map((c) => c.date ?? 0);
    expect([...callDates].sort((a, b) => b - a)).toEqual(callDates);

    const contacts = svc.list('latest', 'contacts', { limit: 100, offset: 0 });
    expect(contacts.total).toBe(12);
    const names = contacts.items.map((c) => (c.name ?? '').toLowerCase());
    expect([...names].sort()).toEqual(names);
    expect(svc.list('latest', 'contacts', { query: 'Contact 3', limit: 10, offset: 0 }).items.some((c) => c.name?.startsWith('Contact 3'))).toBe(true);

    const found = svc.search('latest', 'zanzib', { limit: 20 });
    expect(found.items).toHaveLength(1);
    expect(found.items[0]?.preview).toContain('zanzibar ferry');
    expect(svc.search('latest', '"; DROP TABLE items; --', { limit: 5 }).items).toEqual([]);

    const media = svc.list('latest', 'media', { limit: 50, offset: 0 });
    expect(media.items.map((m) => m.relPath)).toContain('DCIM/Camera/real.jpg');
    const notes = svc.list('latest', 'notes', { limit: 50, offset: 0 });
    expect(notes.total).toBeGreaterThanOrEqual(2);
    expect(svc.detail(notes.items[0]?.key as string)).toMatchObject({ kind: 'note' });
  }, 120_000);

  it('makes thumbnails, caches them, and answers a reason for an undecodable photo, a video and a huge file', async () => {
    const { service, corpus } = await setUp();
    await service.run('Ana phone', [corpus.root]);
    const media = service.list('latest', 'media', { limit: 50, offset: 0 }).items;
    const byPath = (p: string): string => media.find((m) => m.relPath === p)?.key as string;

    const thumb = await service.image({ key: byPath('DCIM/Camera/real.jpg'), size: 'thumb' });
    expect(thumb.status).toBe('ok');
    if (thumb.status === 'ok') {
      expect(Math.max(thumb.width, thumb.height)).toBeLessThanOrEqual(160);
      expect(Buffer.from(thumb.data, 'base64').subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    }
    const cacheDir = path.join(service.status().dir, 'cache', 'images');
    expect(fs.readdirSync(cacheDir).some((f) => f.endsWith('-thumb.jpg'))).toBe(true);
    expect(await service.image({ key: byPath('DCIM/Camera/real.jpg'), size: 'thumb' })).toEqual(thumb);
    const view = await service.image({ key: byPath('DCIM/Camera/real.jpg'), size: 'view' });
    expect(view).toMatchObject({ status: 'ok', width: 640, height: 480 });

    const broken = await service.image({ key: byPath('DCIM/Camera/IMG_0001.jpg'), size: 'thumb' });
    expect(broken).toMatchObject({ status: 'undecodable' });
    expect(await service.image({ key: byPath('DCIM/Camera/IMG_0001.jpg'), size: 'thumb' })).toMatchObject({ status: 'undecodable' });
    expect(await service.image({ key: byPath('DCIM/Camera/clip.mp4'), size: 'thumb' })).toMatchObject({ status: 'video' });

    const mms = service.search('latest', 'look this', { limit: 5 }).items.find((i) => i.kind === 'mms');
    const detail = service.detail(mms?.key as string);
    expect(detail.kind).toBe('mms');
    const picture = detail.kind === 'mms' ? detail.parts.find((p) => p.image) : undefined;
    expect(picture).toBeDefined();
    expect(await service.image({ key: mms?.key as string, part: picture?.index as number, size: 'thumb' })).toMatchObject({ status: 'undecodable' });
    await expect(service.image({ key: 'ab'.repeat(32), size: 'thumb' })).rejects.toMatchObject({ code: 'not_found' });
  }, 120_000);

  it('does not stall on a 200 MB video: it is backed up, listed, and previewed as a placeholder without decoding', async () => {
    const { service, corpus } = await setUp({ sms: 5 });
    const big = path.join(corpus.root, 'DCIM', 'Camera', 'long.mp4');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 200 * 1024 * 1024);
    await service.run('Ana phone', [corpus.root]);
    const video = service.list('latest', 'media', { query: 'long', limit: 5, offset: 0 }).items.find((m) => m.relPath?.endsWith('long.mp4'));
    expect(video?.size).toBe(200 * 1024 * 1024);
    expect(await service.image({ key: video?.key as string, size: 'view' })).toMatchObject({ status: 'video' });
  }, 240_000);

  it('compares two snapshots per kind: added, changed and removed', async () => {
    const { service, corpus, clock } = await setUp();
    await service.run('Ana phone', [corpus.root]);
    const first = service.snapshots()[0]?.id as string;
    corpus.records.push({ kind: 'sms', address: '+15550100001', date: Date.UTC(2025, 11, 24), type: 1, body: 'merry new message', attrs: {} });
    const dropped = corpus.records.findIndex((r) => r.kind === 'contact');
    corpus.records.splice(dropped, 1);
    const note = corpus.records.find((r) => r.kind === 'note');
    if (note?.kind === 'note') note.text += '\n- and then check it';
    fs.rmSync(path.join(corpus.root, 'contacts.vcf'));
    await writeExportFolder(corpus);
    clock.advance(86_400_000);
    await service.run('Ana phone', [corpus.root]);
    const diff = service.diff(first, 'latest', 50);
    expect(diff.byKind.sms).toEqual({ added: 1, removed: 0, changed: 0 });
    expect(diff.byKind.contact).toEqual({ added: 0, removed: 1, changed: 0 });
    expect(diff.byKind.note).toEqual({ added: 0, removed: 0, changed: 1 });
    expect(diff.entries.find((e) => e.change === 'added')?.item.preview).toBe('merry new message');
    expect(service.diff('latest', 'latest', 10).byKind).toEqual({});
  }, 120_000);

  it('shows contact fields and saves the receipt as JSON and PDF', async () => {
    const { service, corpus, base } = await setUp();
    await service.run('Ana phone', [corpus.root]);
    const contact = service.list('latest', 'contacts', { limit: 1, offset: 0 }).items[0];
    const detail = service.detail(contact?.key as string);
    expect(detail).toMatchObject({ kind: 'contact' });
    if (detail.kind === 'contact') {
      expect(detail.vcard).toContain('BEGIN:VCARD');
      expect(detail.fields.fullName).toBe(contact?.name);
    }
    const out = path.join(base, 'receipts');
    fs.mkdirSync(out);
    const json = await service.receiptFile('latest', 'json', out);
    expect(JSON.parse(Buffer.from(json.data, 'base64').toString('utf8'))).toMatchObject({ format: 'lifeline-backup-receipt', device: 'Ana phone' });
    const pdf = await service.receiptFile('latest', 'pdf', out);
    expect(Buffer.from(pdf.data, 'base64').subarray(0, 5).toString()).toBe('%PDF-');
    expect(fs.readFileSync(pdf.savedTo as string).subarray(0, 5).toString()).toBe('%PDF-');
    await expect(service.receiptFile('latest', 'pdf', path.join(base, 'nope'))).rejects.toMatchObject({ code: 'not_found' });
  }, 120_000);
});

describe('hostile cases', () => {
  it('refuses a wrong passphrase without changing anything, and reports a store folder deleted while the app runs', async () => {
    const { service, corpus } = await setUp({ sms: 10 });
    await service.run('Ana phone', [corpus.root]);
    const dir = service.status().dir;
    const before = fs.readdirSync(dir).sort();
    await expect(service.unlock('not the passphrase')).rejects.toMatchObject({ code: 'wrong_passphrase' });
    expect(fs.readdirSync(dir).sort()).toEqual(before);
    expect(service.status().unlocked).toBe(true);

    fs.rmSync(dir, { recursive: true, force: true });
    expect(service.status()).toMatchObject({ exists: false, unlocked: false, missing: true });
    expect(() => service.overview('latest')).toThrow(/is gone/);
    expect(service.status()).toMatchObject({ exists: false, unlocked: false });
    expect(service.status().missing).toBeUndefined();
    await expect(service.run('Ana phone', [corpus.root])).rejects.toMatchObject({ code: 'store_missing' });
  }, 120_000);

  it('fails a backup cleanly when the store folder is deleted during the run', async () => {
    let removed = false;
    const { service, corpus } = await setUp({
      sms: 400,
      onProgress: (p, s) => {
        if (!removed && p.operation === 'backup' && p.items > 0) {
          removed = true;
          fs.rmSync(s.status().dir, { recursive: true, force: true });
        }
      },
    });
    await expect(service.run('Ana phone', [corpus.root])).rejects.toMatchObject({ code: 'store_missing' });
    expect(service.status().running).toBeUndefined();
  }, 120_000);

  it('cancels a backup, a restore and a check, and the store stays valid', async () => {
    let cancelOn: BackupProgress['operation'] | undefined;
    const { service, corpus, base } = await setUp({
      sms: 400,
      onProgress: (p, s) => {
        if (p.operation === cancelOn) {
          cancelOn = undefined;
          s.cancel();
        }
      },
    });
    cancelOn = 'backup';
    await expect(service.run('Ana phone', [corpus.root])).rejects.toMatchObject({ code: 'cancelled' });
    expect(service.snapshots()).toHaveLength(0);
    await service.run('Ana phone', [corpus.root]);
    cancelOn = 'restore';
    await expect(service.restore('latest', path.join(base, 'out'), {}, false, false)).rejects.toMatchObject({ code: 'cancelled' });
    cancelOn = 'verify';
    await expect(service.verify('all')).rejects.toMatchObject({ code: 'cancelled' });
    const report = await service.verify('all');
    expect(report.ok).toBe(true);
    expect(service.status().running).toBeUndefined();
  }, 120_000);

  it('refuses a second restore while one runs, with a message that says what to do', async () => {
    const { service, corpus, base } = await setUp({ sms: 300 });
    await service.run('Ana phone', [corpus.root]);
    const first = service.restore('latest', path.join(base, 'one'), {}, false, false);
    await expect(service.restore('latest', path.join(base, 'two'), {}, false, false)).rejects.toMatchObject({
      code: 'busy',
      message: expect.stringMatching(/Another restore is already running/),
    });
    const done = await first;
    expect(done.counts.sms).toBe(301);
    expect(fs.existsSync(path.join(base, 'two'))).toBe(false);
  }, 120_000);

  it('keeps retention rules and prunes by them', async () => {
    const { service, corpus, clock } = await setUp({ sms: 5 });
    await expect(service.pruneNow(false)).rejects.toMatchObject({ code: 'invalid_state' });
    for (let i = 0; i < 3; i++) {
      await service.run('Ana phone', [corpus.root]);
      clock.advance(86_400_000);
    }
    await expect(service.setRetention({ keepLast: 0 })).rejects.toMatchObject({ code: 'invalid_input' });
    expect(await service.setRetention({ keepLast: 1 })).toEqual({ keepLast: 1 });
    expect(service.retention()).toEqual({ keepLast: 1 });
    const dry = await service.pruneNow(true);
    expect(dry.remove).toHaveLength(2);
    expect(service.snapshots()).toHaveLength(3);
    const done = await service.pruneNow(false);
    expect(done.prune).toBeDefined();
    expect(service.snapshots()).toHaveLength(1);
    expect(service.overview('latest').counts.messages).toBe(7);
  }, 120_000);
});

describe('search query', () => {
  it('quotes words, matches short words whole and longer ones as prefixes', () => {
    expect(searchQuery('  ')).toBeUndefined();
    expect(searchQuery('ok zanz')).toBe('"ok" "zanz"*');
    expect(searchQuery('a"b OR cafe*')).toBe('"a" "b" "OR" "cafe"*');
  });
});

describe('keychain', () => {
  it('refuses "remember" on a host without a keychain before creating anything, and remembers through an injected one', async () => {
    const { createEncryptedKeychain } = await import('./keychain');
    const base = tempDir('lifeline-keychain-');
    const plain = new BackupService({ dir: path.join(base, 'a'), clock: new ManualClock(0), kdfLogN: 12, onProgress: () => undefined });
    services.push(plain);
    await expect(plain.init(PASS, true)).rejects.toMatchObject({ code: 'unavailable' });
    expect(plain.status().exists).toBe(false);

    // A stand-in for Electron safeStorage: what reaches the disk must not be the passphrase itself.
    const keychain = createEncryptedKeychain({
      dir: path.join(base, 'keys'),
      isAvailable: () => true,
      encrypt: (s) => Buffer.from(Buffer.from(s, 'utf8').map((b) => b ^ 0xa5)),
      decrypt: (b) => Buffer.from(b.map((x) => x ^ 0xa5)).toString('utf8'),
    });
    const desktop = new BackupService({ dir: path.join(base, 'b'), clock: new ManualClock(0), kdfLogN: 12, onProgress: () => undefined, keychain });
    services.push(desktop);
    await desktop.init(PASS, true);
    expect(desktop.status().keychain).toEqual({ available: true, remembered: true });
    const stored = fs.readdirSync(path.join(base, 'keys')).map((f) => fs.readFileSync(path.join(base, 'keys', f), 'utf8'));
    expect(stored.join('')).not.toContain(PASS);
    desktop.lock();
    expect((await desktop.unlockRemembered()).unlocked).toBe(true);
    desktop.forgetRemembered();
    desktop.lock();
    await expect(desktop.unlockRemembered()).rejects.toMatchObject({ code: 'not_found' });
  });
});
