/**
 * `npm run bench:backup`: Lifeline (its real CLI, as a child process) side by side with restic and borg on
 * one seeded corpus, as BACKUP.md's "Benchmark" section describes. For every tool: init, first backup,
 * backup with no change, backup after the "1 % change", restore (checked against the source's SHA-256
 * list), full read-back verify, prune, and a backup killed with SIGKILL part-way, then checked, resumed and
 * verified. Wall time, MB/s, peak RSS (/usr/bin/time -v), repository bytes.
 *
 * Environment:
 *   BENCH_SIZE      small (default; about a minute, for CI) | medium (0.25 x full) | full | a scale like 0.4
 *   BENCH_SEED      corpus seed (1)
 *   BENCH_TOOLS     comma list of lifeline,restic,borg (all)
 *   BENCH_LIFELINE  bundle (default: the CLI bundled with esbuild, as shipped) | tsx
 *   BENCH_DIR       work folder (default: a new temp folder, removed afterwards unless BENCH_KEEP=1)
 *   BENCH_RENDER_ONLY=1  only re-evaluate the targets of the stored results and rewrite backup.md
 * Results: bench/results/backup.json (the newest run per size) and bench/results/backup.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyOnePercentChange, generateCorpus } from './corpus/generate';
import { dirBytes, haveTime, MB, measure, round, runAndKill, shaManifest, type Cmd, type Measured } from './backup/measure';
import { evaluateTargets, markdown, type BenchRun, type StepName, type StepResult, type ToolRun } from './backup/report';
import { checkRestore } from './backup/restore-check';
import { corpusShape, writeKillSet } from './backup/sizes';
import { borg, lifeline, restic, type Tool, type ToolName } from './backup/tools';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = path.join(ROOT, 'bench', 'results');

const log = (msg: string): void => {
  process.stdout.write(`[bench:backup ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
};

class StepFailed extends Error {
  constructor(readonly step: string, readonly detail: string) {
    super(`${step} failed: ${detail}`);
  }
}

function toStep(m: Measured, mbBytes?: number): StepResult {
  const s: StepResult = { ok: m.ok, wallS: round(m.wallS, 3) };
  if (m.userS !== undefined) s.userS = m.userS;
  if (m.sysS !== undefined) s.sysS = m.sysS;
  if (m.maxRssKb !== undefined) s.maxRssKb = m.maxRssKb;
  if (mbBytes !== undefined && m.wallS > 0) s.mbps = round(mbBytes / MB / m.wallS, 1);
  if (!m.ok) s.error = `exit ${m.exitCode ?? m.signal}: ${m.stderrTail.trim().split('\n').slice(-3).join(' / ')}`;
  return s;
}

async function main(): Promise<void> {
  const size = process.env.BENCH_SIZE ?? 'small';
  const seed = process.env.BENCH_SEED ?? '1';
  const wanted = new Set((process.env.BENCH_TOOLS ?? 'lifeline,restic,borg').split(',').map((s) => s.trim()));
  const mode = process.env.BENCH_LIFELINE === 'tsx' ? 'tsx' : 'bundle';
  const { label, shape } = corpusShape(size);
  const work = process.env.BENCH_DIR ? path.resolve(process.env.BENCH_DIR) : fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-bench-backup-'));
  const keep = process.env.BENCH_KEEP === '1' || process.env.BENCH_DIR !== undefined;
  const source = path.join(work, 'src');
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const started = Date.now();
  if (!haveTime) log('/usr/bin/time is missing (apt-get install -y time): peak RSS will not be measured.');

  try {
    log(`corpus ${label}, seed ${seed} -> ${source}`);
    const genStart = performance.now();
    const summary = await generateCorpus(source, { seed, ...shape });
    const generateS = (performance.now() - genStart) / 1000;
    log(`corpus: ${(summary.bytes / MB).toFixed(1)} MB in ${summary.files} files (${generateS.toFixed(1)} s)`);

    const ctx = { root: ROOT, source, work };
    const tools: Tool[] = [];
    const runs = {} as Record<ToolName, ToolRun>;
    const candidates: [ToolName, () => Promise<Tool | string>][] = [
      ['lifeline', () => lifeline(ctx, mode)],
      ['restic', async () => restic(ctx)],
      ['borg', async () => borg(ctx)],
    ];
    for (const [name, make] of candidates) {
      if (!wanted.has(name)) {
        runs[name] = { status: 'skipped', reason: 'not in BENCH_TOOLS', steps: {} };
        continue;
      }
      const tool = await make().catch((error: unknown) => `could not be prepared: ${(error as Error).message}`);
      if (typeof tool === 'string') {
        log(`${name}: skipped (${tool})`);
        runs[name] = { status: 'skipped', reason: tool, steps: {} };
      } else {
        tools.push(tool);
        runs[name] = { status: 'ok', version: tool.version, steps: {} };
      }
    }
    fs.mkdirSync(path.join(work, 'repos'), { recursive: true });
    fs.mkdirSync(path.join(work, 'scratch'), { recursive: true });
    const scratch = path.join(work, 'scratch');

    const live = (): Tool[] => tools.filter((t) => runs[t.name].status === 'ok');
    const fail = (t: Tool, error: unknown): void => {
      const run = runs[t.name];
      run.status = 'failed';
      run.reason = error instanceof StepFailed ? error.message : `unexpected: ${(error as Error).message}`;
      log(`${t.name}: ${run.reason}`);
    };
    const repoSizes = async (t: Tool): Promise<{ repoBytes: number; repoDataBytes: number }> => ({
      repoBytes: await dirBytes(t.repo),
      repoDataBytes: await dirBytes(t.repo, (rel) => t.isDataFile(rel)),
    });
    /** Runs one measured step for a tool, records it, and throws StepFailed when the command failed. */
    const step = async (t: Tool, name: StepName, cmds: Cmd[], mbBytes?: number): Promise<StepResult> => {
      let total: StepResult | undefined;
      for (const cmd of cmds) {
        const m = await measure(cmd, scratch);
        const s = toStep(m, mbBytes);
        total = total
          ? {
              ...s,
              wallS: round(total.wallS + s.wallS, 3),
              ...(s.maxRssKb !== undefined ? { maxRssKb: Math.max(s.maxRssKb, total.maxRssKb ?? 0) } : {}),
              ...(mbBytes !== undefined ? { mbps: round(mbBytes / MB / (total.wallS + s.wallS), 1) } : {}),
            }
          : s;
        if (!m.ok) break;
      }
      const result: StepResult = { ...(total as StepResult), ...(await repoSizes(t)) };
      runs[t.name].steps[name] = result;
      log(`${t.name.padEnd(8)} ${name.padEnd(15)} ${result.ok ? 'ok' : 'FAILED'} ${result.wallS.toFixed(2)} s${result.mbps !== undefined ? `, ${result.mbps} MB/s` : ''}${result.maxRssKb ? `, ${Math.round(result.maxRssKb / 1024)} MiB` : ''}`);
      if (!result.ok) throw new StepFailed(name, result.error ?? 'failed');
      return result;
    };
    const forEachTool = async (fn: (t: Tool) => Promise<void>): Promise<void> => {
      for (const t of live()) {
        try {
          await fn(t);
        } catch (error) {
          fail(t, error);
        }
      }
    };

    await forEachTool(async (t) => {
      await step(t, 'init', [t.init()]);
    });
    const corpusBytes = await dirBytes(source);
    await forEachTool(async (t) => {
      await step(t, 'firstBackup', [t.backup('first')], corpusBytes);
    });
    await forEachTool(async (t) => {
      await step(t, 'noChangeBackup', [t.backup('nochange')], corpusBytes);
    });

    log('applying the 1 % change');
    const change = await applyOnePercentChange(source, seed);
    log(`1 % change: ${(change.changedBytes / MB).toFixed(2)} MB really changed`);
    const changedCorpusBytes = await dirBytes(source);
    await forEachTool(async (t) => {
      const before = runs[t.name].steps.noChangeBackup as StepResult;
      const s = await step(t, 'changedBackup', [t.backup('changed')], changedCorpusBytes);
      const added = (s.repoBytes ?? 0) - (before.repoBytes ?? 0);
      const addedData = (s.repoDataBytes ?? 0) - (before.repoDataBytes ?? 0);
      runs[t.name].changedBackup = { addedBytes: added, addedDataBytes: addedData, ratio: round(added / change.changedBytes, 3), dataRatio: round(addedData / change.changedBytes, 3) };
    });

    const manifest = await shaManifest(source);
    await forEachTool(async (t) => {
      const to = path.join(work, 'restore', t.name);
      fs.rmSync(to, { recursive: true, force: true });
      await step(t, 'restore', [t.restore(to)], changedCorpusBytes);
      const check = await checkRestore(manifest, t.restoredRoot(to), source, t.name === 'lifeline');
      runs[t.name].restoreCheck = check;
      fs.rmSync(to, { recursive: true, force: true });
      if (!check.ok) throw new StepFailed('restore check', `${check.missing.length} missing, ${check.different.length} different, ${check.extra.length} extra (e.g. ${[...check.missing, ...check.different, ...check.extra].slice(0, 3).join(', ')})`);
    });
    await forEachTool(async (t) => {
      const repo = await dirBytes(t.repo);
      await step(t, 'verify', [t.verifyAll()], repo);
    });
    await forEachTool(async (t) => {
      await step(t, 'prune', t.prune());
    });

    const killSet = writeKillSet(path.join(source, 'DCIM', 'Burst'), seed, shape);
    log(`killed run: ${killSet.files} new photos, ${(killSet.bytes / MB).toFixed(1)} MB`);
    const killedCorpusBytes = await dirBytes(source);
    await forEachTool(async (t) => {
      const first = runs[t.name].steps.firstBackup as StepResult;
      // Kill when a third of the new data reached the store, or else at 85 % of the time the run should take
      // (the no-change backup's time plus the new bytes at the first backup's speed).
      const startup = runs[t.name].steps.noChangeBackup?.wallS ?? 0;
      const expected = startup + killSet.bytes / MB / Math.max(1, first.mbps ?? 1);
      const k = await runAndKill(t.backup('killed'), t.repo, Math.round(killSet.bytes / 3), Math.max(0.5, expected * 0.85));
      log(`${t.name.padEnd(8)} SIGKILL        ${k.killed ? `after ${k.afterS.toFixed(2)} s, ${(k.bytesWrittenBeforeKill / MB).toFixed(1)} MB written` : `not killed: it finished in ${k.afterS.toFixed(2)} s`}`);
      // A user's next step after a crash: a stale lock is removed (restic needs it done by hand), then check, back up again.
      for (const c of t.afterCrash()) await measure(c, scratch);
      const check = toStep(await measure(t.checkStructure(), scratch));
      const resume = { ...toStep(await measure(t.backup('resumed'), scratch), killedCorpusBytes), ...(await repoSizes(t)) };
      const verify = toStep(await measure(t.verifyAll(), scratch));
      runs[t.name].kill = { ...k, structureAfterKill: check, resume, verifyAfterResume: verify };
      log(`${t.name.padEnd(8)} after kill     check ${check.ok ? 'ok' : `FAILED (${check.error})`}, resume ${resume.ok ? 'ok' : 'FAILED'} ${resume.wallS.toFixed(2)} s, verify ${verify.ok ? 'ok' : `FAILED (${verify.error})`} ${verify.wallS.toFixed(2)} s`);
    });
    for (const t of tools) {
      if (t.cacheDir) runs[t.name].cacheBytes = await dirBytes(t.cacheDir);
    }

    const cpus = os.cpus();
    const run: BenchRun = {
      size: label,
      startedAt: new Date(started).toISOString(),
      seconds: round((Date.now() - started) / 1000, 1),
      machine: { cpus: cpus.length, model: cpus[0]?.model ?? '', memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, timeBin: haveTime },
      corpus: { seed, bytes: corpusBytes, files: manifest.size, summary: { ...summary }, generateS: round(generateS, 1) },
      change: { ...change },
      killSet,
      tools: runs,
      targets: evaluateTargets(runs),
    };
    writeResults(run);
    log(`done in ${run.seconds} s; results in bench/results/backup.json and backup.md`);
    for (const t of run.targets) log(`target ${t.met === null ? 'n/a' : t.met ? 'MET ' : 'MISS'}  ${t.name}: Lifeline ${t.lifeline}, restic ${t.restic}${t.ratio ? ` (${t.ratio})` : ''}`);
    const broken = Object.entries(runs).filter(([, r]) => r.status === 'failed');
    if (broken.length) {
      log(`failed: ${broken.map(([n, r]) => `${n} (${r.reason})`).join('; ')}`);
      process.exitCode = 1;
    }
  } finally {
    if (!keep) fs.rmSync(work, { recursive: true, force: true });
    else log(`work folder kept: ${work}`);
  }
}

function writeResults(run: BenchRun): void {
  fs.mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, 'backup.json');
  let runs: Record<string, BenchRun> = {};
  try {
    const old = JSON.parse(fs.readFileSync(file, 'utf8')) as { runs?: Record<string, BenchRun> };
    runs = old.runs ?? {};
  } catch {
    // First run, or an unreadable file: start afresh.
  }
  runs[run.size] = run;
  fs.writeFileSync(file, `${JSON.stringify({ benchmark: 'backup', runs }, null, 2)}\n`);
  const order = (s: string): number => (s === 'small' ? 0 : s.startsWith('medium') ? 1 : s === 'full' ? 3 : 2);
  fs.writeFileSync(path.join(RESULTS, 'backup.md'), markdown(Object.values(runs).sort((a, b) => order(a.size) - order(b.size))));
}

/** BENCH_RENDER_ONLY=1: re-evaluate the targets of the stored runs and rewrite backup.md, without running anything. */
function renderOnly(): void {
  const file = path.join(RESULTS, 'backup.json');
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { runs: Record<string, BenchRun> };
  const runs = Object.values(data.runs);
  for (const run of runs) {
    run.targets = evaluateTargets(run.tools);
    writeResults(run);
  }
}

(process.env.BENCH_RENDER_ONLY === '1' ? Promise.resolve().then(renderOnly) : main()).catch((error: unknown) => {
  process.stderr.write(`bench:backup failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
