/**
 * `npm run bench:devices`: many simulated devices reporting to the agent API over loopback HTTP, then the
 * history query for a long trail, then that trail's map render in Chromium (bench/devices-map.ts; BENCH_MAP=0
 * leaves it out). Sizes come from the environment so CI can run it small:
 *   BENCH_DEVICES (1000)  BENCH_REPORTS_PER_DEVICE (5)  BENCH_CONCURRENCY (64)  BENCH_MAX_SECONDS (60)
 *   BENCH_TRAIL_POINTS (100000)  BENCH_RUNS (5, map render)
 *   BENCH_SIZE=small: 100 devices, a 5,000-point trail, one map render run.
 * Results are merged into bench/results/devices.json (keys this run does not measure stay).
 */
import BetterSqlite3 from 'better-sqlite3';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deviceMethods } from '../contract/devices';
import { createAgentApi } from '../electron/host/agent-api';
import { systemClock } from '../electron/services/clock';
import { applyMigrations } from '../electron/services/db/migrate';
import { DevicesService } from '../electron/services/devices/devices-service';
import { InMemoryDeviceAccountGate } from '../electron/services/devices/memory-gate';
import { deviceMigrations } from '../electron/services/devices/migrations';
import { loadPlaceIndex } from '../electron/services/devices/places';
import { benchMapRender, mapRenderOptionsFromEnv, mergeResults } from './devices-map';

function envInt(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number >= 1.`);
  return value;
}

const SMALL = process.env.BENCH_SIZE === 'small';
const DEVICES = envInt('BENCH_DEVICES', SMALL ? 100 : 1000);
const REPORTS_PER_DEVICE = envInt('BENCH_REPORTS_PER_DEVICE', 5);
const CONCURRENCY = envInt('BENCH_CONCURRENCY', 64);
const MAX_SECONDS = envInt('BENCH_MAX_SECONDS', 60);
const TRAIL_POINTS = envInt('BENCH_TRAIL_POINTS', SMALL ? 5_000 : 100_000);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = path.join(ROOT, 'bench/results/devices.json');

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

function post(agent: http.Agent, port: number, pathName: string, token: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: pathName, method: 'POST', agent, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-bench-devices-'));
  const db = new BetterSqlite3(path.join(dir, 'lifeline.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  applyMigrations(db, 'devices', deviceMigrations, () => systemClock.now());
  const gate = new InMemoryDeviceAccountGate(systemClock);
  const accounts = Array.from({ length: Math.ceil(DEVICES / 10) }, (_, i) => String(2_000_000_000 + i));
  for (const id of accounts) gate.addAccount(id, 'bench-password-1');
  const devices = new DevicesService({
    db,
    clock: systemClock,
    events: { emit: () => undefined },
    gate,
    places: loadPlaceIndex(path.join(ROOT, 'resources/places/cities.json')),
    publicUrl: 'https://bench.invalid',
    // The flood guard is tested elsewhere; here every device reports within its allowance.
    limits: { reportBurst: REPORTS_PER_DEVICE + 1, enrollCodesPerAccount: { max: 1_000_000, windowMs: 1 } },
  });

  const tokens: string[] = [];
  for (let i = 0; i < DEVICES; i++) {
    const accountId = accounts[i % accounts.length] ?? '';
    const { code } = await devices.startEnrollment(accountId);
    tokens.push(devices.enroll({ code, name: `Bench ${i}`, model: 'Bench', platform: 'android', osVersion: '14' }, '127.0.0.1').deviceToken);
  }

  const api = createAgentApi(devices);
  const server = http.createServer((req, res) => void api(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

  const jobs: number[] = [];
  for (let r = 0; r < REPORTS_PER_DEVICE; r++) for (let d = 0; d < DEVICES; d++) jobs.push(d);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const deadline = Date.now() + MAX_SECONDS * 1000;
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < jobs.length && Date.now() < deadline) {
        const d = jobs[next++] ?? 0;
        const body = JSON.stringify({
          at: Date.now(),
          location: { lat: -6.9 + (d % 100) * 0.01, lon: 107.6 + Math.floor(d / 100) * 0.01, accuracyM: 10, source: 'gps' },
          battery: { percent: 50, charging: false },
          network: { type: 'cellular', operator: 'Telkomsel' },
        });
        const t0 = process.hrtime.bigint();
        const status = await post(agent, port, '/agent/v1/reports', tokens[d] ?? '', body);
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  latencies.sort((a, b) => a - b);
  const accepted = statuses['200'] ?? 0;
  const stored = (db.prepare('SELECT count(*) AS n FROM device_reports').get() as { n: number }).n;

  // A long trail for one device, written straight to the table (the API path is measured above).
  const trailOwner = accounts[0] ?? '';
  const trailDevice = devices.list(trailOwner)[0]?.id ?? '';
  const now = Date.now();
  const insert = db.prepare('INSERT INTO device_reports (device_id, at, received_at, lat, lon, accuracy_m, source, battery_percent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < TRAIL_POINTS; i++) {
      const at = now - (TRAIL_POINTS - i) * 20_000;
      insert.run(trailDevice, at, at, -6.9 + Math.sin(i / 500) * 0.05, 107.6 + Math.cos(i / 700) * 0.05, 12, 'gps', 80);
    }
  })();
  const timings: number[] = [];
  let points = 0;
  for (let run = 0; run < 5; run++) {
    const t0 = process.hrtime.bigint();
    points = devices.history(trailOwner, trailDevice, { limit: 100_000 }).points.length;
    timings.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  timings.sort((a, b) => a - b);
  const t1 = process.hrtime.bigint();
  deviceMethods['devices.history'].output.parse(devices.history(trailOwner, trailDevice, { limit: 100_000 }));
  const withContractMs = Number(process.hrtime.bigint() - t1) / 1e6;
  const t2 = process.hrtime.bigint();
  const geojson = devices.exportHistory(trailOwner, trailDevice, 'geojson', {});
  const exportMs = Number(process.hrtime.bigint() - t2) / 1e6;
  db.close();

  const results = {
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, node: process.version, platform: process.platform },
    reports: {
      devices: DEVICES,
      reportsPerDevice: REPORTS_PER_DEVICE,
      concurrency: CONCURRENCY,
      sent: latencies.length,
      accepted,
      stored,
      statuses,
      elapsedS: round(elapsedS),
      acceptedPerSecond: round(accepted / elapsedS),
      latencyMs: { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)), max: round(latencies.at(-1) ?? 0) },
      stoppedByTimeLimit: latencies.length < jobs.length,
    },
    history: {
      trailPoints: TRAIL_POINTS,
      returnedPoints: points,
      queryMs: { median: round(timings[2] ?? 0), best: round(timings[0] ?? 0) },
      queryWithContractValidationMs: round(withContractMs),
      geojsonExportMs: round(exportMs),
      geojsonBytes: geojson.content.length,
    },
  };
  fs.rmSync(dir, { recursive: true, force: true });
  if (accepted !== stored) {
    mergeResults(RESULTS, results);
    process.stderr.write(`Accepted ${accepted} reports but stored ${stored}: reports were lost.\n`);
    process.exit(1);
  }
  // The same trail size drawn on the Devices panel's map, in Chromium against the web host.
  const mapRender = process.env.BENCH_MAP === '0' ? undefined : { at: new Date().toISOString(), ...(await benchMapRender(mapRenderOptionsFromEnv((line) => process.stderr.write(`${line}\n`)))) };
  const merged = mergeResults(RESULTS, mapRender ? { ...results, mapRender } : results);
  process.stdout.write(`${JSON.stringify(merged, null, 2)}\n`);
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:devices failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
