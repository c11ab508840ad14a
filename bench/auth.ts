// `npm run bench:auth` (tsx bench/auth.ts): throughput and p50/p99 latency of the account endpoints on loopback,
// against a real web host in a child process with the production Argon2 parameters. Results: bench/results/auth.json.
//
// What is measured (the limiters key by client IP, and every autocannon connection comes from 127.0.0.1):
// - recovery.start / recovery.newPicture "one address" (autocannon): a flood from a single address. After the
//   first 10 pictures a minute, the answers are 429 from the limiter; this is the cost of refusing a flood.
// - recovery.start / recovery.newPicture "many addresses" (a small generator in this file): every request comes
//   from a fresh 127.x.y.z address on a fresh connection, so each one does the full work (flow row, PNG drawing).
// - recovery.verifyCode (autocannon): wrong codes spread over prepared flows of distinct unknown identifiers,
//   5 per flow, so each request runs the full counted check (transaction, limiter, HMAC) until the prepared flows
//   are used up; later requests meet ended flows (410). The status counts in the results say how many were which.
// - account.signIn (autocannon): the right password from one address (no limit applies to successes): one
//   Argon2id verification at production cost and one new session each.
// - a rejected 1 MB password: p50/p99 over BENCH_PASSWORD_TRIES sign-ins with a 1 MiB password (413 at the host)
//   and with one just under the body limit (400 from the schema); neither reaches Argon2.
// BENCH_SECONDS sets the duration per case (default 10; CI may use 1).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const TOKEN = 'bench-auth-token-0123456789abcdef';
const PASSWORD = 'violet tractor harbour 42';
const ACCOUNT_EMAIL = 'bench@mail.com';
const MAX_BODY_BYTES = 1024 * 1024;

// ---- the host (child process) -----------------------------------------------------------------------------

async function serve(dataDir: string): Promise<void> {
  const { createApp } = await import('../electron/app');
  const { loadConfig } = await import('../electron/config');
  const { startHost } = await import('../electron/host/server');
  const { PRODUCTION_HASH_PARAMS } = await import('../electron/services/account/password-hasher');
  const rendererDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-bench-renderer-'));
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html>');
  const config = loadConfig({ LIFELINE_TOKEN: TOKEN, LIFELINE_TEST_HOOKS: '1' }, { dataDir, port: 0, host: '127.0.0.1' });
  const app = createApp(config, { hostKind: 'web', account: { hashParams: PRODUCTION_HASH_PARAMS } });
  const host = await startHost(app, { rendererDir });
  process.stdout.write(`${JSON.stringify({ port: host.port, hashParams: app.services.account.hasher.params })}\n`);
  const stop = () => {
    host
      .close(2_000)
      .catch(() => undefined)
      .finally(() => {
        fs.rmSync(rendererDir, { recursive: true, force: true });
        process.exit(0);
      });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

// ---- HTTP helpers ----------------------------------------------------------------------------------------------

interface Answer {
  status: number;
  body: string;
  ms: number;
}

function request(port: number, method: string, urlPath: string, body?: string, localAddress?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: urlPath,
        agent: false,
        ...(localAddress ? { localAddress } : {}),
        headers: {
          Host: `127.0.0.1:${port}`,
          Authorization: `Bearer ${TOKEN}`,
          ...(body !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

let addressCounter = 0;
function freshAddress(): string {
  const n = ++addressCounter;
  return `127.${100 + Math.floor(n / 62_500)}.${Math.floor((n % 62_500) / 250)}.${(n % 250) + 1}`;
}

async function rpc<T>(port: number, method: string, input: unknown, localAddress?: string): Promise<T> {
  const answer = await request(port, 'POST', `/api/rpc/${method}`, JSON.stringify(input), localAddress ?? freshAddress());
  const envelope = JSON.parse(answer.body) as { ok: true; value: T } | { ok: false; error: { code: string; message: string } };
  if (!envelope.ok) throw new Error(`${method}: HTTP ${answer.status} ${envelope.error.code}: ${envelope.error.message}`);
  return envelope.value;
}

async function captcha(port: number): Promise<string> {
  return (JSON.parse((await request(port, 'GET', '/api/test/captcha')).body) as { answer: string }).answer;
}

// ---- statistics ---------------------------------------------------------------------------------------------------

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return Math.round((sorted[index] ?? NaN) * 100) / 100;
}

interface CaseResult {
  tool: 'autocannon' | 'many-address generator';
  connections: number;
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  statuses: Record<string, number>;
  errors: number;
}

// ---- autocannon (no typings ship with it; the part used here is declared) -----------------------------------------

interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest;
  onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
}
interface AutocannonOptions {
  url: string;
  connections: number;
  duration?: number;
  /** A fixed number of requests instead of a duration. */
  amount?: number;
  pipelining?: number;
  timeout?: number;
  headers?: Record<string, string>;
  requests: AutocannonRequest[];
}
interface AutocannonResult {
  requests: { total: number; average: number };
  latency: { p50: number; p99: number; max: number };
  statusCodeStats?: Record<string, { count: number }>;
  errors: number;
  timeouts: number;
  duration: number;
}
type Autocannon = (options: AutocannonOptions) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

async function runAutocannon(port: number, connections: number, seconds: number, req: AutocannonRequest, amount?: number): Promise<CaseResult> {
  const wallStarted = performance.now();
  let lastResponseAt = wallStarted;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    ...(amount !== undefined ? { amount } : { duration: seconds }),
    timeout: 30,
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    requests: [{ method: 'POST', ...req, onResponse: () => (lastResponseAt = performance.now()) }],
  });
  const statuses: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = Number(count);
  const total = Object.values(statuses).reduce((a, b) => a + b, 0) || result.requests.total;
  // autocannon's own clock ticks in whole seconds; a fixed-count run is timed up to its last answer.
  const elapsed = amount !== undefined ? (lastResponseAt - wallStarted) / 1000 : result.duration;
  return {
    tool: 'autocannon',
    connections,
    seconds: Math.round(elapsed * 100) / 100,
    requests: total,
    requestsPerSecond: Math.round((total / elapsed) * 10) / 10,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    statuses,
    errors: result.errors + result.timeouts,
  };
}

/** `connections` workers sending one request at a time until the time is up, each from a fresh source address. */
async function runManyAddresses(port: number, connections: number, seconds: number, make: () => { path: string; body: string }): Promise<CaseResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const { path: urlPath, body } = make();
      try {
        const answer = await request(port, 'POST', urlPath, body, freshAddress());
        latencies.push(answer.ms);
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const elapsed = (performance.now() - started) / 1000;
  return {
    tool: 'many-address generator',
    connections,
    seconds,
    requests: latencies.length,
    requestsPerSecond: Math.round((latencies.length / elapsed) * 10) / 10,
    latencyMs: { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), max: quantile(latencies, 1) },
    statuses,
    errors,
  };
}

// ---- the benchmark ------------------------------------------------------------------------------------------------

async function startChild(dataDir: string): Promise<{ child: ChildProcess; port: number; hashParams: unknown }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve', dataDir], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = await new Promise<{ port: number; hashParams: unknown }>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as { port: number; hashParams: unknown });
    });
    child.once('exit', (code) => reject(new Error(`The bench host exited early (code ${String(code)}).`)));
  });
  return { child, ...ready };
}

/** Flows of distinct unknown identifiers in the code_sent state, each good for 5 counted wrong codes. */
async function prepareFlows(port: number, count: number): Promise<string[]> {
  const flows: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const n = next++;
      const address = freshAddress();
      const started = await rpc<{ flowId: string }>(port, 'recovery.start', { identifier: `nobody${n}@bench.example` }, address);
      // The test hook reports the newest picture; prepare one flow at a time per worker and retry on a race.
      let answer = await captcha(port);
      for (let attempt = 0; ; attempt++) {
        const r = await request(port, 'POST', '/api/rpc/recovery.submitPicture', JSON.stringify({ flowId: started.flowId, answer }), address);
        if (r.status === 200) break;
        if (attempt > 3) throw new Error(`Could not prepare a flow: HTTP ${r.status} ${r.body.slice(0, 200)}`);
        const details = (JSON.parse(r.body) as { error?: { details?: { picture?: unknown } } }).error?.details;
        if (!details?.picture) throw new Error(`Could not prepare a flow: HTTP ${r.status} ${r.body.slice(0, 200)}`);
        answer = await captcha(port);
      }
      flows.push(started.flowId);
    }
  };
  // One at a time: the captcha hook only knows the newest picture.
  await worker();
  return flows;
}

async function main(): Promise<void> {
  const seconds = Math.max(1, Number(process.env.BENCH_SECONDS ?? 10));
  const tries = Math.max(3, Number(process.env.BENCH_PASSWORD_TRIES ?? 20));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-bench-auth-'));
  const { child, port, hashParams } = await startChild(dataDir);
  try {
    // One verified account to sign in with and recover.
    const setupAddress = freshAddress();
    await rpc(port, 'account.signUp', { email: ACCOUNT_EMAIL, password: PASSWORD, confirmPassword: PASSWORD }, setupAddress);

    const results: Record<string, Record<string, CaseResult>> = {};
    const record = (name: string, connections: number, result: CaseResult) => {
      results[name] ??= {};
      (results[name] as Record<string, CaseResult>)[`c${connections}`] = result;
      process.stdout.write(
        `${name.padEnd(40)} c=${String(connections).padStart(2)}  ${String(result.requestsPerSecond).padStart(8)} req/s  p50 ${String(result.latencyMs.p50).padStart(7)} ms  p99 ${String(result.latencyMs.p99).padStart(7)} ms  ${JSON.stringify(result.statuses)}\n`,
      );
    };
    const pictureFlow = await rpc<{ flowId: string }>(port, 'recovery.start', { identifier: ACCOUNT_EMAIL });

    for (const connections of [16, 64]) {
      record('recovery.start (many addresses)', connections, await runManyAddresses(port, connections, seconds, () => ({ path: '/api/rpc/recovery.start', body: JSON.stringify({ identifier: ACCOUNT_EMAIL }) })));
      record(
        'recovery.start (one address, limited)',
        connections,
        await runAutocannon(port, connections, seconds, { path: '/api/rpc/recovery.start', body: JSON.stringify({ identifier: ACCOUNT_EMAIL }) }),
      );
      record(
        'recovery.newPicture (many addresses)',
        connections,
        await runManyAddresses(port, connections, seconds, () => ({ path: '/api/rpc/recovery.newPicture', body: JSON.stringify({ flowId: pictureFlow.flowId }) })),
      );
      record(
        'recovery.newPicture (one address, limited)',
        connections,
        await runAutocannon(port, connections, seconds, { path: '/api/rpc/recovery.newPicture', body: JSON.stringify({ flowId: pictureFlow.flowId }) }),
      );
    }

    // Every verify request does the full counted check: a fixed number of requests, 5 per prepared flow.
    const flowCount = Math.min(2000, 200 * seconds);
    let preparedFlows = 0;
    for (const connections of [16, 64]) {
      const prepStarted = performance.now();
      const flows = await prepareFlows(port, flowCount);
      preparedFlows = flows.length;
      process.stdout.write(`prepared ${flows.length} flows for recovery.verifyCode in ${Math.round(performance.now() - prepStarted)} ms\n`);
      let cursor = 0;
      record(
        'recovery.verifyCode (wrong codes)',
        connections,
        await runAutocannon(port, connections, seconds, {
          path: '/api/rpc/recovery.verifyCode',
          setupRequest: (req) => {
            const flowId = flows[Math.floor(cursor++ / 5) % flows.length] ?? '';
            return { ...req, body: JSON.stringify({ flowId, code: '000000' }) };
          },
        }, flows.length * 5),
      );
    }

    for (const connections of [16, 64]) {
      record(
        'account.signIn (right password)',
        connections,
        await runAutocannon(port, connections, seconds, { path: '/api/rpc/account.signIn', body: JSON.stringify({ account: ACCOUNT_EMAIL, password: PASSWORD }) }),
      );
    }

    // A rejected 1 MB password: sequential, one fresh connection each.
    const oneMiB = JSON.stringify({ account: ACCOUNT_EMAIL, password: 'x'.repeat(MAX_BODY_BYTES) });
    const justUnder = JSON.stringify({ account: ACCOUNT_EMAIL, password: 'x'.repeat(MAX_BODY_BYTES - 100) });
    const rejected = async (body: string) => {
      const times: number[] = [];
      const statuses: Record<string, number> = {};
      for (let i = 0; i < tries; i++) {
        const answer = await request(port, 'POST', '/api/rpc/account.signIn', body, freshAddress());
        times.push(answer.ms);
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      }
      return { tries, bodyBytes: Buffer.byteLength(body), p50Ms: quantile(times, 0.5), p99Ms: quantile(times, 0.99), maxMs: quantile(times, 1), statuses };
    };
    const oneMbPassword = { overBodyLimit: await rejected(oneMiB), underBodyLimit: await rejected(justUnder) };
    process.stdout.write(`rejected 1 MB password: ${JSON.stringify(oneMbPassword)}\n`);

    const output = {
      benchmark: 'auth',
      at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', node: process.version, platform: `${process.platform}-${process.arch}`, totalMemMiB: Math.round(os.totalmem() / 2 ** 20) },
      host: { transport: 'http loopback (127.0.0.1), host in a child process', delivery: 'sandbox outbox', hashParams, argon2: 'Argon2id via @node-rs/argon2' },
      secondsPerCase: seconds,
      notes: [
        'Limiters key by client IP; autocannon connects only from 127.0.0.1. "one address" cases measure a flood from one address (mostly 429 after 10 pictures a minute); "many addresses" cases send each request from a fresh 127.x.y.z address on a new connection, so every request does the full work.',
        `recovery.verifyCode sends exactly 5 wrong codes to each of ${preparedFlows} prepared flows of distinct unknown identifiers (a fixed request count, not a duration): every request runs the full counted check (IMMEDIATE transaction, per-account limiter, HMAC); the 5th of each flow ends it (still 400).`,
        'account.signIn uses the right password from one address: one production-cost Argon2id verification and one new session per request.',
      ],
      results,
      rejectedOneMbPassword: oneMbPassword,
    };
    const outFile = path.join(here, 'results', 'auth.json');
    fs.mkdirSync(path.dirname(outFile), { recursive: true });
    fs.writeFileSync(outFile, `${JSON.stringify(output, null, 2)}\n`);
    process.stdout.write(`wrote ${path.relative(root, outFile)}\n`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--serve') {
  const dataDir = process.argv[3];
  if (!dataDir) throw new Error('--serve needs a data dir');
  serve(dataDir).catch((error: unknown) => {
    process.stderr.write(`bench host failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
} else {
  main().catch((error: unknown) => {
    process.stderr.write(`bench:auth failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
