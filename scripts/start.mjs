// `npm start`: build what is stale, then launch the desktop app. Where Electron's runtime cannot be had or started
// (no binary and no way to download it, no display), say why in one sentence and start the web host instead.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

const build = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--if-stale'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

function electronBinary() {
  try {
    const binary = require('electron');
    return typeof binary === 'string' && fs.existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

// A failed download is remembered for a day so that every start on an offline machine is not held up.
const failedMarker = path.join(root, 'dist', '.electron-download-failed');

function tryDownloadElectron() {
  const installer = path.join(root, 'node_modules/electron/install.js');
  if (!fs.existsSync(installer) || process.env.ELECTRON_SKIP_BINARY_DOWNLOAD === '1') return;
  const failedAt = fs.existsSync(failedMarker) ? fs.statSync(failedMarker).mtimeMs : 0;
  if (Date.now() - failedAt < 24 * 3600 * 1000) return;
  process.stdout.write("Fetching Electron's runtime (first start only, at most 30 s)...\n");
  const result = spawnSync(process.execPath, [installer], { stdio: 'ignore', timeout: 30_000 });
  if (result.status !== 0 || !electronBinary()) {
    fs.mkdirSync(path.dirname(failedMarker), { recursive: true });
    fs.writeFileSync(failedMarker, new Date().toISOString());
  }
}

function whyNotElectron() {
  if (process.env.LIFELINE_WEB === '1') return 'LIFELINE_WEB=1 is set';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return 'there is no display to open a window on (DISPLAY and WAYLAND_DISPLAY are not set)';
  }
  if (!electronBinary()) tryDownloadElectron();
  if (!electronBinary()) return "Electron's runtime is not installed and could not be downloaded from this machine";
  return undefined;
}

function startWebHost(reason) {
  process.stdout.write(`Starting Lifeline in your browser instead of a desktop window, because ${reason}.\n`);
  const child = spawn(process.execPath, [path.join(root, 'dist/host/main.cjs')], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
}

const reason = whyNotElectron();
if (reason) {
  startWebHost(reason);
} else {
  const started = Date.now();
  let stderr = '';
  const child = spawn(electronBinary(), [path.join(root, 'dist/electron/main.cjs')], { stdio: ['inherit', 'inherit', 'pipe'] });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    process.stderr.write(chunk);
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => {
    // A crash within seconds of launch is Electron failing to start (missing system libraries, no GPU, ...).
    if (code !== 0 && Date.now() - started < 5000) {
      const first = stderr.split('\n').find((line) => line.trim()) ?? `exit code ${code}`;
      startWebHost(`the desktop window could not start (${first.trim().slice(0, 160)})`);
      return;
    }
    process.exit(code ?? 0);
  });
}
