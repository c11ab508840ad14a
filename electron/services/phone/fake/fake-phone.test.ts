import crypto from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AdbPhoneDevice } from '../device';
import { listMedia, readAccounts, readIdentity, readSms } from '../readers';
import { connectDirect } from './direct-connection';
import { photoBytes } from './data';
import { FakePhone } from './fake-phone';
import { A_CNXN, A_OKAY, A_OPEN, A_VERSION_MIN, MessageReader, encodeMessage, type AdbMessage } from './wire';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function startPhone(options: ConstructorParameters<typeof FakePhone>[0]): Promise<FakePhone> {
  const phone = new FakePhone(options);
  await phone.start();
  cleanups.push(() => phone.stop());
  return phone;
}

async function openDirect(phone: FakePhone, defaults?: { shellTimeoutMs?: number; idleTimeoutMs?: number }): Promise<AdbPhoneDevice> {
  const { adb, socket } = await connectDirect(phone.port);
  const device = new AdbPhoneDevice(adb, phone.serialForAdb, defaults);
  cleanups.push(async () => {
    socket.destroy();
  });
  return device;
}

const sha = (b: Buffer): string => crypto.createHash('sha256').update(b).digest('hex');

describe('fake phone over the wire (raw packets)', () => {
  it('answers CNXN with its banner, honours the old checksummed protocol, and closes unknown services', async () => {
    const phone = await startPhone({ profile: 'samsung-oneui', maxPayload: 4096 });
    const socket = net.connect(phone.port, '127.0.0.1');
    cleanups.push(() => void socket.destroy());
    const reader = new MessageReader(1 << 20);
    const inbox: AdbMessage[] = [];
    let wake: (() => void) | null = null;
    socket.on('data', (d: Buffer) => {
      inbox.push(...reader.push(d));
      wake?.();
    });
    const next = async (): Promise<AdbMessage> => {
      while (inbox.length === 0) await new Promise<void>((r) => (wake = r));
      return inbox.shift() as AdbMessage;
    };
    socket.write(encodeMessage(A_CNXN, A_VERSION_MIN, 4096, Buffer.from('host::\0')));
    const cnxn = await next();
    expect(cnxn.command).toBe(A_CNXN);
    expect(cnxn.arg0).toBe(A_VERSION_MIN);
    expect(cnxn.payload.toString()).toContain('ro.product.model=SM-A546E');
    socket.write(encodeMessage(A_OPEN, 7, 0, Buffer.from('reboot:\0')));
    const refused = await next();
    expect([refused.command, refused.arg0, refused.arg1]).toEqual([0x45534c43, 0, 7]);
    socket.write(encodeMessage(A_OPEN, 8, 0, Buffer.from('exec:getprop ro.product.model\0')));
    const okay = await next();
    expect([okay.command, okay.arg1]).toEqual([A_OKAY, 8]);
    const data = await next();
    expect(data.payload.toString()).toBe('SM-A546E\n');
    expect(data.arg1).toBe(8);
  });
});

describe('fake phone with @yume-chan/adb connected directly (no adb server)', () => {
  it('serves identity, accounts and SMS through our device interface', async () => {
    const phone = await startPhone({ profile: 'xiaomi-hyperos' });
    const device = await openDirect(phone);
    const { identity } = await readIdentity(device);
    expect(identity.vendorOs?.name).toBe('HyperOS');
    expect(identity.marketingName).toBe('Redmi Note 13 Pro 5G');
    const accounts = await readAccounts(device);
    expect(accounts?.accounts.map((a) => a.type)).toEqual(['com.xiaomi', 'com.google']);
    const sms = await readSms(device);
    expect(sms.status).toBe('ok');
    if (sms.status === 'ok') {
      const expected = phone.shell.sms();
      expect(sms.items.map((m) => m.body)).toEqual(expected.map((m) => m.body));
      expect(sms.items.map((m) => m.address)).toEqual(expected.map((m) => m.address));
    }
  });

  it('lists, pulls and pushes through sync with raw-byte names, small payloads and split frames', async () => {
    const phone = await startPhone({ profile: 'clean-ready', maxPayload: 4096, sizes: { photos: { count: 6, averageBytes: 150_000 } } });
    const device = await openDirect(phone);
    const media = await listMedia(device);
    expect(media.files.length).toBe(6);
    const odd = media.files.find((f) => !f.nameIsUtf8);
    expect(odd?.name).toBe('caf\uFFFD_2.jpg');
    expect(media.files.some((f) => f.name === 'holiday\nphoto 1.jpg')).toBe(true);
    for (const f of media.files) {
      const src = phone.fs.photos.find((p) => p.path.equals(f.path));
      expect(src).toBeDefined();
      const chunks: Buffer[] = [];
      for await (const c of device.pull(f.path)) chunks.push(c);
      expect(sha(Buffer.concat(chunks))).toBe(sha(photoBytes(src as { size: number; seed: number }, 0, f.size)));
    }
    const payload = crypto.randomBytes(200_000);
    await device.push('/sdcard/Download/new/file.bin', payload, { mode: 0o600, mtime: 1_700_000_000 });
    const st = await device.stat('/sdcard/Download/new/file.bin');
    expect(st).toMatchObject({ size: 200_000, mtime: 1_700_000_000, isFile: true });
    expect(await device.stat('/sdcard/none')).toBeNull();
  });

  it('skips hostile names a phone could send ("../", "..")', async () => {
    const phone = await startPhone({ profile: 'clean-ready' });
    phone.fs.addHostileEntry('/sdcard/DCIM/Camera', '../../escape.jpg');
    const device = await openDirect(phone);
    const media = await listMedia(device);
    expect(media.skipped).toEqual([{ where: '/sdcard/DCIM/Camera', name: '"../../escape.jpg"', reason: 'contains "/"' }]);
    expect(media.files.every((f) => !f.relativePath.includes('..'))).toBe(true);
  });

  it('times out a shell command that never answers, with a clear error, and keeps working after', async () => {
    const phone = await startPhone({ profile: 'clean-ready', faults: { stallShell: /dumpsys account/ } });
    const device = await openDirect(phone, { shellTimeoutMs: 1500 });
    await expect(device.shell('dumpsys account')).rejects.toMatchObject({ code: 'device_unreachable', details: { reason: 'timeout' } });
    await expect(device.shell('dumpsys account')).rejects.toThrow(/did not answer "dumpsys account" within 1.5 s/);
    expect((await device.shell('getprop ro.product.model')).trim()).toBe('Pixel 8');
  });

  it('ignores extra lines before the answer', async () => {
    const phone = await startPhone({ profile: 'samsung-oneui', faults: { extraShellLines: ['WARNING: linker: libfoo.so: unsupported flags DT_FLAGS_1=0x8000001', '[ro.fake.noise]: broken'] } });
    const device = await openDirect(phone);
    const { identity } = await readIdentity(device);
    expect(identity.vendorOs).toMatchObject({ name: 'One UI', version: '6.1.1' });
    const accounts = await readAccounts(device);
    expect(accounts?.accounts.length).toBe(2);
    const sms = await readSms(device);
    expect(sms.status === 'ok' && sms.warnings[0]).toMatch(/unexpected line/);
  });
});
