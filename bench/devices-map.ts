/**
 * The map render of a long trail, as a person sees it: a data dir built with the real services (an account, a phone
 * that reported every ~26 s for 30 days, and a second phone), the web host started on it, and Debian Chromium
 * signed in through the Account panel. Per run (a fresh tab): open Devices, click the trail phone and time until
 * its trail is drawn and painted; move the "Time" slider to the middle and back (time to redraw each); the
 * renderer's JS heap before and after (CDP, after a forced GC) and the longest task the page ran meanwhile.
 *
 * Part of `npm run bench:devices` (BENCH_MAP=0 leaves it out); alone: `npx tsx bench/devices-map.ts`, which merges
 * its figures into bench/results/devices.json under "mapRender".
 *   BENCH_TRAIL_POINTS (100000; 5000 with BENCH_SIZE=small)  BENCH_RUNS (5; 1 with BENCH_SIZE=small)
 */
import { chromium, type Browser, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumExecutable } from '../e2e/chromium';
import { startWebHost } from '../e2e/fixtures';
import { createApp } from '../electron/app';
import { loadConfig } from '../electron/config';
import { memorySessionSlot, type CallContext } from '../electron/dispatcher';
import { ManualClock } from '../electron/services/clock';
import { seededRandom } from '../electron/services/seeded-random';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DAY = 86_400_000;
const EMAIL = 'bench.map@example.test';
const PASSWORD = 'amber falcon lantern 93';
const SHORT_NAME = 'Bench spare phone';
const TRAIL_NAME = 'Bench trail phone';

export interface MapRenderOptions {
  trailPoints: number;
  runs: number;
  log: (line: string) => void;
}

interface Summary {
  p50: number;
  max: number;
}

export interface MapRenderResult {
  trailPoints: number;
  runs: number;
  /** What the Devices panel asked for and got (it asks for the newest HISTORY_LIMIT points). */
  pointsLoaded: number;
  truncatedInPanel: boolean;
  /** Polyline vertices Leaflet was given for the whole trail (the panel thins the trail for drawing). */
  pointsDrawn: number;
  clickToTrailDrawnMs: Summary;
  sliderToMiddleMs: Summary;
  sliderBackToEndMs: Summary;
  /** The longest main-thread task (Long Tasks API) from the click until the trail was painted. */
  longestTaskMs: Summary;
  heapUsedMB: { beforeClick: Summary; afterDraw: Summary; afterDrawPeakNoGc: Summary };
  /** For comparison: the host answering devices.history for the whole trail and the page parsing it. */
  wholeTrailFetchMs: Summary;
  wholeTrailFetchBytes: number;
  setupSeconds: { dataDir: number; webHostReady: number; signIn: number };
}

function summary(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const p50 = sorted[Math.max(0, Math.ceil(0.5 * sorted.length) - 1)] ?? 0;
  return { p50: round(p50), max: round(sorted.at(-1) ?? 0) };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}


async function waitFor<T>(what: string, get: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Builds the data dir in-process with the real services: an account signed up and verified through the dispatcher,
 * two phones enrolled, and `trailPoints` reports over the last 30 days through DevicesService.report. A ManualClock
 * moves ~26 s between reports, so every report is within the per-device allowance, as a real phone's would be.
 */
async function buildDataDir(dir: string, trailPoints: number, log: (line: string) => void): Promise<{ trailDeviceId: string; shortDeviceId: string }> {
  const end = Date.now() - 60 * 60_000;
  // Starts an hour inside the 30-day retention, so the host's pruning on start keeps every point.
  const start = Date.now() - 30 * DAY + 60 * 60_000;
  const step = Math.floor((end - start) / trailPoints);
  const clock = new ManualClock(start);
  const config = loadConfig({ LIFELINE_DATA_DIR: dir, LIFELINE_SANDBOX: '1', LIFELINE_TEST_HOOKS: '1', LIFELINE_HOST: '127.0.0.1' });
  const app = createApp(config, { hostKind: 'web', clock });
  try {
    const ctx: CallContext = { transport: 'internal', ip: '127.0.0.1', userAgent: 'bench', session: memorySessionSlot() };
    const call = async <T>(method: string, input: unknown): Promise<T> => {
      const result = await app.dispatcher.dispatch(method, input, ctx);
      if (!result.ok) throw new Error(`${method} failed: ${result.error.code}: ${result.error.message}`);
      return result.value as T;
    };
    const { account } = await call<{ account: { accountId: string } }>('account.signUp', { email: EMAIL, password: PASSWORD, confirmPassword: PASSWORD });
    const outbox = app.testHooks?.outbox;
    if (!outbox) throw new Error('The app was built without test hooks; the verification code cannot be read.');
    const code = await waitFor('the verification code', () => {
      const match = outbox(EMAIL).at(-1)?.text.match(/\b(\d{3}) (\d{3})\b/);
      return match ? `${match[1]}${match[2]}` : undefined;
    });
    await call('account.verifyChannel', { channel: 'email', code });
    await call('account.signOut', {});

    const devices = app.services.devices;
    // What the web host does once it listens; enrollment needs an address to give phones.
    devices.setHostUrl('http://127.0.0.1:8080');
    const enroll = async (name: string, serial: string) => {
      const { code: enrollCode } = await devices.startEnrollment(account.accountId);
      return devices.enroll({ code: enrollCode, name, model: 'Pixel 8', platform: 'android', osVersion: '14', serial }, '127.0.0.1');
    };
    // Created first, so the panel selects it when it opens; the benchmark then clicks the trail phone.
    const short = await enroll(SHORT_NAME, 'BENCH-SPARE-1');
    // The list is ordered by creation time, then by (random) id: a tie would make the order a coin toss.
    clock.advance(1000);
    const trail = await enroll(TRAIL_NAME, 'BENCH-TRAIL-1');

    // A bounded random walk around Bandung: steps of a few tens of metres, drifting across the city over the month.
    const random = seededRandom(7);
    let lat = -6.9175;
    let lon = 107.6191;
    let heading = 0;
    const shortEvery = Math.max(1, Math.floor(trailPoints / 50));
    const started = Date.now();
    for (let i = 0; i < trailPoints; i++) {
      heading += (random() - 0.5) * 0.8;
      const metres = 5 + random() * 40;
      lat += (Math.cos(heading) * metres) / 111_000;
      lon += (Math.sin(heading) * metres) / 110_000;
      // Pulls the walk back towards the centre so it stays within a city.
      lat += (-6.9175 - lat) * 0.002;
      lon += (107.6191 - lon) * 0.002;
      const at = clock.now();
      devices.report(
        `Bearer ${trail.deviceToken}`,
        {
          at,
          location: { lat, lon, accuracyM: 8 + Math.round(random() * 20), source: 'gps' },
          battery: { percent: 100 - (i % 90), charging: i % 90 > 80 },
          network: { type: 'cellular', operator: 'Telkomsel' },
        },
        '127.0.0.1',
      );
      if (i % shortEvery === 0) {
        devices.report(`Bearer ${short.deviceToken}`, { at, location: { lat: -6.2088, lon: 106.8456, accuracyM: 15, source: 'network' }, battery: { percent: 60, charging: false } }, '127.0.0.1');
      }
      clock.advance(step);
      if (i > 0 && i % 20_000 === 0) log(`  ${i} reports written (${Math.round((Date.now() - started) / 1000)} s)`);
    }
    return { trailDeviceId: trail.deviceId, shortDeviceId: short.deviceId };
  } finally {
    await app.close();
  }
}

// The in-page parts are plain JavaScript strings: functions passed to page.evaluate would carry the TypeScript
// compiler's helpers (e.g. __name) into the page, where they do not exist.
const IN_PAGE_HELPERS = `
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
  const mapOf = () => document.querySelector('.dv-map[data-trail-device]');
  const watchLongTasks = () => {
    const durations = [];
    const observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) durations.push(e.duration); });
    try { observer.observe({ type: 'longtask' }); } catch { /* not supported: reports 0 */ }
    return () => { observer.disconnect(); return durations.length ? Math.max(...durations) : 0; };
  };
  const until = async (what, ok) => {
    const t0 = performance.now();
    for (;;) {
      await frame();
      if (ok()) return;
      if (performance.now() - t0 > 120000) throw new Error('Timed out after 120 s waiting for ' + what);
    }
  };
`;

/** Clicks the phone's card and resolves when its trail is in the DOM and one more frame has been painted. */
function clickAndTimeScript(deviceName: string, deviceId: string): string {
  return `(async () => {
    ${IN_PAGE_HELPERS}
    const card = [...document.querySelectorAll('article.dv-card')].find((a) => a.getAttribute('aria-label') === ${JSON.stringify(deviceName)});
    const button = card && card.querySelector('button.dv-card-name');
    if (!button) throw new Error('No card for ${deviceName}');
    const longest = watchLongTasks();
    const t0 = performance.now();
    button.click();
    await until('the trail', () => {
      const map = mapOf();
      const path = map && map.querySelector('path.dv-map-trail-all');
      return map && map.dataset.trailDevice === ${JSON.stringify(deviceId)} && Number(map.dataset.trailPoints) > 0 && path && (path.getAttribute('d') || '').length > 0;
    });
    await frame();
    const ms = performance.now() - t0;
    const map = mapOf();
    return { ms, longestTaskMs: longest(), points: Number(map.dataset.trailPoints), pathChars: (map.querySelector('path.dv-map-trail-all').getAttribute('d') || '').length };
  })()`;
}

/** Moves the "Time" slider (as input events from a person's drag do) and times until the map has redrawn. */
function sliderScript(to: 'middle' | 'end'): string {
  return `(async () => {
    ${IN_PAGE_HELPERS}
    const slider = document.getElementById('dv-time');
    const max = Number(slider.max);
    const target = ${to === 'middle' ? 'Math.round(max / 2)' : 'max'};
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
    const t0 = performance.now();
    setValue.call(slider, String(target));
    slider.dispatchEvent(new Event('input', { bubbles: true }));
    await until('the slider redraw', () => mapOf().dataset.trailIndex === String(target));
    await frame();
    return performance.now() - t0;
  })()`;
}

/** The host answering the whole trail and the page parsing it: what the panel would pay to show all 30 days. */
function wholeTrailScript(token: string, deviceId: string, limit: number): string {
  return `(async () => {
    const t0 = performance.now();
    const res = await fetch('/api/rpc/devices.history', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Authorization: 'Bearer ' + ${JSON.stringify(token)}, 'Content-Type': 'application/json' },
      body: JSON.stringify({ deviceId: ${JSON.stringify(deviceId)}, limit: ${limit} }),
    });
    const text = await res.text();
    const body = JSON.parse(text);
    if (!body.ok) throw new Error('devices.history failed: ' + JSON.stringify(body.error));
    return { ms: performance.now() - t0, bytes: text.length, points: body.value.points.length };
  })()`;
}

async function heapUsedMB(page: Page, gc: boolean): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  try {
    if (gc) await cdp.send('HeapProfiler.collectGarbage');
    const usage = await cdp.send('Runtime.getHeapUsage');
    return usage.usedSize / (1024 * 1024);
  } finally {
    await cdp.detach();
  }
}

async function openDevices(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Devices', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Devices' }).waitFor();
}

export async function benchMapRender(options: MapRenderOptions): Promise<MapRenderResult> {
  const { trailPoints, runs, log } = options;
  const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs'), '--if-stale'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  if (build.status !== 0) throw new Error('node scripts/build.mjs --if-stale failed; the web host and renderer need a build.');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-bench-map-'));
  let browser: Browser | undefined;
  let host: Awaited<ReturnType<typeof startWebHost>> | undefined;
  try {
    log(`map render: writing a ${trailPoints}-point trail through the devices service...`);
    let t = performance.now();
    const { trailDeviceId, shortDeviceId } = await buildDataDir(dir, trailPoints, log);
    const dataDirS = (performance.now() - t) / 1000;

    t = performance.now();
    host = await startWebHost({}, dir);
    const hostS = (performance.now() - t) / 1000;
    const url = `${host.baseUrl}/#token=${host.token}`;

    browser = await chromium.launch({
      executablePath: chromiumExecutable(),
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    t = performance.now();
    const first = await context.newPage();
    await first.goto(url);
    await first.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Account', exact: true }).click();
    await first.getByLabel('Account', { exact: true }).fill(EMAIL);
    await first.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await first.getByRole('button', { name: 'Sign in', exact: true }).click();
    await first.getByRole('heading', { name: 'Your account', exact: true }).waitFor({ timeout: 60_000 });
    const signInS = (performance.now() - t) / 1000;
    await first.close();

    const clickMs: number[] = [];
    const middleMs: number[] = [];
    const backMs: number[] = [];
    const longest: number[] = [];
    const heapBefore: number[] = [];
    const heapAfter: number[] = [];
    const heapPeak: number[] = [];
    let pointsLoaded = 0;
    for (let run = 0; run < runs; run++) {
      // A fresh tab per run (same signed-in context), so no run starts with the previous one's trail in memory.
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(url);
      await openDevices(page);
      try {
        await page.getByRole('article', { name: SHORT_NAME }).getByRole('button', { name: SHORT_NAME, pressed: true }).waitFor({ timeout: 60_000 });
        await page.locator(`.dv-map[data-trail-device="${shortDeviceId}"]`).waitFor({ timeout: 60_000 });
      } catch (error) {
        const shot = path.join(os.tmpdir(), `lifeline-bench-map-${Date.now()}.png`);
        await page.screenshot({ path: shot, fullPage: true });
        throw new Error(`The Devices panel did not show "${SHORT_NAME}" selected (screenshot: ${shot}): ${(error as Error).message}`);
      }
      heapBefore.push(await heapUsedMB(page, true));

      const drawn = (await page.evaluate(clickAndTimeScript(TRAIL_NAME, trailDeviceId))) as { ms: number; longestTaskMs: number; points: number; pathChars: number };
      heapPeak.push(await heapUsedMB(page, false));
      clickMs.push(drawn.ms);
      longest.push(drawn.longestTaskMs);
      pointsLoaded = drawn.points;
      heapAfter.push(await heapUsedMB(page, true));

      middleMs.push((await page.evaluate(sliderScript('middle'))) as number);
      backMs.push((await page.evaluate(sliderScript('end'))) as number);
      if (errors.length > 0) throw new Error(`The page threw: ${errors.join('; ')}`);
      log(`  run ${run + 1}/${runs}: click to trail ${Math.round(drawn.ms)} ms (${drawn.points} points loaded, longest task ${Math.round(drawn.longestTaskMs)} ms), slider ${Math.round(middleMs.at(-1) ?? 0)} / ${Math.round(backMs.at(-1) ?? 0)} ms`);
      await page.close();
    }

    // The whole trail, fetched the way the panel's transport does; measured separately from the panel runs.
    const fetchPage = await context.newPage();
    await fetchPage.goto(url);
    await openDevices(fetchPage);
    const fetchMs: number[] = [];
    let fetchBytes = 0;
    for (let run = 0; run < runs; run++) {
      const whole = (await fetchPage.evaluate(wholeTrailScript(host.token, trailDeviceId, Math.min(100_000, trailPoints)))) as { ms: number; bytes: number; points: number };
      fetchMs.push(whole.ms);
      fetchBytes = whole.bytes;
    }
    await fetchPage.close();
    await context.close();

    return {
      trailPoints,
      runs,
      pointsLoaded,
      truncatedInPanel: pointsLoaded < trailPoints,
      pointsDrawn: Math.min(pointsLoaded, 4000),
      clickToTrailDrawnMs: summary(clickMs),
      sliderToMiddleMs: summary(middleMs),
      sliderBackToEndMs: summary(backMs),
      longestTaskMs: summary(longest),
      heapUsedMB: { beforeClick: summary(heapBefore), afterDraw: summary(heapAfter), afterDrawPeakNoGc: summary(heapPeak) },
      wholeTrailFetchMs: summary(fetchMs),
      wholeTrailFetchBytes: fetchBytes,
      setupSeconds: { dataDir: round(dataDirS), webHostReady: round(hostS), signIn: round(signInS) },
    };
  } finally {
    await browser?.close();
    if (host) {
      const code = await host.stop();
      if (code !== 0) log(`The web host exited with ${code}:\n${host.output()}`);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads bench/results/devices.json (if any), sets `key`, and writes it back: the other keys stay. */
export function mergeResults(file: string, patch: Record<string, unknown>): Record<string, unknown> {
  let existing: Record<string, unknown> = {};
  try {
    existing = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    existing = {};
  }
  const merged = { ...existing, ...patch };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(merged, null, 2)}\n`);
  return merged;
}

export function mapRenderOptionsFromEnv(log: (line: string) => void): MapRenderOptions {
  const small = process.env.BENCH_SIZE === 'small';
  const int = (name: string, fallback: number) => {
    const value = Number(process.env[name] ?? fallback);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number >= 1.`);
    return value;
  };
  return { trailPoints: int('BENCH_TRAIL_POINTS', small ? 5_000 : 100_000), runs: int('BENCH_RUNS', small ? 1 : 5), log };
}

const RESULTS = path.join(ROOT, 'bench/results/devices.json');

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  benchMapRender(mapRenderOptionsFromEnv(log))
    .then((mapRender) => {
      mergeResults(RESULTS, { mapRender: { at: new Date().toISOString(), ...mapRender } });
      process.stdout.write(`${JSON.stringify(mapRender, null, 2)}\n`);
    })
    .catch((error: unknown) => {
      process.stderr.write(`bench:devices map render failed: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    });
}
