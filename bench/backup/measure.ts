import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

/** One command the benchmark runs: argv[0] is the program. */
export interface Cmd {
  argv: string[];
  env?: Record<string, string>;
  cwd?: string;
}

export interface Measured {
  ok: boolean;
  exitCode: number | null;
  signal: string | null;
  wallS: number;
  userS?: number;
  sysS?: number;
  /** Peak resident set size of the tool process (from /usr/bin/time -v), in KiB. */
  maxRssKb?: number;
  stdout: string;
  stderrTail: string;
}

export const TIME_BIN = '/usr/bin/time';
export const haveTime = fs.existsSync(TIME_BIN);

const MAX_CAPTURE = 64 * 1024 * 1024;

/** Parses the report of GNU time -v. */
export function parseTimeReport(text: string): { userS?: number; sysS?: number; maxRssKb?: number } {
  const num = (re: RegExp): number | undefined => {
    const m = re.exec(text);
    return m?.[1] !== undefined ? Number(m[1]) : undefined;
  };
  const out: { userS?: number; sysS?: number; maxRssKb?: number } = {};
  const user = num(/User time \(seconds\): ([\d.]+)/);
  const sys = num(/System time \(seconds\): ([\d.]+)/);
  const rss = num(/Maximum resident set size \(kbytes\): (\d+)/);
  if (user !== undefined) out.userS = user;
  if (sys !== undefined) out.sysS = sys;
  if (rss !== undefined) out.maxRssKb = rss;
  return out;
}

/**
 * Runs a command to completion under /usr/bin/time -v (when present), measuring wall time here and
 * CPU time and peak RSS there. Never throws for a failing command: the result says ok = false.
 */
export async function measure(cmd: Cmd, scratch: string): Promise<Measured> {
  const report = path.join(scratch, `time-${process.pid}-${crypto.randomBytes(4).toString('hex')}.txt`);
  const argv = haveTime ? [TIME_BIN, '-v', '-o', report, ...cmd.argv] : cmd.argv;
  const started = performance.now();
  const { code, signal, stdout, stderr } = await run(argv, cmd);
  const wallS = (performance.now() - started) / 1000;
  let timing: ReturnType<typeof parseTimeReport> = {};
  if (haveTime) {
    timing = parseTimeReport(await fsp.readFile(report, 'utf8').catch(() => ''));
    await fsp.rm(report, { force: true });
  }
  return { ok: code === 0, exitCode: code, signal, wallS, ...timing, stdout, stderrTail: stderr.slice(-2000) };
}

function run(argv: string[], cmd: Cmd): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const [program, ...args] = argv;
    const child = spawn(program ?? 'false', args, { cwd: cmd.cwd, env: { ...process.env, ...cmd.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (stdout.length < MAX_CAPTURE) stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-64 * 1024);
    });
    child.on('error', (error) => resolve({ code: 127, signal: null, stdout, stderr: `${stderr}${error.message}` }));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export interface KillResult {
  /** True when SIGKILL hit the running process; false when it finished first. */
  killed: boolean;
  afterS: number;
  /** Store bytes the run had added when it was killed. */
  bytesWrittenBeforeKill: number;
  exitCode: number | null;
}

/**
 * Starts a backup and SIGKILLs it part-way: as soon as the store grew by `growthBytes`, or after
 * `maxSeconds`, whichever comes first. Spawned directly (not under time) so the signal hits the tool.
 */
export async function runAndKill(cmd: Cmd, storeDir: string, growthBytes: number, maxSeconds: number): Promise<KillResult> {
  const [program, ...args] = cmd.argv;
  const base = await dirBytes(storeDir);
  const started = performance.now();
  const child = spawn(program ?? 'false', args, { cwd: cmd.cwd, env: { ...process.env, ...cmd.env }, stdio: ['ignore', 'ignore', 'ignore'] });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let done = false;
  void exited.then(() => {
    done = true;
  });
  let grown = 0;
  while (!done) {
    await new Promise((r) => setTimeout(r, 40));
    if (done) break;
    grown = (await dirBytes(storeDir)) - base;
    const elapsed = (performance.now() - started) / 1000;
    if (grown >= growthBytes || elapsed >= maxSeconds) {
      child.kill('SIGKILL');
      const code = await exited;
      return { killed: true, afterS: elapsed, bytesWrittenBeforeKill: grown, exitCode: code };
    }
  }
  const code = await exited;
  return { killed: false, afterS: (performance.now() - started) / 1000, bytesWrittenBeforeKill: (await dirBytes(storeDir)) - base, exitCode: code };
}

/** Sum of file sizes under a folder (apparent sizes; missing files are skipped: a tool may be writing). */
export async function dirBytes(dir: string, filter?: (rel: string) => boolean): Promise<number> {
  let total = 0;
  const walk = async (d: string): Promise<void> => {
    const entries = await fsp.readdir(d, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        if (filter && !filter(path.relative(dir, p))) continue;
        const st = await fsp.stat(p).catch(() => undefined);
        if (st) total += st.size;
      }
    }
  };
  await walk(dir);
  return total;
}

/** relPath (with '/') -> sha256 hex of every regular file under dir. */
export async function shaManifest(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string): Promise<void> => {
    const entries = await fsp.readdir(d, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.set(path.relative(dir, p).split(path.sep).join('/'), await sha256File(p));
    }
  };
  await walk(dir);
  return out;
}

export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest('hex');
}

export const MB = 1_000_000;
export const round = (n: number, digits = 2): number => Number(n.toFixed(digits));
