// `npm run bench:startup`: over several runs, the time from starting the web host to its ready line and to the
// first rendered panel in Chromium, and the renderer bundle size. Results: bench/results/startup.json.
// BENCH_RUNS sets the number of runs (default 10; CI uses fewer).
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { chromiumExecutable } from '../e2e/chromium';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.BENCH_RUNS ?? 10);

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return Math.round((sorted[index] ?? NaN) * 10) / 10;
}

function summary(values: number[]) {
  return { p50: quantile(values, 0.5), p90: quantile(values, 0.9), min: quantile(values, 0), max: quantile(values, 1), runs: values.length };
}

function bundleSize() {
  const dir = path.join(root, 'dist/renderer');
  let raw = 0;
  let gzip = 0;
  const files: { file: string; bytes: number }[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(js|css|html)$/.test(entry.name)) {
        const data = fs.readFileSync(full);
        raw += data.length;
        gzip += zlib.gzipSync(data, { level: 9 }).length;
        files.push({ file: path.relative(dir, full), bytes: data.length });
      }
    }
  };
  walk(dir);
  return { rawBytes: raw, gzipBytes: gzip, files: files.sort((a, b) => b.bytes - a.bytes) };
}

async function main() {
  const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
  const toReady: number[] = [];
  const toPanel: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-bench-startup-'));
    const started = performance.now();
    const child = spawn(process.execPath, [path.join(root, 'dist/host/main.cjs'), '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /Lifeline ready at (\S+)/.exec(out);
        if (match?.[1]) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`host exited with ${code}`)));
    });
    const ready = performance.now();
    toReady.push(ready - started);
    const page = await browser.newPage();
    await page.goto(url);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    toPanel.push(performance.now() - started);
    await page.close();
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  await browser.close();
  const result = {
    benchmark: 'startup',
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, node: process.version, platform: `${process.platform}-${process.arch}` },
    msToReadyLine: summary(toReady),
    msToFirstPanel: summary(toPanel),
    rendererBundle: bundleSize(),
  };
  fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(root, 'bench/results/startup.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(
    `ready line p50 ${result.msToReadyLine.p50} ms, first panel p50 ${result.msToFirstPanel.p50} ms, bundle ${(result.rendererBundle.gzipBytes / 1024).toFixed(0)} KiB gzip (${runs} runs)\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:startup failed: ${(error as Error).message}\n`);
  process.exit(1);
});
