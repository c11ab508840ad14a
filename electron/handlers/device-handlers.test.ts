import { afterEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { LifelineError } from '../../contract';
import { deviceMethods, type DeviceMethodName } from '../../contract/devices';
import { createDeviceHandlers } from './device-handlers';
import type { CallContext } from '../dispatcher';
import { ManualClock } from '../services/clock';
import { DevicesService, ENROLL_CODE_ALPHABET } from '../services/devices/devices-service';
import { ALICE, BOB, caller, createDevicesHarness, enrollPhone, openTestDb, type DevicesHarness } from '../services/devices/test-support';

const ctx = { ip: '127.0.0.1', userAgent: 'vitest' };
const DAY = 24 * 3600_000;

async function codeOf(promise: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    if (error instanceof LifelineError) return error.code;
    throw error;
  }
  return 'no error';
}

function report(h: DevicesHarness, bearer: string, at: number, lat = -6.9147, lon = 107.6098) {
  return h.service.report(bearer, { at, location: { lat, lon, accuracyM: 10, source: 'gps' } }, '127.0.0.1');
}

/** Calls a handler the way the dispatcher does: input and output checked against the contract. */
async function rpc<M extends DeviceMethodName>(h: DevicesHarness, method: M, input: unknown, who: CallContext): Promise<z.output<(typeof deviceMethods)[M]['output']>> {
  const handlers = createDeviceHandlers({ devices: h.service, gate: h.gate });
  const spec = deviceMethods[method];
  const parsed = spec.input.parse(input);
  const handler = handlers[method] as (input: unknown, ctx: CallContext) => unknown;
  return spec.output.parse(await handler(parsed, who)) as z.output<(typeof deviceMethods)[M]['output']>;
}

describe('devices owner methods (handlers over the service)', () => {
  let h: DevicesHarness;
  afterEach(() => h.close());

  it('makes 8-character codes from the unambiguous alphabet, a PNG QR code, and a link from the public URL only', async () => {
    h = createDevicesHarness({ publicUrl: 'https://find.example.org/' });
    h.service.setHostUrl('http://127.0.0.1:5170/');
    const start = await h.service.startEnrollment(ALICE);
    expect(start.code).toMatch(new RegExp(`^[${ENROLL_CODE_ALPHABET}]{4}-[${ENROLL_CODE_ALPHABET}]{4}$`));
    expect(ENROLL_CODE_ALPHABET).not.toMatch(/[01OIL]/);
    expect(start.enrollUrl).toBe(`https://find.example.org/agent/v1/enroll#code=${start.code.replace('-', '')}`);
    expect(start.qrDataUrl).toMatch(/^data:image\/png;base64,/);
    expect(Buffer.from(start.qrDataUrl.split(',')[1] ?? '', 'base64').subarray(1, 4).toString()).toBe('PNG');
    expect(start.expiresAt - h.clock.now()).toBe(10 * 60_000);
    expect(start.reachableFromPhones).toBe(true);
    // Codes are stored hashed.
    const stored = h.db.prepare('SELECT code_hash FROM device_enrollment_codes').all() as { code_hash: Buffer }[];
    expect(stored.some((r) => r.code_hash.toString('utf8').includes(start.code.slice(0, 4)))).toBe(false);
  });

  it("falls back to the host's own address (flagged unreachable when loopback) and refuses without any address", async () => {
    h = createDevicesHarness();
    const bare = new DevicesService({ db: h.db, clock: h.clock, events: { emit: () => undefined }, gate: h.gate });
    expect(await codeOf(bare.startEnrollment(ALICE))).toBe('unavailable');
    bare.setHostUrl('http://127.0.0.1:5170/');
    const start = await bare.startEnrollment(ALICE);
    expect(start.enrollUrl.startsWith('http://127.0.0.1:5170/agent/v1/enroll#code=')).toBe(true);
    expect(start.reachableFromPhones).toBe(false);
  });

  it("answers another account's device exactly like a missing one, for every owner method", async () => {
    h = createDevicesHarness();
    const phone = await enrollPhone(h, ALICE);
    const asBob = caller(BOB);
    const tries: [DeviceMethodName, unknown][] = [
      ['devices.history', { deviceId: phone.deviceId }],
      ['devices.exportHistory', { deviceId: phone.deviceId, format: 'gpx' }],
      ['devices.command', { deviceId: phone.deviceId, command: { type: 'ring', seconds: 10 } }],
      ['devices.command', { deviceId: phone.deviceId, command: { type: 'erase', password: 'bob-password-22', confirmName: 'Pixel' } }],
      ['devices.commands', { deviceId: phone.deviceId }],
      ['devices.remove', { deviceId: phone.deviceId, password: 'bob-password-22' }],
      ['devices.alerts', { deviceId: phone.deviceId }],
    ];
    for (const [method, input] of tries) {
      const theirs = await rpc(h, method, input, asBob).catch((e: LifelineError) => e);
      const missing = await rpc(h, method, { ...(input as object), deviceId: 'dev_missing' }, asBob).catch((e: LifelineError) => e);
      expect(theirs, method).toBeInstanceOf(LifelineError);
      expect((theirs as LifelineError).code, method).toBe('not_found');
      expect((theirs as LifelineError).message).toBe((missing as LifelineError).message);
    }
    expect((await rpc(h, 'devices.list', {}, asBob)).devices).toEqual([]);
    expect(h.service.commands(ALICE, phone.deviceId)).toEqual([]);
    expect(h.service.list(ALICE)).toHaveLength(1);
  });

  it('needs a signed-in session for every method', async () => {
    h = createDevicesHarness();
    const anonymous: CallContext = { transport: 'internal', ip: '127.0.0.1', userAgent: 'x', session: { get: () => undefined, set: () => undefined } };
    for (const method of Object.keys(deviceMethods) as DeviceMethodName[]) {
      expect(deviceMethods[method].access, method).toBe('session');
    }
    expect(await codeOf(rpc(h, 'devices.list', {}, anonymous))).toBe('not_signed_in');
    expect(await codeOf(rpc(h, 'devices.settings', {}, anonymous))).toBe('not_signed_in');
  });

  it('refuses an erase without the password (contract), with a wrong password or a wrong name (service), and throttles guessing', async () => {
    h = createDevicesHarness();
    const phone = await enrollPhone(h, ALICE, { name: 'Budi phone' });
    const asAlice = caller(ALICE);
    const noPassword = deviceMethods['devices.command'].input.safeParse({ deviceId: phone.deviceId, command: { type: 'erase', confirmName: 'Budi phone' } });
    expect(noPassword.success).toBe(false);
    const noName = deviceMethods['devices.command'].input.safeParse({ deviceId: phone.deviceId, command: { type: 'erase', password: 'alice-password-1' } });
    expect(noName.success).toBe(false);
    expect(await codeOf(rpc(h, 'devices.command', { deviceId: phone.deviceId, command: { type: 'erase', password: 'alice-password-1', confirmName: 'Budi' } }, asAlice))).toBe('invalid_input');
    for (let i = 0; i < 5; i++) {
      expect(await codeOf(rpc(h, 'devices.command', { deviceId: phone.deviceId, command: { type: 'erase', password: `nope-${i}`, confirmName: 'Budi phone' } }, asAlice))).toBe('invalid_credentials');
    }
    expect(await codeOf(rpc(h, 'devices.command', { deviceId: phone.deviceId, command: { type: 'erase', password: 'alice-password-1', confirmName: 'Budi phone' } }, asAlice))).toBe('rate_limited');
    expect(h.service.commands(ALICE, phone.deviceId)).toEqual([]);
    h.clock.advance(15 * 60_000);
    const erase = await rpc(h, 'devices.command', { deviceId: phone.deviceId, command: { type: 'erase', password: 'alice-password-1', confirmName: '  Budi phone ' } }, asAlice);
    expect(erase).toMatchObject({ type: 'erase', status: 'queued', params: {} });
    expect(JSON.stringify(h.db.prepare('SELECT * FROM device_commands').all())).not.toContain('alice-password-1');
  });

  it('walks lost mode through pending -> on -> ending -> off with the phone', async () => {
    h = createDevicesHarness();
    const phone = await enrollPhone(h, ALICE);
    const lost = await h.service.command(ALICE, phone.deviceId, { type: 'lost_mode', message: 'Found it? Call me', phone: '+62 812 3456 789' }, ctx);
    expect(h.service.list(ALICE)[0]?.lostMode).toEqual({ state: 'pending', message: 'Found it? Call me', phone: '+62 812 3456 789' });
    report(h, phone.bearer, h.clock.now());
    h.service.commandResult(phone.bearer, lost.id, { status: 'done' }, '127.0.0.1');
    expect(h.service.list(ALICE)[0]?.lostMode.state).toBe('on');
    const end = await h.service.command(ALICE, phone.deviceId, { type: 'end_lost_mode' }, ctx);
    expect(h.service.list(ALICE)[0]?.lostMode.state).toBe('ending');
    report(h, phone.bearer, h.clock.now());
    h.service.commandResult(phone.bearer, end.id, { status: 'done' }, '127.0.0.1');
    expect(h.service.list(ALICE)[0]?.lostMode).toEqual({ state: 'off', message: null, phone: null });
  });

  it('removes a device with the password again: lock off, token dead, history gone', async () => {
    h = createDevicesHarness();
    const phone = await enrollPhone(h, ALICE);
    report(h, phone.bearer, h.clock.now());
    expect(await codeOf(h.service.remove(ALICE, phone.deviceId, 'wrong', ctx))).toBe('invalid_credentials');
    expect(h.service.list(ALICE)).toHaveLength(1);
    await h.service.remove(ALICE, phone.deviceId, 'alice-password-1', ctx);
    expect(h.service.list(ALICE)).toEqual([]);
    expect(h.db.prepare('SELECT count(*) AS n FROM device_reports').get()).toEqual({ n: 0 });
    expect(await codeOf(() => report(h, phone.bearer, h.clock.now()))).toBe('unauthorized');
    expect(h.events).toContainEqual({ name: 'devices.updated', payload: { deviceId: phone.deviceId, removed: true } });
  });

  it('returns the trail in a range, newest points when truncated, and exports GPX and GeoJSON', async () => {
    h = createDevicesHarness({ limits: { reportBurst: 1000 } });
    const phone = await enrollPhone(h, ALICE, { name: 'Trail phone' });
    const t0 = h.clock.now();
    for (let i = 0; i < 10; i++) report(h, phone.bearer, t0 - (10 - i) * 60_000, -6.9 + i * 0.001, 107.6);
    const all = h.service.history(ALICE, phone.deviceId, {});
    expect(all.points).toHaveLength(10);
    expect(all.points.map((p) => p.at)).toEqual([...all.points.map((p) => p.at)].sort((a, b) => a - b));
    const some = h.service.history(ALICE, phone.deviceId, { from: t0 - 5 * 60_000, to: t0 - 3 * 60_000 });
    expect(some.points).toHaveLength(3);
    const last3 = h.service.history(ALICE, phone.deviceId, { limit: 3 });
    expect(last3).toMatchObject({ truncated: true });
    expect(last3.points.map((p) => p.at)).toEqual([t0 - 3 * 60_000, t0 - 2 * 60_000, t0 - 60_000]);
    const gpx = await rpc(h, 'devices.exportHistory', { deviceId: phone.deviceId, format: 'gpx' }, caller(ALICE));
    expect(gpx).toMatchObject({ fileName: 'trail-phone-2026-03-01.gpx', mimeType: 'application/gpx+xml', points: 10 });
    expect(gpx.content.match(/<trkpt /g)).toHaveLength(10);
    const geo = await rpc(h, 'devices.exportHistory', { deviceId: phone.deviceId, format: 'geojson' }, caller(ALICE));
    expect(JSON.parse(geo.content).features).toHaveLength(11);
  });

  it('keeps history 30 days by default, and a shorter setting prunes at once', async () => {
    h = createDevicesHarness({ limits: { reportBurst: 1000 } });
    const phone = await enrollPhone(h, ALICE);
    const now = h.clock.now();
    for (const daysAgo of [6, 5, 2, 0]) report(h, phone.bearer, now - daysAgo * DAY);
    expect(h.service.settings()).toEqual({ historyRetentionDays: 30, onlineTileUrl: null });
    h.clock.advance(26 * DAY);
    expect(h.service.pruneHistory()).toBe(2);
    expect(h.service.history(ALICE, phone.deviceId, {}).points).toHaveLength(2);
    const settings = await rpc(h, 'devices.updateSettings', { historyRetentionDays: 7, onlineTileUrl: 'https://tile.example.org/{z}/{x}/{y}.png' }, caller(ALICE));
    expect(settings).toEqual({ historyRetentionDays: 7, onlineTileUrl: 'https://tile.example.org/{z}/{x}/{y}.png' });
    expect(h.service.history(ALICE, phone.deviceId, {}).points).toHaveLength(0);
    expect(deviceMethods['devices.updateSettings'].input.safeParse({ onlineTileUrl: 'http://tile.example.org/{z}/{x}/{y}.png' }).success).toBe(false);
  });

  it('keeps commands and their states across a restart, and hands queued ones out afterwards', async () => {
    const clock = new ManualClock(Date.UTC(2026, 2, 1));
    h = createDevicesHarness({ clock });
    const phone = await enrollPhone(h, ALICE);
    const ring = await h.service.command(ALICE, phone.deviceId, { type: 'ring', seconds: 15 }, ctx);
    report(h, phone.bearer, clock.now());
    const locate = await h.service.command(ALICE, phone.deviceId, { type: 'locate_now' }, ctx);
    h.close();

    const db = openTestDb(h.dir);
    h = { ...h, db, service: new DevicesService({ db, clock, events: { emit: () => undefined }, gate: h.gate }), close: () => db.close() };
    expect(h.service.commands(ALICE, phone.deviceId).map((c) => [c.id, c.status])).toEqual([
      [locate.id, 'queued'],
      [ring.id, 'delivered'],
    ]);
    expect(report(h, phone.bearer, clock.now()).commands.map((c) => c.id)).toEqual([locate.id]);
  });
});
