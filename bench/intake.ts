/**
 * `npm run bench:intake`: back up a fake phone over loopback adb the way the Shop does (Debian's adb
 * server -> @yume-chan/adb -> ShopService), and report time and MB/s per phase. Full size: 2,000 photos
 * (1 GiB), 100,000 messages, 10,000 contacts. BENCH_SIZE=small runs a CI-sized phone in well under a minute.
 * Uses a private adb server (own port and HOME) and stops it at the end. Results: bench/results/intake.json.
 */
import BetterSqlite3 from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../electron/services/clock';
import { adbAvailable, startAdbHarness } from '../electron/services/phone/fake/adb-harness';
import { ShopService } from '../electron/services/shop/shop-service';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const small = process.env.BENCH_SIZE === 'small';
const sizes = small
  ? { photos: { count: 100, averageBytes: 200 * 1024, awkwardNames: true }, sms: 5_000, mms: 50, contacts: 500, calls: 1_000 }
  : { photos: { count: 2_000, averageBytes: Math.round((1024 * 1024 * 1024) / 2_000), awkwardNames: true }, sms: 100_000, mms: 500, contacts: 10_000, calls: 10_000 };

async function main(): Promise<void> {
  if (!adbAvailable()) throw new Error('adb was not found. Install it (Debian: apt-get install -y adb) and run again.');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-bench-intake-'));
  const harness = await startAdbHarness({ shellTimeoutMs: 300_000, idleTimeoutMs: 60_000 });
  let peakRss = process.memoryUsage().rss;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250);
  try {
    const phone = await harness.addPhone({ profile: 'samsung-oneui', sizes });
    const photoBytes = phone.fs.photos.reduce((n, p) => n + p.size, 0);
    const phases: { phase: string; at: number }[] = [];
    const shop = new ShopService({
      db: new BetterSqlite3(path.join(work, 'app.db')),
      clock: systemClock,
      dir: path.join(work, 'shop'),
      emit: (name, payload) => {
        if (name !== 'shop.progress') return;
        const phase = (payload as { phase: string }).phase;
        if (phases.at(-1)?.phase !== phase) phases.push({ phase, at: performance.now() });
      },
      env: { ...process.env, HOME: harness.home, LIFELINE_ADB_SERVER: `127.0.0.1:${harness.port}` },
      phoneTimeouts: { shellTimeoutMs: 300_000, idleTimeoutMs: 60_000 },
    });
    await shop.unlock('bench passphrase 1', true);
    const t = shop.createTicket({ operator: 'bench', customerName: 'Bench', contact: '-', device: 'fake', problem: 'benchmark', consentBackup: true, consentRetention: true });
    await shop.connect(t.id, 'bench', phone.serialForAdb);
    const start = performance.now();
    const done = await shop.backup(t.id, 'bench');
    const end = performance.now();
    phases.push({ phase: 'end', at: end });
    const elapsedS = (end - start) / 1000;
    const phaseSeconds: Record<string, number> = {};
    phases.forEach((p, i) => {
      const next = phases[i + 1];
      if (next) phaseSeconds[p.phase] = Math.round(((next.at - p.at) / 1000) * 100) / 100;
    });
    const storeBytes = dirSize(path.join(work, 'shop', 'stores', t.id));
    const result = {
      at: new Date().toISOString(),
      size: small ? 'small' : 'full',
      machine: { cpus: os.cpus().length, node: process.version, platform: process.platform },
      phone: { photos: phone.fs.photos.length, photoBytes, sms: sizes.sms, mms: sizes.mms, contacts: sizes.contacts, calls: sizes.calls },
      path: 'Debian adb server over loopback -> @yume-chan/adb -> ShopService (stage, encrypted store, read-back verify, receipt)',
      verified: done.backup.verified,
      counts: done.backup.counts,
      elapsedS: Math.round(elapsedS * 100) / 100,
      mbPerSecond: Math.round((photoBytes / 1e6 / elapsedS) * 10) / 10,
      mibPerSecond: Math.round((photoBytes / 1024 / 1024 / elapsedS) * 10) / 10,
      phaseSeconds,
      copyMbPerSecond: phaseSeconds.files ? Math.round((photoBytes / 1e6 / phaseSeconds.files) * 10) / 10 : null,
      storeBytes,
      peakRssMiB: Math.round(peakRss / 1024 / 1024),
    };
    fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'bench', 'results', 'intake.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
    if (!done.backup.verified) process.exitCode = 1;
    await phone.stop();
  } finally {
    clearInterval(rssTimer);
    await harness.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function dirSize(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) n += fs.statSync(path.join(e.parentPath, e.name)).size;
  }
  return n;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
