// `npm test`: lint, type check, build, unit tests (Vitest) and e2e tests (Playwright, web host in Debian Chromium;
// plus the Electron project when E2E_ELECTRON=1). Ends with one plain line: "N passed, N failed, N skipped", counted
// over unit and e2e tests together. Lint, type check and build are not tests; each adds one failure when it fails.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'test-results');
fs.mkdirSync(out, { recursive: true });
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

function run(label, command, args, env = {}) {
  process.stdout.write(`\n=== ${label} ===\n`);
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.on('error', (error) => {
      process.stdout.write(`${label}: could not start: ${error.message}\n`);
      resolve(1);
    });
  });
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

const totals = { passed: 0, failed: 0, skipped: 0 };
const problems = [];

const lint = await run('lint', bin('eslint'), ['.', '--max-warnings=0']);
if (lint !== 0) problems.push('lint');
const typecheck = await run('type check', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
const typecheckRenderer = typecheck === 0 ? await run('type check (renderer)', bin('tsc'), ['--noEmit', '-p', 'renderer/tsconfig.json']) : 1;
if (typecheck !== 0 || typecheckRenderer !== 0) problems.push('type check');

const vitestJson = path.join(out, 'vitest.json');
fs.rmSync(vitestJson, { force: true });
const unit = await run('unit tests (vitest)', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]);
const unitReport = readJson(vitestJson);
if (unitReport) {
  totals.passed += unitReport.numPassedTests ?? 0;
  totals.failed += unitReport.numFailedTests ?? 0;
  totals.skipped += (unitReport.numPendingTests ?? 0) + (unitReport.numTodoTests ?? 0);
  // a suite that failed to load has no tests in the counts
  if (unit !== 0 && (unitReport.numFailedTests ?? 0) === 0) problems.push('unit test files that failed to load');
} else if (unit !== 0) {
  problems.push('unit tests (no report)');
}

const build = await run('build', process.execPath, [path.join(root, 'scripts/build.mjs')]);
if (build !== 0) {
  problems.push('build (e2e tests not run)');
} else {
  const e2eJson = path.join(out, 'playwright.json');
  fs.rmSync(e2eJson, { force: true });
  const e2e = await run('e2e tests (playwright)', bin('playwright'), ['test', '--reporter=list,json'], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: e2eJson,
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
  });
  const stats = readJson(e2eJson)?.stats;
  if (stats) {
    totals.passed += (stats.expected ?? 0) + (stats.flaky ?? 0);
    totals.failed += stats.unexpected ?? 0;
    totals.skipped += stats.skipped ?? 0;
    if (e2e !== 0 && (stats.unexpected ?? 0) === 0) problems.push('e2e run (errors outside tests)');
  } else if (e2e !== 0) {
    problems.push('e2e tests (no report)');
  }
}

totals.failed += problems.length;
if (problems.length > 0) process.stdout.write(`\nFailed outside the test counts: ${problems.join(', ')}.\n`);
const skipped = totals.skipped > 0 ? `, ${totals.skipped} skipped` : '';
process.stdout.write(`\n${totals.passed} passed, ${totals.failed} failed${skipped}\n`);
process.exit(totals.failed > 0 ? 1 : 0);
