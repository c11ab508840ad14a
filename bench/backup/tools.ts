import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import type { Cmd } from './measure';

export const PASSPHRASE = 'bench-passphrase-not-secret';

export type ToolName = 'lifeline' | 'restic' | 'borg';

/** The commands one backup tool runs for each benchmark step, on one local repository. */
export interface Tool {
  name: ToolName;
  version: string;
  repo: string;
  /** Local caches kept outside the repository (restic, borg); reported, not counted as repository bytes. */
  cacheDir?: string;
  init(): Cmd;
  backup(label: string): Cmd;
  restore(to: string): Cmd;
  /** Where the source tree appears under the restore target. */
  restoredRoot(to: string): string;
  /** Read and check every byte of every pack. */
  verifyAll(): Cmd;
  /** Structure only (fast): every referenced piece exists. */
  checkStructure(): Cmd;
  /** Keep the newest snapshot only, and free unused data. */
  prune(): Cmd[];
  /** Commands a user runs after a crash before the next backup (stale lock removal), if any. */
  afterCrash(): Cmd[];
  /** Repository bytes that are backup data, not a derived index (Lifeline's SQLite catalog). */
  isDataFile(rel: string): boolean;
}

export interface ToolContext {
  /** The project root (for the Lifeline CLI and node_modules). */
  root: string;
  /** The folder to back up (absolute). */
  source: string;
  work: string;
}

function versionOf(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return (r.stdout || r.stderr).trim().split('\n')[0];
}

/**
 * Lifeline through its real CLI. By default the CLI is bundled with esbuild into the work folder (as
 * scripts/build.mjs does for dist/cli/lifeline.cjs) so a run measures the shipped program rather than tsx
 * compiling TypeScript at start; BENCH_LIFELINE=tsx runs the sources through tsx instead.
 */
export async function lifeline(ctx: ToolContext, mode: 'bundle' | 'tsx'): Promise<Tool> {
  const repo = path.join(ctx.work, 'repos', 'lifeline');
  let prefix: string[];
  const env: Record<string, string> = { LIFELINE_PASSPHRASE: PASSPHRASE };
  if (mode === 'tsx') {
    prefix = [process.execPath, '--import', 'tsx', path.join(ctx.root, 'electron/cli/lifeline.ts')];
  } else {
    const outfile = path.join(ctx.work, 'cli', 'lifeline.cjs');
    await build({
      entryPoints: [path.join(ctx.root, 'electron/cli/lifeline.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      packages: 'external',
      logLevel: 'warning',
      legalComments: 'none',
    });
    // The bundle lives outside the project; let it find the project's node_modules.
    env.NODE_PATH = path.join(ctx.root, 'node_modules');
    prefix = [process.execPath, outfile];
  }
  const cmd = (...args: string[]): Cmd => ({ argv: [...prefix, ...args, '--store', repo, '--json'], env, cwd: ctx.root });
  return {
    name: 'lifeline',
    version: `lifeline 0.1.0 (${mode}, node ${process.version})`,
    repo,
    init: () => cmd('store', 'init'),
    backup: () => cmd('backup', '--device', 'bench-phone', ctx.source),
    restore: (to) => cmd('restore', 'latest', '--to', to),
    restoredRoot: (to) => to,
    verifyAll: () => cmd('verify', '--read-data'),
    checkStructure: () => cmd('verify'),
    prune: () => [cmd('forget', '--keep-last', '1', '--prune')],
    afterCrash: () => [],
    isDataFile: (rel) => !rel.startsWith('index.sqlite'),
  };
}

/** restic from Debian: default repository version (2, compression auto), local cache in the work folder. */
export function restic(ctx: ToolContext): Tool | string {
  const version = versionOf('restic', ['version']);
  if (!version) return 'restic is not installed (apt-get install -y restic)';
  const repo = path.join(ctx.work, 'repos', 'restic');
  const cacheDir = path.join(ctx.work, 'cache', 'restic');
  const env = { RESTIC_PASSWORD: PASSPHRASE, RESTIC_CACHE_DIR: cacheDir };
  const cmd = (...args: string[]): Cmd => ({ argv: ['restic', '-r', repo, ...args], env, cwd: ctx.work });
  return {
    name: 'restic',
    version,
    repo,
    cacheDir,
    init: () => cmd('init', '--quiet'),
    backup: () => cmd('backup', '--quiet', '--json', '--host', 'bench', ctx.source),
    restore: (to) => cmd('restore', 'latest', '--quiet', '--target', to),
    restoredRoot: (to) => path.join(to, ctx.source),
    verifyAll: () => cmd('check', '--read-data'),
    checkStructure: () => cmd('check'),
    prune: () => [cmd('forget', '--keep-last', '1', '--prune')],
    afterCrash: () => [cmd('unlock')],
    isDataFile: () => true,
  };
}

/** BorgBackup from Debian: repokey-blake2, default compression (lz4), base dir (keys, cache) in the work folder. */
export function borg(ctx: ToolContext): Tool | string {
  const version = versionOf('borg', ['--version']);
  if (!version) return 'borg is not installed (apt-get install -y borgbackup)';
  const repo = path.join(ctx.work, 'repos', 'borg');
  const cacheDir = path.join(ctx.work, 'cache', 'borg');
  const env = {
    BORG_PASSPHRASE: PASSPHRASE,
    BORG_BASE_DIR: cacheDir,
    BORG_RELOCATED_REPO_ACCESS_IS_OK: 'yes',
    BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: 'no',
  };
  const cmd = (...args: string[]): Cmd => ({ argv: ['borg', ...args], env, cwd: ctx.work });
  let last = '';
  // The source is given relative to its parent so archives hold "src/...", as a user backing up a folder would.
  const parent = path.dirname(ctx.source);
  const name = path.basename(ctx.source);
  return {
    name: 'borg',
    version,
    repo,
    cacheDir,
    init: () => cmd('init', '--encryption', 'repokey-blake2', repo),
    backup: (label) => {
      last = label;
      return { ...cmd('create', '--json', `${repo}::${label}`, name), cwd: parent };
    },
    restore: (to) => {
      fs.mkdirSync(to, { recursive: true });
      return { ...cmd('extract', `${repo}::${last}`), cwd: to };
    },
    restoredRoot: (to) => path.join(to, name),
    verifyAll: () => cmd('check', '--verify-data', repo),
    checkStructure: () => cmd('check', repo),
    prune: () => [cmd('prune', '--keep-last', '1', repo), cmd('compact', repo)],
    afterCrash: () => [],
    isDataFile: () => true,
  };
}
