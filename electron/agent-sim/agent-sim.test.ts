import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type LifelineApp } from '../app';
import { loadConfig } from '../config';
import { createAgentApi } from '../host/agent-api';
import { startHost, type RunningHost } from '../host/server';
import { applyMigrations } from '../services/db/migrate';
import { DevicesService, eventSinkFrom } from '../services/devices/devices-service';
import { InMemoryDeviceAccountGate } from '../services/devices/memory-gate';
import { deviceMigrations } from '../services/devices/migrations';
import { PlaceIndex } from '../services/devices/places';
import { TEST_PLACES } from '../services/devices/test-support';
import { parseTarget } from './agent';
import { parseGpx } from './gpx';

const ROOT = path.resolve(__dirname, '../..');
const ALICE = '1000000001';
const ctx = { ip: '127.0.0.1', userAgent: 'vitest' };

/** A running simulator: its output lines as they come, and a way to wait for one. */
class Sim {
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;
  private waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    let buffer = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf('\n')) !== -1) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        this.lines.push(line);
        this.waiters = this.waiters.filter((w) => !(w.pattern.test(line) && (w.resolve(line), true)));
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => this.lines.push(`stderr: ${chunk}`));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  waitFor(pattern: RegExp, timeoutMs = 45_000): Promise<string> {
    const seen = this.lines.find((l) => pattern.test(l));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; got:\n${this.lines.join('\n')}`)), timeoutMs);
      this.waiters.push({
        pattern,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
    });
  }
}

function startSim(args: string[]): Sim {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'electron/agent-sim/main.ts'), ...args], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return new Sim(child);
}

async function until<T>(read: () => T | undefined, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('agent simulator against the real web host', { timeout: 240_000 }, () => {
  let app: LifelineApp;
  let host: RunningHost;
  let devices: DevicesService;
  let gate: InMemoryDeviceAccountGate;
  const sims: Sim[] = [];

  beforeAll(async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-sim-'));
    const rendererDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-sim-renderer-'));
    fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Lifeline</title>');
    const config = loadConfig({ LIFELINE_TOKEN: 'sim-test-token-0123456789' }, { dataDir, port: 0, host: '127.0.0.1' });
    app = createApp(config, { hostKind: 'web' });
    // What app.ts will do once devices are wired in.
    applyMigrations(app.db, 'devices', deviceMigrations, () => app.clock.now());
    gate = new InMemoryDeviceAccountGate(app.clock);
    gate.addAccount(ALICE, 'alice-password-1', ['alice@example.com']);
    devices = new DevicesService({
      db: app.db,
      clock: app.clock,
      events: eventSinkFrom(app.events),
      gate,
      places: new PlaceIndex(TEST_PLACES),
      publicUrl: config.publicUrl,
      limits: { reportBurst: 100, reportsPerSecond: 10 },
    });
    host = await startHost(app, { rendererDir, mounts: { '/agent/v1/': createAgentApi(devices) } });
    devices.setHostUrl(host.url);
  });

  afterAll(async () => {
    for (const sim of sims) if (sim.child.exitCode === null) sim.child.kill('SIGKILL');
    await host.close();
  });

  it('enrolls from the QR link, reports, rings, shows lost mode, reports a SIM change, and stops after an erase', async () => {
    const start = await devices.startEnrollment(ALICE);
    expect(parseTarget(start.enrollUrl)).toEqual({ baseUrl: host.url.replace(/\/$/, ''), code: start.code.replace('-', '') });
    const sim = startSim(['--url', start.enrollUrl, '--name', 'Sim phone', '--at', '-6.9147,107.6098', '--interval', '0.5']);
    sims.push(sim);
    const enrolled = await sim.waitFor(/^ENROLLED as (dev_\S+)/);
    const deviceId = /dev_\S+/.exec(enrolled)?.[0] ?? '';
    await sim.waitFor(/^REPORTED -6\.91470,107\.60980/);
    expect(devices.list(ALICE)[0]).toMatchObject({ id: deviceId, name: 'Sim phone', online: true, lastLocation: { place: 'near Bandung, Indonesia' } });

    const ring = await devices.command(ALICE, deviceId, { type: 'ring', seconds: 12 }, ctx);
    await sim.waitFor(/^RINGING for 12 s$/);
    await until(() => (devices.commands(ALICE, deviceId).find((c) => c.id === ring.id)?.status === 'done' ? true : undefined));

    await devices.command(ALICE, deviceId, { type: 'lost_mode', message: 'Please return this phone', phone: '+62 812 0000 1111' }, ctx);
    await sim.waitFor(/^LOST MODE: "Please return this phone" call \+62 812 0000 1111$/);
    await until(() => (devices.list(ALICE)[0]?.lostMode.state === 'on' ? true : undefined));

    sim.child.stdin.write('sim\n');
    await sim.waitFor(/^SIM CHANGED/);
    await until(() => devices.alerts(ALICE).find((a) => a.kind === 'sim_changed'));

    const erase = await devices.command(ALICE, deviceId, { type: 'erase', password: 'alice-password-1', confirmName: 'Sim phone' }, ctx);
    await sim.waitFor(/^ERASED: the device token is no longer valid; stopping\.$/);
    expect(await sim.exited).toBe(0);
    expect(devices.commands(ALICE, deviceId).find((c) => c.id === erase.id)?.status).toBe('done');
    expect(devices.list(ALICE)[0]).toMatchObject({ erased: true, activationLock: true });
    expect(devices.alerts(ALICE).map((a) => a.kind)).toContain('erase_done');
  });

  it('follows a GPX route, answers locate now at once, swaps SIM on SIGUSR2 and exits cleanly on SIGINT', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-route-'));
    const route = path.join(dir, 'route.gpx');
    fs.writeFileSync(
      route,
      `<?xml version="1.0"?><gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>
        <trkpt lat="-6.2088" lon="106.8456"><time>2026-03-01T08:00:00Z</time></trkpt>
        <trkpt lat="-6.3000" lon="106.8400"/>
        <trkpt lat="-6.5950" lon="106.8166"/>
      </trkseg></trk></gpx>`,
    );
    expect(parseGpx(fs.readFileSync(route, 'utf8'))).toHaveLength(3);
    const { code } = await devices.startEnrollment(ALICE);
    const sim = startSim(['--url', host.url, '--code', code, '--name', 'Route phone', '--route', route, '--interval', '60']);
    sims.push(sim);
    const deviceId = /dev_\S+/.exec(await sim.waitFor(/^ENROLLED as/))?.[0] ?? '';
    await sim.waitFor(/^REPORTED -6\.20880,106\.84560/);
    // The interval is a minute: the next report comes early only because of the command.
    await devices.command(ALICE, deviceId, { type: 'locate_now' }, ctx);
    if (process.platform !== 'win32') {
      sim.child.kill('SIGUSR2');
      await sim.waitFor(/^SIM CHANGED/);
    }
    await sim.waitFor(/^REPORTED -6\.30000,106\.84000/);
    await sim.waitFor(/^LOCATE NOW/);
    await sim.waitFor(/^REPORTED -6\.59500,106\.81660/);
    sim.child.kill('SIGINT');
    expect(await sim.exited).toBe(0);
    expect(sim.lines).toContain('STOPPED');
    const trail = devices.history(ALICE, deviceId, {}).points;
    expect(trail.length).toBeGreaterThanOrEqual(3);
    expect(devices.list(ALICE).find((d) => d.id === deviceId)?.lastLocation?.place).toBe('near Bogor, Indonesia');
  });

  it('says what is wrong with a bad code and exits non-zero', async () => {
    const sim = startSim(['--url', host.url, '--code', 'WRONG123', '--interval', '1']);
    sims.push(sim);
    expect(await sim.exited).toBe(1);
    expect(sim.lines.join('\n')).toMatch(/Enrollment refused \(400\): invalid_code/);
  });
});
