import { _electron, test as base, expect, type ConsoleMessage, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const READY = /^Lifeline ready at (http:\/\/\S+)\/#token=(\S+)$/m;

export interface OutboxMessage {
  channel: 'email' | 'sms';
  to: string;
  subject?: string;
  text: string;
  at: number;
}

/** What a spec gets: the app's page, whichever host runs it, and the test hooks where the host has them. */
export interface Lifeline {
  readonly page: Page;
  readonly host: 'web' | 'electron';
  readonly dataDir: string;
  /** Web host only: the base URL (no token) and the token. */
  readonly baseUrl: string | undefined;
  readonly token: string | undefined;
  /** Console errors and uncaught page errors seen so far. */
  readonly consoleErrors: string[];
  /** Calls a method through the same transport the page uses. */
  call<T = unknown>(method: string, input?: unknown): Promise<{ ok: true; value: T } | { ok: false; error: { code: string; message: string } }>;
  /** Test hooks (LIFELINE_TEST_HOOKS=1); undefined under Electron. */
  readonly hooks: TestHooksClient | undefined;
}

export interface TestHooksClient {
  captchaAnswer(): Promise<string>;
  outbox(to: string): Promise<OutboxMessage[]>;
  advanceClock(ms: number): Promise<void>;
}

export interface HostHandle {
  readonly baseUrl: string;
  readonly token: string;
  readonly dataDir: string;
  readonly output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `dist/host/main.cjs` on port 0 with a fresh data dir and token, and waits for its ready line. */
export async function startWebHost(env: Record<string, string> = {}, dataDir?: string): Promise<HostHandle> {
  const dir = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-e2e-'));
  const token = crypto.randomBytes(18).toString('base64url');
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'dist/host/main.cjs'), '--port', '0', '--data-dir', dir], {
    env: { ...process.env, LIFELINE_TOKEN: token, LIFELINE_TEST_HOOKS: '1', LIFELINE_HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The web host printed no ready line within 30 s:\n${output}`)), 30_000);
    const check = () => {
      const match = READY.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        child.stdout?.off('data', check);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`The web host exited (${code}) before it was ready:\n${output}`));
    });
  });
  return {
    baseUrl,
    token,
    dataDir: dir,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

function hooksOver(baseUrl: string, token: string): TestHooksClient {
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  return {
    async captchaAnswer() {
      const res = await fetch(`${baseUrl}/api/test/captcha`, { headers });
      if (!res.ok) throw new Error(`No picture code answer (${res.status}).`);
      return ((await res.json()) as { answer: string }).answer;
    },
    async outbox(to) {
      const res = await fetch(`${baseUrl}/api/test/outbox?to=${encodeURIComponent(to)}`, { headers });
      if (!res.ok) throw new Error(`Outbox hook failed (${res.status}).`);
      return ((await res.json()) as { messages: OutboxMessage[] }).messages;
    },
    async advanceClock(ms) {
      const res = await fetch(`${baseUrl}/api/test/clock`, { method: 'POST', headers, body: JSON.stringify({ advanceMs: ms }) });
      if (!res.ok) throw new Error(`Clock hook failed (${res.status}).`);
    },
  };
}

function watchConsole(page: Page, errors: string[]): void {
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
}

export interface Options {
  lifelineHost: 'web' | 'electron';
  hostEnv: Record<string, string>;
}

export const test = base.extend<Options & { lifeline: Lifeline }>({
  lifelineHost: ['web', { option: true }],
  hostEnv: [{}, { option: true }],
  lifeline: async ({ lifelineHost, hostEnv, browser }, use) => {
    const consoleErrors: string[] = [];
    if (lifelineHost === 'electron') {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-e2e-electron-'));
      const electronApp = await _electron.launch({
        args: [path.join(ROOT, 'dist/electron/main.cjs')],
        env: { ...process.env, ...hostEnv, LIFELINE_DATA_DIR: dataDir } as Record<string, string>,
      });
      const page = await electronApp.firstWindow();
      watchConsole(page, consoleErrors);
      await page.waitForLoadState('domcontentloaded');
      await use({
        page,
        host: 'electron',
        dataDir,
        baseUrl: undefined,
        token: undefined,
        consoleErrors,
        hooks: undefined,
        call: (method, input = {}) =>
          page.evaluate(([m, i]) => (globalThis as unknown as { lifeline: { call: (m: string, i: unknown) => Promise<never> } }).lifeline.call(m as string, i), [method, input] as const),
      });
      await electronApp.close();
      return;
    }

    const host = await startWebHost(hostEnv);
    const context = await browser.newContext();
    const page = await context.newPage();
    watchConsole(page, consoleErrors);
    await page.goto(`${host.baseUrl}/#token=${host.token}`);
    await use({
      page,
      host: 'web',
      dataDir: host.dataDir,
      baseUrl: host.baseUrl,
      token: host.token,
      consoleErrors,
      hooks: hooksOver(host.baseUrl, host.token),
      async call(method, input = {}) {
        const res = await fetch(`${host.baseUrl}/api/rpc/${method}`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(input),
        });
        return (await res.json()) as never;
      },
    });
    await context.close();
    const code = await host.stop();
    expect(code, `the web host should stop cleanly:\n${host.output()}`).toBe(0);
  },
});

export { expect };
