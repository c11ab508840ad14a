import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, BOB, createDevicesHarness, enrollPhone, type DevicesHarness } from '../services/devices/test-support';
import { AGENT_MAX_BODY_BYTES, createAgentApi } from './agent-api';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  json: { ok?: boolean; error?: { code: string; message: string }; [key: string]: unknown };
  text: string;
}

/** A bare Node server with only the agent mount: the same handler the web host mounts at /agent/v1/. */
async function serve(h: DevicesHarness): Promise<{ port: number; close(): Promise<void> }> {
  const api = createAgentApi(h.service);
  const server = http.createServer((req, res) => {
    void api(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function call(port: number, path: string, options: { method?: string; body?: unknown; raw?: string | Buffer; token?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'POST',
        headers: {
          ...(payload !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Answer['json'] = {};
          try {
            json = JSON.parse(text) as Answer['json'];
          } catch {
            // left empty; the test looks at text
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, json, text });
        });
      },
    );
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

const enrollBody = (code: string, extra: Record<string, unknown> = {}) => ({ code, name: 'Budi phone', model: 'Galaxy A54', platform: 'android', osVersion: '14', ...extra });
const here = (h: DevicesHarness, extra: Record<string, unknown> = {}) => ({
  at: h.clock.now(),
  location: { lat: -6.9147, lon: 107.6098, accuracyM: 15, source: 'gps' },
  battery: { percent: 64, charging: false },
  network: { type: 'cellular', operator: 'Telkomsel' },
  sim: { slot: 0, operator: 'Telkomsel', iccidHash: 'a'.repeat(64) },
  ...extra,
});
const reportCount = (h: DevicesHarness, deviceId: string) =>
  (h.db.prepare('SELECT count(*) AS n FROM device_reports WHERE device_id = ?').get(deviceId) as { n: number }).n;

describe('agent API /agent/v1/', () => {
  let h: DevicesHarness;
  let server: { port: number; close(): Promise<void> };
  const ctx = { ip: '127.0.0.1', userAgent: 'vitest' };

  beforeEach(async () => {
    h = createDevicesHarness();
    server = await serve(h);
  });

  afterEach(async () => {
    await server.close();
    h.close();
  });

  describe('POST /agent/v1/enroll', () => {
    it('links a phone with a fresh code: 201 {deviceId, deviceToken}, Find device and the activation lock on', async () => {
      const { code } = await h.service.startEnrollment(ALICE);
      const res = await call(server.port, '/agent/v1/enroll', { body: enrollBody(code.toLowerCase(), { serial: 'R58N12345', imei: '356938035643809' }) });
      expect(res.status).toBe(201);
      expect(Object.keys(res.json).sort()).toEqual(['deviceId', 'deviceToken']);
      const [device] = h.service.list(ALICE);
      expect(device).toMatchObject({ id: res.json.deviceId, name: 'Budi phone', findDevice: true, activationLock: true, erased: false });
      expect(JSON.stringify(device)).not.toContain('356938035643809');
      expect(h.service.list(BOB)).toEqual([]);
    });

    it('refuses a code used twice, a wrong code and a code after 10 minutes, with one message', async () => {
      const first = await h.service.startEnrollment(ALICE);
      expect((await call(server.port, '/agent/v1/enroll', { body: enrollBody(first.code) })).status).toBe(201);
      const again = await call(server.port, '/agent/v1/enroll', { body: enrollBody(first.code) });
      expect(again.status).toBe(400);
      expect(again.json.error?.code).toBe('invalid_code');

      const wrong = await call(server.port, '/agent/v1/enroll', { body: enrollBody('ABCD-EFGH') });
      expect(wrong.json.error).toEqual(again.json.error);

      const late = await h.service.startEnrollment(ALICE);
      h.clock.advance(10 * 60_000 + 1);
      const expired = await call(server.port, '/agent/v1/enroll', { body: enrollBody(late.code) });
      expect(expired.status).toBe(400);
      expect(expired.json.error).toEqual(again.json.error);
      expect(h.service.list(ALICE)).toHaveLength(1);
    });

    it('lets exactly one of many parallel enrollments with the same code win', async () => {
      const { code } = await h.service.startEnrollment(ALICE);
      const answers = await Promise.all(Array.from({ length: 10 }, () => call(server.port, '/agent/v1/enroll', { body: enrollBody(code) })));
      expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
      expect(h.service.list(ALICE)).toHaveLength(1);
    });

    it('refuses a phone that is activation-locked to another account, and leaves the code usable', async () => {
      await enrollPhone(h, BOB, { serial: 'LOCKED-1' });
      const { code } = await h.service.startEnrollment(ALICE);
      const res = await call(server.port, '/agent/v1/enroll', { body: enrollBody(code, { serial: 'LOCKED-1' }) });
      expect(res.status).toBe(403);
      expect(res.json.error?.message).toMatch(/activation-locked to another account/);
      expect((await call(server.port, '/agent/v1/enroll', { body: enrollBody(code, { serial: 'OTHER-2' }) })).status).toBe(201);
    });

    it('throttles wrong codes per address (429 with Retry-After)', async () => {
      let last: Answer | undefined;
      for (let i = 0; i < 21; i++) last = await call(server.port, '/agent/v1/enroll', { body: enrollBody(`WRONG${i}`) });
      expect(last?.status).toBe(429);
      expect(Number(last?.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('answers bad bodies with clear 400s in the /api envelope', async () => {
      const missing = await call(server.port, '/agent/v1/enroll', { body: { code: 'X' } });
      expect(missing.status).toBe(400);
      expect(missing.json).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
      expect(missing.json.error?.message).toMatch(/name/);
      const extra = await call(server.port, '/agent/v1/enroll', { body: enrollBody('ABCDEFGH', { admin: true }) });
      expect(extra.json.error?.message).toMatch(/unexpected field\(s\) admin/);
      const badJson = await call(server.port, '/agent/v1/enroll', { raw: '{"code":' });
      expect(badJson.status).toBe(400);
      expect(badJson.json.error?.code).toBe('bad_request');
      const noBody = await call(server.port, '/agent/v1/enroll');
      expect(noBody.status).toBe(400);
      const text = await call(server.port, '/agent/v1/enroll', { raw: 'code=1', headers: { 'Content-Type': 'text/plain' } });
      expect(text.status).toBe(415);
    });
  });

  describe('POST /agent/v1/reports', () => {
    it('stores the report, shows it to the owner, and hands out pending commands once (they become delivered)', async () => {
      const phone = await enrollPhone(h, ALICE);
      const first = await call(server.port, '/agent/v1/reports', { token: phone.deviceToken, body: here(h) });
      expect(first.status).toBe(200);
      expect(first.json).toEqual({ commands: [] });
      const [device] = h.service.list(ALICE);
      expect(device).toMatchObject({
        online: true,
        battery: { percent: 64, charging: false },
        network: { type: 'cellular', operator: 'Telkomsel' },
        sim: { slot: 0, operator: 'Telkomsel' },
        lastLocation: { lat: -6.9147, lon: 107.6098, place: 'near Bandung, Indonesia' },
      });
      expect(JSON.stringify(device)).not.toContain('a'.repeat(64));

      const ring = await h.service.command(ALICE, phone.deviceId, { type: 'ring', seconds: 20 }, ctx);
      expect(ring.status).toBe('queued');
      const second = await call(server.port, '/agent/v1/reports', { token: phone.deviceToken, body: here(h) });
      expect(second.json).toEqual({ commands: [{ id: ring.id, type: 'ring', params: { seconds: 20 } }] });
      expect(h.service.commands(ALICE, phone.deviceId)[0]?.status).toBe('delivered');
      expect(h.events).toContainEqual({ name: 'devices.commandUpdated', payload: { deviceId: phone.deviceId, commandId: ring.id, type: 'ring', status: 'delivered' } });
      const third = await call(server.port, '/agent/v1/reports', { token: phone.deviceToken, body: here(h) });
      expect(third.json).toEqual({ commands: [] });
      // Unanswered for two minutes: handed out again, in case the answer was lost on the way.
      h.clock.advance(2 * 60_000);
      const fourth = await call(server.port, '/agent/v1/reports', { token: phone.deviceToken, body: here(h) });
      expect((fourth.json.commands as { id: string }[]).map((c) => c.id)).toEqual([ring.id]);
    });

    it('accepts ISO times and reports without a location', async () => {
      const phone = await enrollPhone(h, ALICE);
      const res = await call(server.port, '/agent/v1/reports', { token: phone.deviceToken, body: { at: new Date(h.clock.now()).toISOString(), battery: { percent: 5, charging: true } } });
      expect(res.status).toBe(200);
      expect(h.service.list(ALICE)[0]?.battery).toEqual({ percent: 5, charging: true });
    });

    it('refuses a missing, forged or malformed token with 401 and the same message', async () => {
      await enrollPhone(h, ALICE);
      const none = await call(server.port, '/agent/v1/reports', { body: here(h) });
      const forged = await call(server.port, '/agent/v1/reports', { token: 'A'.repeat(43), body: here(h) });
      const odd = await call(server.port, '/agent/v1/reports', { headers: { Authorization: 'Basic Zm9vOmJhcg==' }, body: here(h) });
      for (const res of [none, forged, odd]) {
        expect(res.status).toBe(401);
        expect(res.json.error).toEqual(none.json.error);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      }
    });

    it('refuses an expired token (unused for 180 days) and a revoked one (device removed)', async () => {
      const idle = await enrollPhone(h, ALICE, { name: 'Idle' });
      const removed = await enrollPhone(h, ALICE, { name: 'Gone' });
      await h.service.remove(ALICE, removed.deviceId, 'alice-password-1', ctx);
      const revoked = await call(server.port, '/agent/v1/reports', { token: removed.deviceToken, body: here(h) });
      expect(revoked.status).toBe(401);
      h.clock.advance(181 * 24 * 3600_000);
      const expired = await call(server.port, '/agent/v1/reports', { token: idle.deviceToken, body: here(h) });
      expect(expired.status).toBe(401);
      expect(expired.json.error).toEqual(revoked.json.error);
    });

    it('refuses coordinates out of range, NaN, and times far in the future or past, storing nothing', async () => {
      const phone = await enrollPhone(h, ALICE);
      const bad = [
        { body: here(h, { location: { lat: 91, lon: 0, accuracyM: 5, source: 'gps' } }), says: /location\.lat: Latitude must be between -90 and 90/ },
        { body: here(h, { location: { lat: 0, lon: -180.5, accuracyM: 5, source: 'gps' } }), says: /location\.lon: Longitude/ },
        { body: here(h, { location: { lat: 'NaN', lon: 0, accuracyM: 5, source: 'gps' } }), says: /location\.lat/ },
        { body: here(h, { location: { lat: null, lon: 0, accuracyM: 5, source: 'gps' } }), says: /location\.lat/ },
        { body: here(h, { location: { lat: 0, lon: 0, accuracyM: -1, source: 'gps' } }), says: /location\.accuracyM/ },
        { body: here(h, { at: h.clock.now() + 3 * 3600_000 }), says: /3 hours in the future.*clock|date and time/ },
        { body: here(h, { at: h.clock.now() - 30 * 24 * 3600_000 }), says: /30 days in the past/ },
        { body: here(h, { at: 'yesterday' }), says: /^The request is not valid: at:/ },
        { body: here(h, { battery: { percent: 140, charging: false } }), says: /battery\.percent/ },
      ];
      for (const { body, says } of bad) {
        const res = await call(server.port, '/agent/v1/reports', { token: phone.deviceToken, body });
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.json.error?.code).toBe('invalid_input');
        expect(res.json.error?.message).toMatch(says);
      }
      // JSON has no NaN: a raw NaN is not JSON at all.
      const raw = await call(server.port, '/agent/v1/reports', { token: phone.deviceToken, raw: `{"at":${h.clock.now()},"location":{"lat":NaN,"lon":0,"accuracyM":1,"source":"gps"}}` });
      expect(raw.status).toBe(400);
      expect(reportCount(h, phone.deviceId)).toBe(0);
    });

    it('answers a flood from one device with 429 + Retry-After, loses no accepted report, and leaves other devices alone', async () => {
      const noisy = await enrollPhone(h, ALICE, { name: 'Noisy' });
      const calm = await enrollPhone(h, ALICE, { name: 'Calm' });
      const answers = await Promise.all(Array.from({ length: 40 }, () => call(server.port, '/agent/v1/reports', { token: noisy.deviceToken, body: here(h) })));
      const accepted = answers.filter((a) => a.status === 200).length;
      const limited = answers.filter((a) => a.status === 429);
      expect(accepted).toBe(12);
      expect(limited).toHaveLength(28);
      expect(limited[0]?.json.error?.code).toBe('rate_limited');
      expect(Number(limited[0]?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(reportCount(h, noisy.deviceId)).toBe(accepted);

      const calmAnswer = await call(server.port, '/agent/v1/reports', { token: calm.deviceToken, body: here(h) });
      expect(calmAnswer.status).toBe(200);
      expect(reportCount(h, calm.deviceId)).toBe(1);

      h.clock.advance(2000);
      expect((await call(server.port, '/agent/v1/reports', { token: noisy.deviceToken, body: here(h) })).status).toBe(200);
    });

    it('refuses bodies over the size limit with 413', async () => {
      const phone = await enrollPhone(h, ALICE);
      const res = await call(server.port, '/agent/v1/reports', { token: phone.deviceToken, raw: `{"at":1,"pad":"${'x'.repeat(AGENT_MAX_BODY_BYTES)}"}` });
      expect(res.status).toBe(413);
      expect(res.json.error?.code).toBe('payload_too_large');
    });

    it('alerts the owner when the SIM changes and when a lost phone reports in', async () => {
      const phone = await enrollPhone(h, ALICE, { name: 'Budi phone' });
      await call(server.port, '/agent/v1/reports', { token: phone.deviceToken, body: here(h) });
      await call(server.port, '/agent/v1/reports', { token: phone.deviceToken, body: here(h, { sim: { slot: 0, operator: 'Indosat', iccidHash: 'b'.repeat(64) } }) });
      await h.service.command(ALICE, phone.deviceId, { type: 'lost_mode', message: 'Please call me', phone: '+62 812 0000 1111' }, ctx);
      await call(server.port, '/agent/v1/reports', { token: phone.deviceToken, body: here(h, { sim: { slot: 0, operator: 'Indosat', iccidHash: 'b'.repeat(64) } }) });
      // Still lost an hour later: told again, but not on every report in between.
      await call(server.port, '/agent/v1/reports', { token: phone.deviceToken, body: here(h, { sim: { slot: 0, operator: 'Indosat', iccidHash: 'b'.repeat(64) } }) });
      await h.service.flushNotifications();
      const alerts = h.service.alerts(ALICE);
      expect(alerts.map((a) => a.kind).sort()).toEqual(['lost_device_reported', 'sim_changed']);
      expect(alerts.find((a) => a.kind === 'lost_device_reported')?.message).toMatch(/near Bandung, Indonesia/);
      expect(h.gate.messages.map((m) => m.accountId)).toEqual([ALICE, ALICE]);
      expect(h.gate.messages.map((m) => m.message.subject)).toEqual(['SIM changed in Budi phone', 'Budi phone reported in']);
      expect(h.events.filter((e) => e.name === 'devices.alert')).toHaveLength(2);
      expect(h.service.alerts(BOB)).toEqual([]);
    });
  });

  describe('POST /agent/v1/commands/{id}/result', () => {
    it('finishes the command, and takes a replayed result as a no-op', async () => {
      const phone = await enrollPhone(h, ALICE);
      const ring = await h.service.command(ALICE, phone.deviceId, { type: 'ring', seconds: 10 }, ctx);
      const early = await call(server.port, `/agent/v1/commands/${ring.id}/result`, { token: phone.deviceToken, body: { status: 'done' } });
      expect(early.status).toBe(409);
      expect(early.json.error?.code).toBe('invalid_state');
      await call(server.port, '/agent/v1/reports', { token: phone.deviceToken, body: here(h) });
      const done = await call(server.port, `/agent/v1/commands/${ring.id}/result`, { token: phone.deviceToken, body: { status: 'done', detail: 'rang' } });
      expect(done.status).toBe(200);
      expect(done.json).toEqual({ id: ring.id, status: 'done', replayed: false });
      const eventsBefore = h.events.length;
      const replay = await call(server.port, `/agent/v1/commands/${ring.id}/result`, { token: phone.deviceToken, body: { status: 'done', detail: 'rang' } });
      expect(replay.status).toBe(200);
      expect(replay.json).toEqual({ id: ring.id, status: 'done', replayed: true });
      expect(h.events.length).toBe(eventsBefore);
      const flip = await call(server.port, `/agent/v1/commands/${ring.id}/result`, { token: phone.deviceToken, body: { status: 'failed' } });
      expect(flip.status).toBe(409);
      expect(h.service.commands(ALICE, phone.deviceId)[0]).toMatchObject({ status: 'done', detail: 'rang' });
    });

    it("answers another device's command as not found and leaves it alone", async () => {
      const mine = await enrollPhone(h, ALICE, { name: 'Mine' });
      const theirs = await enrollPhone(h, BOB, { name: 'Theirs' });
      const ring = await h.service.command(BOB, theirs.deviceId, { type: 'ring', seconds: 10 }, ctx);
      await call(server.port, '/agent/v1/reports', { token: theirs.deviceToken, body: here(h) });
      const res = await call(server.port, `/agent/v1/commands/${ring.id}/result`, { token: mine.deviceToken, body: { status: 'failed' } });
      expect(res.status).toBe(404);
      const unknown = await call(server.port, '/agent/v1/commands/cmd_nope/result', { token: mine.deviceToken, body: { status: 'failed' } });
      expect(unknown.json.error).toEqual(res.json.error);
      expect(h.service.commands(BOB, theirs.deviceId)[0]?.status).toBe('delivered');
    });

    it('after an erase is done: the token is dead, other pending commands fail, the owner is told, the lock stays', async () => {
      const phone = await enrollPhone(h, ALICE, { name: 'Budi phone' });
      const erase = await h.service.command(ALICE, phone.deviceId, { type: 'erase', password: 'alice-password-1', confirmName: 'Budi phone' }, ctx);
      await call(server.port, '/agent/v1/reports', { token: phone.deviceToken, body: here(h) });
      const ring = await h.service.command(ALICE, phone.deviceId, { type: 'ring', seconds: 10 }, ctx);
      const done = await call(server.port, `/agent/v1/commands/${erase.id}/result`, { token: phone.deviceToken, body: { status: 'done' } });
      expect(done.status).toBe(200);
      const after = await call(server.port, '/agent/v1/reports', { token: phone.deviceToken, body: here(h) });
      expect(after.status).toBe(401);
      const replay = await call(server.port, `/agent/v1/commands/${erase.id}/result`, { token: phone.deviceToken, body: { status: 'done' } });
      expect(replay.status).toBe(401);
      expect(h.service.list(ALICE)[0]).toMatchObject({ erased: true, activationLock: true, online: false });
      expect(h.service.commands(ALICE, phone.deviceId).find((c) => c.id === ring.id)?.status).toBe('failed');
      expect(h.service.alerts(ALICE).map((a) => a.kind)).toEqual(['erase_done']);
      await h.service.flushNotifications();
      expect(h.gate.messages.at(-1)?.message.subject).toBe('Budi phone was erased');
    });
  });

  describe('POST /agent/v1/activate', () => {
    async function erasedPhone(serial = 'R58N-ERASED') {
      const phone = await enrollPhone(h, ALICE, { name: 'Budi phone', serial });
      const erase = await h.service.command(ALICE, phone.deviceId, { type: 'erase', password: 'alice-password-1', confirmName: 'Budi phone' }, ctx);
      await call(server.port, '/agent/v1/reports', { token: phone.deviceToken, body: here(h) });
      await call(server.port, `/agent/v1/commands/${erase.id}/result`, { token: phone.deviceToken, body: { status: 'done' } });
      return phone;
    }

    it("refuses without the owner's credentials with one answer that tells nothing; accepts the owner's", async () => {
      const phone = await erasedPhone();
      const attempts = [
        { deviceId: phone.deviceId, account: 'alice@example.com', password: 'wrong-password' },
        { deviceId: phone.deviceId, account: 'bob@example.com', password: 'bob-password-22' },
        { deviceId: phone.deviceId, account: 'nobody@example.com', password: 'whatever-123' },
        { deviceId: 'dev_does_not_exist', account: 'alice@example.com', password: 'alice-password-1' },
        { serial: 'NO-SUCH-SERIAL', account: 'alice@example.com', password: 'alice-password-1' },
      ];
      const answers = [];
      for (const body of attempts) answers.push(await call(server.port, '/agent/v1/activate', { body }));
      for (const res of answers) {
        expect(res.status).toBe(401);
        expect(res.text).toBe(answers[0]?.text);
      }
      expect(answers[0]?.json.error?.code).toBe('invalid_credentials');

      const ok = await call(server.port, '/agent/v1/activate', { body: { serial: 'R58N-ERASED', account: 'alice@example.com', password: 'alice-password-1' } });
      expect(ok.status).toBe(200);
      expect(ok.json.deviceId).toBe(phone.deviceId);
      expect(h.service.list(ALICE)[0]).toMatchObject({ erased: false, activationLock: true });
      const report = await call(server.port, '/agent/v1/reports', { token: String(ok.json.deviceToken), body: here(h) });
      expect(report.status).toBe(200);
    });

    it('refuses for 24 hours after a password recovery (recently_recovered), tells the owner, then accepts', async () => {
      const phone = await erasedPhone();
      h.gate.recoverPassword(ALICE, 'new-alice-password');
      const held = await call(server.port, '/agent/v1/activate', { body: { deviceId: phone.deviceId, account: 'alice@example.com', password: 'new-alice-password' } });
      expect(held.status).toBe(403);
      expect(held.json.error?.code).toBe('recently_recovered');
      await h.service.flushNotifications();
      expect(h.gate.messages.at(-1)).toMatchObject({ accountId: ALICE, message: { subject: 'Budi phone: activation held' } });
      expect(h.service.alerts(ALICE)[0]?.kind).toBe('activation_held');
      // Without the right password nobody learns about the hold.
      const guess = await call(server.port, '/agent/v1/activate', { body: { deviceId: phone.deviceId, account: 'alice@example.com', password: 'alice-password-1' } });
      expect(guess.json.error?.code).toBe('invalid_credentials');

      h.clock.advance(23 * 3600_000);
      expect((await call(server.port, '/agent/v1/activate', { body: { deviceId: phone.deviceId, account: 'alice@example.com', password: 'new-alice-password' } })).json.error?.code).toBe('recently_recovered');
      h.clock.advance(3600_000);
      const ok = await call(server.port, '/agent/v1/activate', { body: { deviceId: phone.deviceId, account: 'alice@example.com', password: 'new-alice-password' } });
      expect(ok.status).toBe(200);
    });

    it('throttles failures like sign-in: 10 per device and address, then 429 even with the right password, for an hour', async () => {
      const phone = await erasedPhone();
      for (let i = 0; i < 10; i++) {
        const res = await call(server.port, '/agent/v1/activate', { body: { deviceId: phone.deviceId, account: 'alice@example.com', password: `guess-${i}` } });
        expect(res.status).toBe(401);
      }
      const blocked = await call(server.port, '/agent/v1/activate', { body: { deviceId: phone.deviceId, account: 'alice@example.com', password: 'alice-password-1' } });
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(3000);
      h.clock.advance(3600_000 + 1000);
      expect((await call(server.port, '/agent/v1/activate', { body: { deviceId: phone.deviceId, account: 'alice@example.com', password: 'alice-password-1' } })).status).toBe(200);
    });

    it('needs exactly one of deviceId and serial', async () => {
      const res = await call(server.port, '/agent/v1/activate', { body: { account: 'a', password: 'b' } });
      expect(res.status).toBe(400);
      expect(res.json.error?.message).toMatch(/either deviceId or serial/);
    });
  });

  it('answers unknown paths with 404 and other methods with 405, in the envelope', async () => {
    const unknown = await call(server.port, '/agent/v1/nothing', { body: {} });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const get = await call(server.port, '/agent/v1/reports', { method: 'GET' });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    expect(get.headers['content-security-policy']).toBeDefined();
  });
});
