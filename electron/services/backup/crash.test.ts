import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BackupStore } from './store';
import { TEST_CHUNKER, TEST_KDF_LOG_N, fakeJpeg, makeCorpus, rng, tempDir, writeExportFolder, writeMedia } from './test-support';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');
const CLI = path.join(repo, 'electron/cli/lifeline.ts');
const PASS = 'crash test passphrase';

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs the real CLI in a child process. With `killAfterMs`, it is SIGKILLed that long after it reported
 * that the backup started (its first progress line), wherever it is then. `ms` is the time from that first
 * progress line to the exit.
 */
function cli(args: string[], killAfterMs?: number): Promise<Run> {
  let started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: repo,
    env: { ...process.env, LIFELINE_PASSPHRASE: PASS, LIFELINE_PROGRESS: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let timer: NodeJS.Timeout | undefined;
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    if (!stderr.includes('{"progress"') && d.toString().includes('{"progress"')) {
      started = performance.now();
      if (killAfterMs !== undefined) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    }
    stderr += d.toString();
  });
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
}

describe('crash safety', () => {
  it('survives SIGKILL at 20 seeded random points of a backup: the store stays valid and the next run finishes', async () => {
    const base = tempDir('lifeline-crash-');
    const src = path.join(base, 'src');
    const storeDir = path.join(base, 'store');
    const corpus = makeCorpus(src, 42, { sms: 800, photos: 12 });
    await writeExportFolder(corpus);
    const init = await BackupStore.init(storeDir, PASS, { kdfLogN: TEST_KDF_LOG_N, chunker: TEST_CHUNKER, packSize: 32 * 1024 });
    init.close();

    const first = await cli(['backup', '--store', storeDir, '--device', 'phone', '--json', src]);
    expect(first.code, first.stderr).toBe(0);
    const baseline = JSON.parse(first.stdout) as { snapshot: string; totals: { items: number } };

    // New work each round, so the kill can land while new packs are being written.
    const addRound = (i: number): void => {
      for (let j = 0; j < 6; j++) writeMedia(src, `DCIM/Round${i}/IMG_${j}.jpg`, fakeJpeg(1000 + i * 10 + j, 60_000 + j * 9000), 'image/jpeg', Date.UTC(2025, 5, 1 + i));
    };
    // Kill points are spread over a run like the ones killed (a later run reuses the record files, so it is
    // shorter than the first), timed on this machine now: a loaded machine slows both alike.
    addRound(0);
    const warm = await cli(['backup', '--store', storeDir, '--device', 'phone', '--json', src]);
    expect(warm.code, warm.stderr).toBe(0);
    const duration = warm.ms;

    const random = rng(20261123);
    let killed = 0;
    let finished = 0;
    let rounds = 1;
    // Until 20 runs were killed (a run that ends before its kill point counts as finished and is checked too).
    for (let i = 1; killed < 20 && i <= 40; i++) {
      addRound(i);
      rounds++;
      const delay = Math.floor(duration * random());
      const run = await cli(['backup', '--store', storeDir, '--device', 'phone', '--json', src], delay);
      if (run.signal === 'SIGKILL') killed++;
      else {
        expect(run.code, run.stderr).toBe(0);
        finished++;
      }

      // Opening takes over the dead writer's lock, cleans temp files and reconciles the index.
      const store = await BackupStore.open(storeDir, PASS);
      try {
        const report = await store.verify({ readData: 'all' });
        expect(report.problems, report.summary).toEqual([]);
        expect(report.ok).toBe(true);
        expect(store.snapshots().map((s) => s.id)).toContain(baseline.snapshot);
        expect(store.ls(baseline.snapshot)).toHaveLength(baseline.totals.items);
        const tmp = fs.readdirSync(path.join(storeDir, 'packs')).flatMap((d) => fs.readdirSync(path.join(storeDir, 'packs', d))).filter((n) => n.startsWith('.tmp-'));
        expect(tmp).toEqual([]);
      } finally {
        store.close();
      }
    }
    expect(killed).toBe(20);

    const last = await cli(['backup', '--store', storeDir, '--device', 'phone', '--json', src]);
    expect(last.code, last.stderr).toBe(0);
    const receipt = JSON.parse(last.stdout) as { snapshot: string; totals: { newBytes: number; bytes: number } };
    const verify = await cli(['verify', '--store', storeDir, '--read-data', '--json']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);

    // Everything in the source is in the final snapshot, byte for byte.
    const store = await BackupStore.open(storeDir, PASS);
    try {
      let media = 0;
      for await (const item of store.restoreItems(receipt.snapshot, { kinds: ['media'] })) {
        if (item.type !== 'media') throw new Error(`unexpected ${item.type}`);
        const parts: Buffer[] = [];
        for await (const b of item.read()) parts.push(b);
        expect(Buffer.concat(parts).equals(fs.readFileSync(path.join(src, ...item.media.path.split('/'))))).toBe(true);
        media++;
      }
      expect(media).toBe(12 + rounds * 6);
    } finally {
      store.close();
    }
    expect(finished + killed).toBe(rounds - 1);
  }, 240_000);
});
