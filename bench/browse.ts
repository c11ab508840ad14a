/**
 * bench:browse — how fast the Backup panel's browser answers on a big store: 500,000 messages, 50,000 contacts
 * and 20,000 (tiny, real) photos in one snapshot. Measures opening the snapshot, opening the largest
 * conversation (first and last page), and search while typing (p50/p99 over 100 queries), plus the memory of
 * the process that answers (the service side; the renderer only ever holds a page of rows).
 *
 *   npx tsx bench/browse.ts               full size
 *   BENCH_SIZE=small npx tsx bench/browse.ts   a CI-sized store (well under a minute)
 *
 * Results go to bench/results/browse.json ("size" in it says which corpus; BENCH_SIZE=medium is a middle step
 * for profiling). BENCH_KEEP=1 leaves the store in the temp folder.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import sharp from 'sharp';
import { chromiumExecutable } from '../e2e/chromium';
import { ManualClock } from '../electron/services/clock';
import { BackupService } from '../electron/services/backup/backup-service';
import type { ImportEvent, PhoneRecord } from '../electron/services/backup/import/types';
import { BackupStore } from '../electron/services/backup/store';
import { rng } from '../electron/services/backup/test-support';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SMALL = process.env.BENCH_SIZE === 'small';
const SIZE = SMALL
  ? { messages: 20_000, contacts: 2_000, photos: 500, threads: 200 }
  : process.env.BENCH_SIZE === 'medium'
    ? { messages: 100_000, contacts: 10_000, photos: 2_000, threads: 2_500 }
    : { messages: 500_000, contacts: 50_000, photos: 20_000, threads: 2_500 };
const PASSPHRASE = 'bench browse passphrase';

const WORDS = (
  'see you at the station tomorrow ok thanks running late call me when home dinner ready pick up kids school ' +
  'meeting moved to friday bring the charger nanti ya sampai jumpa makan siang kantor hujan macet besok pagi ' +
  'birthday party cake photos weekend trip beach mountain train ticket booked hotel address password wifi ' +
  'doctor appointment pharmacy groceries milk bread eggs coffee tea invoice payment transfer received thanks'
).split(' ');
const NAMES = ['Ana', 'Budi', 'Citra', 'Dewi', 'Eko', 'Fajar', 'Gita', 'Hadi', 'Intan', 'Joko', 'Kartika', 'Lukas', 'Maya', 'Nina', 'Omar', 'Putri'];
const SURNAMES = ['Santoso', 'Wijaya', 'Halim', 'Pratama', 'Kusuma', 'Smith', 'Garcia', 'Nguyen', 'Tan', 'Lim', 'Saputra', 'Rahman'];

function phone(i: number): string {
  return `+62812${String(1_000_000 + i).slice(1)}`;
}

/** A real (decodable) JPEG, made unique per photo by a comment segment right after the start marker. */
function uniqueJpeg(base: Buffer, i: number): Buffer {
  const text = Buffer.from(`lifeline bench photo ${i}`);
  const seg = Buffer.alloc(4);
  seg.writeUInt16BE(0xfffe, 0);
  seg.writeUInt16BE(text.length + 2, 2);
  return Buffer.concat([base.subarray(0, 2), seg, text, base.subarray(2)]);
}

async function* corpus(photoDir: string): AsyncGenerator<ImportEvent> {
  const r = rng(42);
  const base = Date.UTC(2021, 0, 1);
  const span = 5 * 365 * 86_400_000;
  // Thread sizes follow a steep curve, as on real phones: one partner gets a large share of all messages.
  const weights = Array.from({ length: SIZE.threads }, (_, i) => 1 / Math.pow(i + 1, 1.1));
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  let acc = 0;
  for (const w of weights) cumulative.push((acc += w / total));
  const pickThread = (): number => {
    const x = r();
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  for (let i = 0; i < SIZE.messages; i++) {
    const t = pickThread();
    const n = 3 + Math.floor(r() * 14);
    const body = Array.from({ length: n }, () => WORDS[Math.floor(r() * WORDS.length)]).join(' ');
    const record: PhoneRecord = {
      kind: 'sms',
      address: phone(t),
      date: base + Math.floor((i / SIZE.messages) * span),
      type: r() < 0.45 ? 2 : 1,
      body: i === Math.floor(SIZE.messages / 3) ? `${body} zanzibar-ferry-ticket` : body,
      contactName: `${NAMES[t % NAMES.length]} ${SURNAMES[t % SURNAMES.length]}`,
      attrs: { read: '1' },
    };
    yield { type: 'record', record, file: 'sms.xml' };
  }
  for (let i = 0; i < SIZE.contacts; i++) {
    const name = `${NAMES[i % NAMES.length]} ${SURNAMES[Math.floor(i / NAMES.length) % SURNAMES.length]} ${i}`;
    const tel = phone(i);
    yield {
      type: 'record',
      file: 'contacts.vcf',
      record: {
        kind: 'contact',
        vcard: `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:${name}\r\nTEL;TYPE=CELL:${tel}\r\nEMAIL:c${i}@example.org\r\nEND:VCARD\r\n`,
        fullName: name,
        phones: [{ value: tel, type: 'CELL' }],
        emails: [{ value: `c${i}@example.org` }],
      },
    };
  }
  const tiny = await sharp({ create: { width: 24, height: 16, channels: 3, background: { r: 90, g: 140, b: 200 } } }).jpeg({ quality: 60 }).toBuffer();
  for (let i = 0; i < SIZE.photos; i++) {
    const rel = `DCIM/Camera/IMG_${String(i).padStart(6, '0')}.jpg`;
    const abs = path.join(photoDir, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, uniqueJpeg(tiny, i));
    const taken = base + Math.floor((i / SIZE.photos) * span);
    const st = fs.statSync(abs);
    yield { type: 'media', media: { kind: 'media', relPath: rel, absPath: abs, size: st.size, mtime: st.mtimeMs, mime: 'image/jpeg', takenAt: taken } };
  }
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round((sorted[i] as number) * 100) / 100;
}

function ms(start: number): number {
  return Math.round((performance.now() - start) * 100) / 100;
}

/**
 * The panel in Chromium through the web host (dist/ must be built): unlock, open the snapshot, open the largest
 * conversation and scroll through it; then the page's JS heap. Skipped with a reason when Chromium or the build
 * is missing.
 */
async function measureRenderer(dataDir: string, largestCount: number): Promise<Record<string, unknown>> {
  const hostMain = path.join(ROOT, 'dist/host/main.cjs');
  if (!fs.existsSync(hostMain)) throw new Error('dist/host/main.cjs is missing: run "node scripts/build.mjs" first.');
  const token = crypto.randomBytes(18).toString('base64url');
  const child = spawn(process.execPath, [hostMain, '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, LIFELINE_TOKEN: token, LIFELINE_HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--enable-precise-memory-info'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`The web host did not start:\n${output}`)), 30_000);
      const check = (): void => {
        const m = /Lifeline ready at (http:\/\/\S+)\/#token=/.exec(output);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      };
      child.stdout.on('data', check);
    });
    const page = await browser.newPage();
    await page.goto(`${url}/#token=${token}`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Backup', exact: true }).click();
    await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByRole('tab', { name: 'Snapshots' }).click({ timeout: 60_000 });
    let start = performance.now();
    await page.getByRole('button', { name: /Open the snapshot/ }).first().click();
    await page.getByRole('list', { name: 'Conversations' }).getByRole('listitem').first().waitFor();
    const openSnapshotInWindowMs = ms(start);
    await page.getByLabel('Find a conversation by name or number').fill(`${NAMES[0]} ${SURNAMES[0]}`);
    const thread = page.getByRole('button', { name: new RegExp(`, ${largestCount} messages$`) });
    await thread.waitFor();
    start = performance.now();
    await thread.click();
    const messages = page.getByRole('list', { name: 'Messages' });
    await messages.getByRole('listitem').first().waitFor();
    const openThreadInWindowMs = ms(start);
    // Scroll from the newest message to the oldest in big jumps, as a person dragging the scrollbar would.
    for (let k = 10; k >= 0; k--) {
      await messages.evaluate((el, f) => {
        el.scrollTop = el.scrollHeight * f;
      }, k / 10);
      await page.waitForTimeout(150);
    }
    const rowsInDom = await messages.getByRole('listitem').count();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    const metrics = (await cdp.send('Performance.enable').then(() => cdp.send('Performance.getMetrics'))) as { metrics: { name: string; value: number }[] };
    const metric = (name: string): number => Math.round(((metrics.metrics.find((m) => m.name === name)?.value ?? 0) / 1048576) * 10) / 10;
    return {
      what: 'Chromium page of the web host after opening the largest conversation and scrolling it end to end',
      jsHeapUsedMB: metric('JSHeapUsedSize'),
      jsHeapTotalMB: metric('JSHeapTotalSize'),
      domNodes: metrics.metrics.find((m) => m.name === 'Nodes')?.value,
      messageRowsInDom: rowsInDom,
      openSnapshotInWindowMs,
      openThreadInWindowMs,
    };
  } finally {
    await browser.close();
    child.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-bench-browse-'));
  // Where the web host keeps its store (<data dir>/backups), so the renderer can be measured on the same one.
  const dataDir = path.join(work, 'data');
  const storeDir = path.join(dataDir, 'backups');
  const clock = new ManualClock(Date.UTC(2026, 0, 5));
  try {
    process.stderr.write(`Backing up ${SIZE.messages} messages, ${SIZE.contacts} contacts and ${SIZE.photos} photos into ${storeDir}...\n`);
    const t0 = performance.now();
    const store = await BackupStore.init(storeDir, PASSPHRASE, { clock, kdfLogN: 14 });
    const receipt = await store.backup({ device: 'Bench phone', events: corpus(path.join(work, 'phone')) });
    store.close();
    const backupS = Math.round((performance.now() - t0) / 10) / 100;
    process.stderr.write(`Backup took ${backupS} s. Measuring...\n`);

    const service = new BackupService({ dir: storeDir, clock, onProgress: () => undefined });
    await service.unlock(PASSPHRASE);

    let start = performance.now();
    const cold = service.overview('latest');
    const openColdMs = ms(start);
    // What a person sees: the app builds the cache right after each backup, so later opens are warm.
    service.lock();
    await service.unlock(PASSPHRASE);
    // Opening a snapshot in the panel = its overview plus the first page of conversations (the default tab).
    start = performance.now();
    const overview = service.overview('latest');
    const overviewMs = ms(start);
    const threadsFirstPage = service.threads('latest', { limit: 100, offset: 0 });
    const openMs = ms(start);
    const threadListMs = Math.round((openMs - overviewMs) * 100) / 100;

    let largest = threadsFirstPage.items[0];
    for (let offset = 0; offset < threadsFirstPage.total; offset += 500) {
      for (const t of service.threads('latest', { limit: 500, offset }).items) if (!largest || t.count > largest.count) largest = t;
    }
    if (!largest) throw new Error('The bench store has no conversations.');
    start = performance.now();
    const lastPage = service.conversation('latest', largest.thread, { limit: 100, offset: Math.max(0, largest.count - 100) });
    const openThreadMs = ms(start);
    start = performance.now();
    service.conversation('latest', largest.thread, { limit: 100, offset: Math.floor(largest.count / 2) });
    const middlePageMs = ms(start);

    const r = rng(7);
    const queries: string[] = [];
    for (let i = 0; i < 100; i++) {
      const k = i % 5;
      const w = WORDS[Math.floor(r() * WORDS.length)] as string;
      if (k === 0) queries.push(w.slice(0, Math.max(3, Math.ceil(w.length / 2)))); // a word being typed
      else if (k === 1) queries.push(`${w} ${WORDS[Math.floor(r() * WORDS.length)]}`);
      else if (k === 2) queries.push(NAMES[Math.floor(r() * NAMES.length)] as string);
      else if (k === 3) queries.push(phone(Math.floor(r() * SIZE.contacts)).slice(0, 9));
      else queries.push(i % 2 ? 'zanzibar' : 'zanz');
    }
    const times: number[] = [];
    let hits = 0;
    for (const q of queries) {
      start = performance.now();
      const res = service.search('latest', q, { limit: 50 });
      times.push(performance.now() - start);
      hits += res.items.length;
    }
    times.sort((a, b) => a - b);
    const needle = service.search('latest', 'zanzibar', { limit: 50 }).items;

    start = performance.now();
    service.list('latest', 'contacts', { limit: 100, offset: 0 });
    const contactsMs = ms(start);
    start = performance.now();
    service.list('latest', 'media', { limit: 120, offset: 0 });
    const photosMs = ms(start);
    const photoKey = service.list('latest', 'media', { limit: 1, offset: 0 }).items[0]?.key as string;
    start = performance.now();
    const thumb = await service.image({ key: photoKey, size: 'thumb' });
    const thumbColdMs = ms(start);
    start = performance.now();
    await service.image({ key: photoKey, size: 'thumb' });
    const thumbCachedMs = ms(start);

    const mem = process.memoryUsage();
    service.close();
    const renderer = await measureRenderer(dataDir, largest.count).catch((error: unknown) => ({ skipped: error instanceof Error ? error.message : String(error) }));
    const results = {
      at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, node: process.version, platform: process.platform },
      size: process.env.BENCH_SIZE ?? 'full',
      corpus: { messages: SIZE.messages, contacts: SIZE.contacts, photos: SIZE.photos, conversations: overview.threads, snapshotItems: overview.snapshot.items },
      backupS,
      storedBytes: receipt.totals.storedBytes,
      openSnapshotMs: { warm: openMs, overviewMs, threadListFirstPageMs: threadListMs, firstEverWithCacheBuild: openColdMs, cacheBuildMs: cold.preparedMs },
      largestThread: { messages: largest.count, openLastPageMs: openThreadMs, middlePageMs, rows: lastPage.items.length },
      search: { queries: queries.length, p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), maxMs: percentile(times, 100), resultsTotal: hits, needleFound: needle.length === 1 },
      lists: { contactsFirstPageMs: contactsMs, photosFirstPageMs: photosMs, thumbnailMs: thumbColdMs, thumbnailCachedMs: thumbCachedMs, thumbnail: thumb.status },
      memory: {
        service: { what: 'the process answering the calls (bench process, store open)', rssMB: Math.round(mem.rss / 1048576), heapUsedMB: Math.round(mem.heapUsed / 1048576) },
        renderer,
      },
      targets: { openUnder300ms: openMs < 300, searchP99Under100ms: percentile(times, 99) < 100 },
    };
    fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'bench/results/browse.json'), `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } finally {
    // BENCH_KEEP=1 leaves the store for profiling (its path is printed above).
    if (process.env.BENCH_KEEP !== '1') fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
