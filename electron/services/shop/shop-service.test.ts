import BetterSqlite3 from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../clock';
import { adbAvailable, freePort, startAdbHarness, type AdbHarness } from '../phone/fake/adb-harness';
import type { FakePhone } from '../phone/fake/fake-phone';
import { ShopService } from './shop-service';

const OP = 'Ayu';
const DAY = 86_400_000;

function newService(h: AdbHarness | null, extra: Partial<ConstructorParameters<typeof ShopService>[0]> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-shop-'));
  const db = new BetterSqlite3(path.join(dir, 'app.db'));
  const clock = new ManualClock();
  const events: { name: string; payload: unknown }[] = [];
  const shop = new ShopService({
    db,
    clock,
    dir: path.join(dir, 'shop'),
    emit: (name, payload) => events.push({ name, payload }),
    env: h ? { ...process.env, HOME: h.home, LIFELINE_ADB_SERVER: `127.0.0.1:${h.port}` } : process.env,
    kdfLogN: 12,
    phoneTimeouts: { shellTimeoutMs: 20_000, idleTimeoutMs: 10_000 },
    ...extra,
  });
  return { shop, db, clock, dir, events, stop: shop.startMaintenance() };
}

function ticket(shop: ShopService, name = 'Dewi Santoso', consentRetention = true) {
  return shop.createTicket({ operator: OP, customerName: name, contact: '+62 812 3456 7890', device: 'Redmi Note 13, blue', problem: 'Cracked screen', consentBackup: true, consentRetention });
}

describe.skipIf(!adbAvailable())('shop intake through Debian adb and the fake phone', () => {
  let h: AdbHarness;
  beforeAll(async () => {
    h = await startAdbHarness({ shellTimeoutMs: 20_000, idleTimeoutMs: 10_000 });
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
  }, 30_000);

  it('takes the Xiaomi through every step: not ready with Mi and Google steps, verified backup matching the phone, override in the audit log', async () => {
    const phone = await h.addPhone({ profile: 'xiaomi-hyperos' });
    const { shop, events, stop } = newService(h);
    await shop.unlock('counter passphrase', true);
    const t = ticket(shop);
    expect(t.number).toBe('S-0001');
    const phones = await shop.phones();
    expect(phones.server).toBe(`127.0.0.1:${h.port}`);
    expect(phones.serverSource).toBe('env');
    expect(phones.phones.map((p) => p.serial)).toContain(phone.serialForAdb);

    await shop.connect(t.id, OP, phone.serialForAdb);
    const identified = await shop.identify(t.id, OP);
    expect(identified.identity).toMatchObject({ brand: 'Redmi', model: '23090RA98G', vendorOs: expect.stringMatching(/HyperOS/), android: '14' });
    expect(identified.identity?.imeis[0]).toMatch(/•/);
    const checked = await shop.checkReadiness(t.id, OP);
    expect(checked.readiness?.verdict).toBe('not_ready');
    expect(checked.readiness?.instructions.map((i) => i.code)).toEqual(expect.arrayContaining(['xiaomi_sign_out', 'google_remove']));
    expect(() => shop.markReady(t.id, OP)).toThrow(/no verified backup|lock check/);

    const backed = await shop.backup(t.id, OP);
    expect(backed.backup.status).toBe('verified');
    const p = phone.profile.sizes;
    const count = (k: string) => backed.backup.counts.find((c) => c.kind === k);
    expect(count('sms')).toMatchObject({ status: 'ok', inBackup: expect.any(Number) });
    expect(count('sms')?.onPhone).toBe(p.sms);
    expect(count('calls')?.onPhone).toBe(p.calls);
    expect(count('contacts')?.onPhone).toBe(p.contacts);
    expect(count('mms')?.onPhone).toBe(p.mms);
    expect(count('media')?.inBackup).toBe(phone.fs.photos.length);
    for (const c of backed.backup.counts) if (c.onPhone !== c.inBackup) expect(c.note).toBeTruthy();
    expect(events.some((e) => e.name === 'shop.progress')).toBe(true);

    const pdf = Buffer.from((await shop.receipt(t.id, 'pdf')).base64, 'base64');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const json = JSON.parse(Buffer.from((await shop.receipt(t.id, 'json')).base64, 'base64').toString()) as { counts: unknown[]; verified: boolean };
    expect(json.verified).toBe(true);
    expect(json.counts).toEqual(backed.backup.counts);

    // The lock check is red, so only an override marks it ready, and the reason is logged.
    const ready = shop.markReady(t.id, OP, 'Customer signs out at the counter, seen by Ayu');
    expect(ready.readyForReset?.override).toMatch(/signs out/);
    expect(ready.audit.map((a) => a.action)).toEqual(expect.arrayContaining(['ticket.created', 'phone.connected', 'phone.identified', 'readiness.checked', 'backup.started', 'backup.verified', 'ready.override']));
    expect(ready.audit.every((a) => a.operator === OP)).toBe(true);
    expect(shop.list('dewi').map((x) => x.id)).toEqual([t.id]);
    expect(shop.list('a1b2c3').length + shop.list('nobody-like-this').length).toBe(0);
    await stop();
    await h.bridge.disconnect(phone.serialForAdb);
  }, 120_000);

  it('reports the old phone’s refused kinds as "not allowed", never 0, and restores honestly on the clean phone', async () => {
    const old = await h.addPhone({ profile: 'old-android8' });
    const { shop, stop } = newService(h);
    await shop.unlock('counter passphrase', true);
    const t = ticket(shop, 'Ines');
    await shop.connect(t.id, OP, old.serialForAdb);
    const b = await shop.backup(t.id, OP);
    for (const k of ['sms', 'mms', 'calls']) {
      const c = b.backup.counts.find((x) => x.kind === k);
      expect(c).toMatchObject({ status: 'refused', onPhone: null, inBackup: null });
      expect(c?.note).toMatch(/Not allowed/);
    }
    expect(b.backup.status).toBe('verified');
    await h.bridge.disconnect(old.serialForAdb);

    const clean = await h.addPhone({ profile: 'clean-ready', sizes: { photos: { count: 3, averageBytes: 20_000 } } });
    const t2 = ticket(shop, 'Putri');
    await shop.connect(t2.id, OP, clean.serialForAdb);
    expect((await shop.checkReadiness(t2.id, OP)).readiness?.verdict).toBe('ready');
    await shop.backup(t2.id, OP);
    expect(shop.markReady(t2.id, OP).readyForReset?.override).toBeNull();
    const restored = await shop.restore(t2.id, OP);
    const r = (k: string) => restored.restore?.find((x) => x.kind === k);
    expect(r('media')).toMatchObject({ status: 'done', count: 3 });
    expect(r('contacts')?.status).toBe('needs_customer');
    expect(r('calls')).toMatchObject({ status: 'done', count: clean.profile.sizes.calls });
    expect(r('sms')).toMatchObject({ status: 'done', count: expect.any(Number) });
    expect(r('mms')?.status).toMatch(/not_possible|nothing/);
    expect(clean.shell.appops.get('com.android.shell WRITE_SMS')).toBe('default');
    const closed = await shop.close(t2.id, OP);
    expect(closed.step).toBe('closed');
    await stop();
    await h.bridge.disconnect(clean.serialForAdb);
  }, 120_000);

  it('resumes a backup after the phone is unplugged mid-copy, with nothing lost', async () => {
    const phone = await h.addPhone({ profile: 'samsung-oneui', sizes: { photos: { count: 6, averageBytes: 400_000 } } });
    const { shop, stop } = newService(h);
    await shop.unlock('counter passphrase', true);
    const t = ticket(shop);
    await shop.connect(t.id, OP, phone.serialForAdb);
    phone.setFaults({ unplugAfterBytes: 1_200_000 });
    await expect(shop.backup(t.id, OP)).rejects.toMatchObject({ code: 'device_unreachable' });
    const broken = shop.ticket(t.id);
    expect(broken.backup.status).toBe('interrupted');
    expect(broken.backup.stagedFiles).toBeGreaterThan(0);
    expect(broken.backup.stagedFiles).toBeLessThan(phone.fs.photos.length);
    phone.setFaults({});
    phone.plug();
    await h.bridge.disconnect(phone.serialForAdb);
    await h.bridge.connect(phone.serialForAdb);
    await h.waitForState(phone.serialForAdb, ['device']);
    const done = await shop.backup(t.id, OP);
    expect(done.backup.status).toBe('verified');
    expect(done.backup.counts.find((c) => c.kind === 'media')?.inBackup).toBe(phone.fs.photos.length);
    expect(done.audit.map((a) => a.action)).toEqual(expect.arrayContaining(['backup.interrupted', 'backup.resumed', 'backup.verified']));
    await stop();
    await h.bridge.disconnect(phone.serialForAdb);
  }, 120_000);

  it('copes with a slow phone: a stop mid-copy keeps what was copied, and the resume finishes it', async () => {
    const phone = await h.addPhone({ profile: 'clean-ready', sizes: { photos: { count: 6, averageBytes: 200_000, awkwardNames: false } }, faults: { dataDelayMs: 40, shellDelayMs: 50 } });
    const { shop, events, stop } = newService(h);
    await shop.unlock('counter passphrase', true);
    const t = ticket(shop);
    await shop.connect(t.id, OP, phone.serialForAdb);
    const running = shop.backup(t.id, OP);
    await vi.waitFor(() => expect(events.some((e) => e.name === 'shop.progress' && (e.payload as { phase: string; bytes: number }).phase === 'files' && (e.payload as { bytes: number }).bytes > 0)).toBe(true), { timeout: 60_000, interval: 50 });
    expect(shop.status().running).toEqual({ ticketId: t.id, step: 'backup' });
    expect(shop.cancel()).toBe(true);
    await expect(running).rejects.toMatchObject({ code: 'cancelled' });
    expect(shop.ticket(t.id).backup.status).toBe('interrupted');
    expect(shop.status().running).toBeNull();
    phone.setFaults({});
    const done = await shop.backup(t.id, OP);
    expect(done.backup.status).toBe('verified');
    expect(done.backup.counts.find((c) => c.kind === 'media')).toMatchObject({ onPhone: 6, inBackup: 6 });
    await stop();
    await h.bridge.disconnect(phone.serialForAdb);
  }, 120_000);

  it('asks which phone when two are connected, explains an unauthorized one, and times out a stalled one with a message', async () => {
    const { shop: watcher, events, stop: stopWatcher } = newService(h);
    await watcher.phones();
    const a = await h.addPhone({ profile: 'clean-ready' });
    const b = await h.addPhone({ profile: 'samsung-oneui', faults: { stallShell: /dumpsys account/, extraShellLines: ['WARNING: linker: libfoo.so has text relocations'] } });
    const c = await h.addPhone({ profile: 'clean-ready', auth: 'never' });
    const { shop, stop } = newService(h, { phoneTimeouts: { shellTimeoutMs: 2_000, idleTimeoutMs: 2_000 } });
    const t = ticket(shop);
    // Live detection: the adb server's device tracking pushed each arrival, including the unauthorized phone.
    await vi.waitFor(() => {
      const last = events.filter((e) => e.name === 'shop.phonesChanged').at(-1)?.payload as { phones: { serial: string; state: string }[] } | undefined;
      expect(last?.phones).toEqual(expect.arrayContaining([{ serial: c.serialForAdb, state: 'unauthorized', model: null, product: null }, expect.objectContaining({ serial: a.serialForAdb, state: 'device' })]));
    }, { timeout: 20_000, interval: 100 });
    await stopWatcher();
    await expect(shop.connect(t.id, OP)).rejects.toMatchObject({ code: 'device_unreachable', details: { reason: 'several_devices' } });
    const phones = await shop.phones();
    expect(phones.phones.find((p) => p.serial === c.serialForAdb)?.state).toBe('unauthorized');
    await expect(shop.connect(t.id, OP, c.serialForAdb)).rejects.toThrow(/Allow/);
    await shop.connect(t.id, OP, b.serialForAdb);
    // Unexpected lines before every answer do not break the identity.
    expect((await shop.identify(t.id, OP)).identity?.model).toBe('SM-A546E');
    await expect(shop.checkReadiness(t.id, OP)).rejects.toMatchObject({ code: 'device_unreachable', details: { reason: 'timeout' } });
    expect(shop.ticket(t.id).audit.some((x) => x.action === 'readiness.failed' && /did not answer/.test(x.detail))).toBe(true);
    await stop();
    for (const p of [a, b, c] as FakePhone[]) await h.bridge.disconnect(p.serialForAdb);
  }, 120_000);

  it('keeps hostile file names off this computer and in the receipt; retention deletes the backup and logs it', async () => {
    const phone = await h.addPhone({ profile: 'clean-ready', sizes: { photos: { count: 2, averageBytes: 10_000 } } });
    phone.fs.addHostileEntry('/sdcard/DCIM/Camera', '../../../escape.jpg');
    const { bufferFile } = await import('../phone/fake/files');
    phone.fs.addFile(Buffer.from('/sdcard/DCIM/Camera/line\nbreak.jpg'), bufferFile(Buffer.from('jpeg-ish 1'), 1_735_689_600));
    phone.fs.addFile(Buffer.concat([Buffer.from('/sdcard/DCIM/Camera/bad-'), Buffer.from([0xff, 0xfe]), Buffer.from('.jpg')]), bufferFile(Buffer.from('jpeg-ish 2'), 1_735_689_600));
    const { shop, clock, dir, stop } = newService(h);
    await shop.unlock('counter passphrase', true);
    const t = ticket(shop);
    await shop.connect(t.id, OP, phone.serialForAdb);
    const b = await shop.backup(t.id, OP);
    const media = b.backup.counts.find((c) => c.kind === 'media');
    expect(media?.inBackup).toBe(phone.fs.photos.length + 2);
    expect(media?.onPhone).toBe(phone.fs.photos.length + 3);
    expect(media?.note).toMatch(/not allowed on a computer/);
    expect(media?.note).toMatch(/readable name/);
    expect(fs.existsSync(path.join(dir, 'escape.jpg'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'shop', 'escape.jpg'))).toBe(false);

    expect(await shop.runRetention()).toEqual([]);
    clock.advance(31 * DAY);
    expect(await shop.runRetention()).toEqual([t.number]);
    const after = shop.ticket(t.id);
    expect(after.backup.status).toBe('deleted');
    expect(fs.existsSync(path.join(dir, 'shop', 'stores', t.id))).toBe(false);
    expect(after.audit.find((a) => a.action === 'backup.deleted')).toMatchObject({ operator: 'retention' });
    await stop();
    await h.bridge.disconnect(phone.serialForAdb);
  }, 120_000);
});

describe('shop without a phone', () => {
  it('says what to install when adb is missing, and which address it tried', async () => {
    const port = await freePort();
    const { shop, stop } = newService(null, { env: { PATH: '/nonexistent', HOME: os.tmpdir(), LIFELINE_ADB_SERVER: `127.0.0.1:${port}` } });
    shop.updateSettings({ adbPath: '/nonexistent/adb' });
    const phones = await shop.phones();
    expect(phones.server).toBe(`127.0.0.1:${port}`);
    expect(phones.problem?.code).toBe('adb_missing');
    expect(phones.problem?.message).toMatch(/apt-get install adb/);
    await stop();
  });

  it('keeps tickets, search, settings and the passphrase rules', async () => {
    const { shop, stop } = newService(null);
    await expect(shop.unlock('whatever1', false)).rejects.toMatchObject({ code: 'store_missing' });
    await shop.unlock('counter passphrase', true);
    await expect(shop.unlock('wrong passphrase', false)).rejects.toMatchObject({ code: 'wrong_passphrase' });
    const a = ticket(shop, 'Budi 50%_off');
    ticket(shop, 'Citra');
    expect(shop.list('50%_').map((t) => t.id)).toEqual([a.id]);
    expect(shop.list('%').map((t) => t.id)).toEqual([a.id]);
    expect(shop.settings().retentionDays).toBe(30);
    expect(shop.updateSettings({ retentionDays: 7, adbServer: '10.0.0.5:5037' }).retentionDays).toBe(7);
    expect(shop.adbServer()).toMatchObject({ host: '10.0.0.5', port: 5037, source: 'setting' });
    expect(() => shop.updateSettings({ adbServer: 'not an address' })).toThrow(/host:port/);
    const plain = newService(null, { env: { ANDROID_ADB_SERVER_PORT: '5099' } });
    expect(plain.shop.adbServer()).toEqual({ host: '127.0.0.1', port: 5099, source: 'env' });
    await plain.stop();
    const bare = newService(null, { env: {} });
    expect(bare.shop.adbServer()).toEqual({ host: '127.0.0.1', port: 5037, source: 'default' });
    await bare.stop();
    await expect(shop.backup(shop.createTicket({ operator: OP, customerName: 'X', contact: 'x', device: 'x', problem: 'x', consentBackup: false, consentRetention: false }).id, OP)).rejects.toThrow(/consent/);
    expect(shop.auditLog().some((e) => e.action === 'settings.changed')).toBe(true);
    await stop();
  });
});
