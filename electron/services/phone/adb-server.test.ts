/**
 * The production path: Debian's adb server (private port and HOME) -> @yume-chan/adb -> our device
 * interface and readers, against fake phones connected with `adb connect 127.0.0.1:PORT`.
 */
import crypto from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdbServerBridge, findAdbBinary, parseAdbBinaryVersion } from './adb-server';
import { photoBytes } from './fake/data';
import { adbAvailable, freePort, startAdbHarness, type AdbHarness } from './fake/adb-harness';
import type { FakePhone } from './fake/fake-phone';
import { listMedia, readBattery, readCalls, readContacts, readImei, readLockReadiness, readMms, readSms, readStorage } from './readers';

const sha = (b: Buffer): string => crypto.createHash('sha256').update(b).digest('hex');

describe.skipIf(!adbAvailable())('phones through the adb server', () => {
  let h: AdbHarness;
  beforeAll(async () => {
    h = await startAdbHarness({ shellTimeoutMs: 20_000, idleTimeoutMs: 10_000 });
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
  }, 30_000);

  it('reads the Xiaomi HyperOS phone: identity, IMEIs, accounts, data, and "not ready" with Mi and Google steps', async () => {
    const phone = await h.addPhone({ profile: 'xiaomi-hyperos' });
    const listed = (await h.bridge.listDevices()).find((d) => d.serial === phone.serialForAdb);
    expect(listed).toMatchObject({ state: 'device', model: '23090RA98G', product: 'garnet_global' });
    const device = await h.bridge.open(phone.serialForAdb);
    try {
      const lock = await readLockReadiness(device);
      expect(lock.identity).toMatchObject({ brand: 'Redmi', marketingName: 'Redmi Note 13 Pro 5G', serial: { value: 'a1b2c3d4' } });
      expect(lock.identity.vendorOs).toMatchObject({ name: 'HyperOS', version: '1.0' });
      expect(lock.report.verdict).toBe('not_ready');
      expect(lock.report.instructions.map((i) => i.code)).toEqual(['google_remove', 'xiaomi_find_device_off', 'xiaomi_sign_out']);
      const props = Object.fromEntries(Object.entries(phone.profile.props));
      expect((await readImei(device, props)).imeis).toEqual(phone.profile.imeis);
      expect(await readBattery(device)).toMatchObject({ percent: 64, status: 'discharging' });
      expect(await readStorage(device)).toMatchObject({ totalBytes: 239_000_000 * 1024 });
      const sms = await readSms(device);
      expect(sms.status === 'ok' && sms.items.map((m) => m.body)).toEqual(phone.shell.sms().map((m) => m.body));
      const contacts = await readContacts(device);
      expect(contacts.status === 'ok' && contacts.items.map((c) => c.displayName)).toEqual(phone.shell.contacts().map((c) => c.displayName));
      const calls = await readCalls(device);
      expect(calls.status === 'ok' && calls.items.length).toBe(phone.profile.sizes.calls);
      const mms = await readMms(device);
      expect(mms.status === 'ok' && mms.items.map((m) => m.parts.length)).toEqual([3, 3, 3]);
    } finally {
      await device.close();
    }
  });

  it('reads the Samsung phone (One UI, Secure Folder user) as not ready with Samsung steps', async () => {
    const phone = await h.addPhone({ profile: 'samsung-oneui' });
    const device = await h.bridge.open(phone.serialForAdb);
    try {
      const lock = await readLockReadiness(device);
      expect(lock.identity.vendorOs).toMatchObject({ name: 'One UI', version: '6.1.1' });
      expect(lock.identity.oemSerial).toBeNull();
      expect(lock.accounts?.users.map((u) => u.userId)).toEqual([0, 150]);
      expect(lock.report.verdict).toBe('not_ready');
      expect(lock.report.instructions.map((i) => i.code)).toEqual(['google_remove', 'samsung_find_off', 'samsung_sign_out']);
    } finally {
      await device.close();
    }
  });

  it('reads the clean Android 15 phone as ready, using the persistent data block', async () => {
    const phone = await h.addPhone({ profile: 'clean-ready' });
    const device = await h.bridge.open(phone.serialForAdb);
    try {
      const lock = await readLockReadiness(device);
      expect(lock.frp.pdb).toMatchObject({ frpActive: false });
      expect(lock.report.verdict).toBe('ready');
      expect(lock.report.summary).toMatch(/^Ready for reset/);
      expect(phone.commands.some((c) => c.startsWith('dumpsys persistent_data_block;'))).toBe(true);
    } finally {
      await device.close();
    }
  });

  it('reports the old phone’s refusals per kind, never as zero items', async () => {
    const phone = await h.addPhone({ profile: 'old-android8' });
    const device = await h.bridge.open(phone.serialForAdb);
    try {
      const sms = await readSms(device);
      expect(sms).toMatchObject({ status: 'refused' });
      expect(sms.status === 'refused' && sms.reason).toMatch(/Permission Denial.*READ_SMS/);
      expect(await readCalls(device)).toMatchObject({ status: 'refused' });
      expect(await readMms(device)).toMatchObject({ status: 'refused' });
      const contacts = await readContacts(device);
      expect(contacts.status === 'ok' && contacts.items.length).toBe(phone.profile.sizes.contacts);
      const imei = await readImei(device, { ...phone.profile.props });
      expect(imei.imeis).toEqual([]);
      expect(imei.attempts.every((a) => a.result.status === 'refused')).toBe(true);
      expect((await readLockReadiness(device)).identity.android).toMatchObject({ release: '8.0.0', sdk: 26 });
    } finally {
      await device.close();
    }
  });

  it('lists and pulls photos with awkward names over sync, byte for byte', async () => {
    const phone = await h.addPhone({ profile: 'clean-ready', sizes: { photos: { count: 8, averageBytes: 300_000 } } });
    const device = await h.bridge.open(phone.serialForAdb);
    try {
      const media = await listMedia(device);
      expect(media.files.map((f) => f.relativePath).sort()).toEqual(phone.fs.photos.map((p) => p.path.toString('utf8').replace('/sdcard/', '')).sort());
      for (const f of media.files) {
        const src = phone.fs.photos.find((p) => p.path.equals(f.path));
        const chunks: Buffer[] = [];
        for await (const c of device.pull(f.path)) chunks.push(c);
        expect(sha(Buffer.concat(chunks))).toBe(sha(photoBytes(src as FakePhone['fs']['photos'][number], 0, f.size)));
      }
    } finally {
      await device.close();
    }
  });

  it('asks which phone when two are connected', async () => {
    const list = await h.bridge.listDevices();
    expect(list.filter((d) => d.state === 'device').length).toBeGreaterThan(1);
    await expect(h.bridge.open()).rejects.toMatchObject({ code: 'device_unreachable', details: { reason: 'several_devices' } });
    await expect(h.bridge.open('127.0.0.1:1')).rejects.toMatchObject({ details: { reason: 'not_found' } });
  });

  it('shows an unauthorized phone as such, with help, and picks it up once allowed', async () => {
    const phone = await h.addPhone({ profile: 'samsung-oneui', auth: 'never' });
    await expect(h.bridge.open(phone.serialForAdb)).rejects.toMatchObject({ code: 'device_unreachable', details: { reason: 'unauthorized' } });
    await expect(h.bridge.open(phone.serialForAdb)).rejects.toThrow(/tap "Allow"/);
    phone.authorize();
    await h.waitForState(phone.serialForAdb, ['device']);
    const device = await h.bridge.open(phone.serialForAdb);
    expect((await device.shell('getprop ro.product.model')).trim()).toBe('SM-A546E');
    await device.close();
  });

  it('times out a phone that stops answering, and still answers other commands', async () => {
    const phone = await h.addPhone({ profile: 'clean-ready', faults: { stallShell: /^dumpsys battery/ } });
    const device = await h.bridge.open(phone.serialForAdb);
    try {
      await expect(device.shell('dumpsys battery', { timeoutMs: 1500 })).rejects.toMatchObject({ code: 'device_unreachable', details: { reason: 'timeout' } });
      expect((await device.shell('getprop ro.product.model')).trim()).toBe('Pixel 8');
    } finally {
      await device.close();
    }
  });

  it('times out a transfer that stalls mid-file', async () => {
    const phone = await h.addPhone({ profile: 'clean-ready', sizes: { photos: { count: 1, averageBytes: 2_000_000, awkwardNames: false } } });
    const device = await h.bridge.open(phone.serialForAdb, {});
    try {
      const file = (await listMedia(device)).files[0];
      expect(file).toBeDefined();
      phone.setFaults({ stallAfterBytes: 300_000 });
      const pulled: number[] = [];
      const err = await (async () => {
        for await (const c of device.pull((file as { path: Buffer }).path, { idleTimeoutMs: 1500 })) pulled.push(c.length);
      })().catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'device_unreachable', details: { reason: 'timeout' } });
    } finally {
      phone.setFaults({});
      await device.close();
    }
  });

  it('fails a pull cleanly when the phone is unplugged mid-file, and works again after replugging', async () => {
    const phone = await h.addPhone({ profile: 'clean-ready', sizes: { photos: { count: 1, averageBytes: 3_000_000, awkwardNames: false } } });
    let device = await h.bridge.open(phone.serialForAdb);
    const file = (await listMedia(device)).files[0] as { path: Buffer; size: number };
    phone.setFaults({ unplugAfterBytes: 1_000_000 });
    let received = 0;
    const err = await (async () => {
      for await (const c of device.pull(file.path)) received += c.length;
    })().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'device_unreachable', details: { reason: 'disconnected' } });
    expect((err as Error).message).toMatch(/disconnected during copying/);
    expect(received).toBeLessThan(file.size);
    await device.close();
    phone.setFaults({});
    phone.plug();
    // A network phone stays "offline" in adb after the drop; the Shop's reconnect does disconnect + connect.
    await h.bridge.disconnect(phone.serialForAdb);
    await h.bridge.connect(phone.serialForAdb);
    await h.waitForState(phone.serialForAdb, ['device']);
    device = await h.bridge.open(phone.serialForAdb);
    const chunks: Buffer[] = [];
    for await (const c of device.pull(file.path)) chunks.push(c);
    expect(Buffer.concat(chunks).length).toBe(file.size);
    await device.close();
  });
});

describe('finding and checking adb', () => {
  it('says what to install when adb is missing', async () => {
    expect(findAdbBinary('/nonexistent/adb')).toBeNull();
    const port = await freePort();
    const bridge = new AdbServerBridge({ port, adbPath: '/nonexistent/adb' });
    await expect(bridge.ensureServer()).rejects.toMatchObject({ code: 'adb_missing' });
    await expect(bridge.ensureServer()).rejects.toThrow(/apt-get install adb.*Platform-Tools/);
    const noStart = new AdbServerBridge({ port, startServer: false });
    await expect(noStart.listDevices()).rejects.toThrow(/No adb server is running/);
  });

  it('refuses an adb server that is too old', async () => {
    // A stand-in server that answers host:version with 32 (0x20), as platform-tools 1.0.32 did.
    const server = net.createServer((s) => {
      s.once('data', () => s.end('OKAY00040020'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const address = server.address();
    const bridge = new AdbServerBridge({ port: typeof address === 'object' && address ? address.port : 0, startServer: false });
    try {
      await expect(bridge.ensureServer()).rejects.toMatchObject({ code: 'unsupported_version' });
      await expect(bridge.ensureServer()).rejects.toThrow(/needs adb 1\.0\.41.*apt-get install adb/);
    } finally {
      server.close();
    }
  });

  it('reads adb version output', () => {
    expect(parseAdbBinaryVersion('Android Debug Bridge version 1.0.41\nVersion 29.0.6-debian\nInstalled as /usr/lib/android-sdk/platform-tools/adb\n')).toEqual({ protocol: 41, release: '29.0.6-debian' });
  });
});
