// Builds what `npm start`, `npm run web` and the e2e tests run:
//   dist/electron/main.cjs, dist/electron/preload.cjs  (Electron main process and preload)
//   dist/host/main.cjs                                  (the web host)
//   dist/cli/lifeline.cjs                               (the `lifeline` command line)
//   dist/renderer/                                      (the React app, by Vite)
// `--if-stale` skips the build when nothing under the sources changed since the last one.
import { build as esbuild } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const stamp = path.join(dist, '.build-stamp');
const sources = ['contract', 'electron', 'renderer', 'resources', 'vite.config.ts', 'package.json', 'scripts/build.mjs'];

function newestMtime(entry) {
  const full = path.join(root, entry);
  let stat;
  try {
    stat = fs.statSync(full);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const child of fs.readdirSync(full)) {
    if (child === 'node_modules') continue;
    newest = Math.max(newest, newestMtime(path.join(entry, child)));
  }
  return newest;
}

const entries = [
  ['electron/main.ts', 'electron/main.cjs'],
  ['electron/preload.ts', 'electron/preload.cjs'],
  ['electron/host/main.ts', 'host/main.cjs'],
  ['electron/cli/lifeline.ts', 'cli/lifeline.cjs'],
];

async function main() {
  const ifStale = process.argv.includes('--if-stale');
  if (ifStale && fs.existsSync(stamp)) {
    const built = fs.statSync(stamp).mtimeMs;
    if (sources.every((s) => newestMtime(s) <= built)) return;
  }
  const started = Date.now();
  for (const [from, to] of entries) {
    if (!fs.existsSync(path.join(root, from))) continue;
    await esbuild({
      entryPoints: [path.join(root, from)],
      outfile: path.join(dist, to),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      packages: 'external',
      sourcemap: true,
      logLevel: 'warning',
      legalComments: 'none',
    });
  }
  const { build: viteBuild } = await import('vite');
  await viteBuild({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn', mode: 'production' });
  fs.mkdirSync(dist, { recursive: true });
  fs.writeFileSync(stamp, new Date().toISOString());
  process.stdout.write(`Built in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
}

main().catch((error) => {
  process.stderr.write(`Build failed: ${error.message}\n`);
  process.exit(1);
});
