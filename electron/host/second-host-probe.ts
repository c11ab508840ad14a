// Test support (run as a child process by recovery-http.test.ts): tries to start a web host on the data dir given
// as the first argument and prints one JSON line saying what happened. Exit code 0 if it started, 3 if refused.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../app';
import { loadConfig } from '../config';
import { startHost } from './server';

async function main(): Promise<void> {
  const dataDir = process.argv[2];
  if (!dataDir) throw new Error('Give the data dir as the first argument.');
  const rendererDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-probe-renderer-'));
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html>');
  const config = loadConfig({ LIFELINE_TOKEN: 'probe-token-0123456789' }, { dataDir, port: 0, host: '127.0.0.1' });
  try {
    const app = createApp(config, { hostKind: 'web' });
    const host = await startHost(app, { rendererDir });
    process.stdout.write(`${JSON.stringify({ started: true, url: host.url })}\n`);
    await host.close(1_000);
    process.exitCode = 0;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    process.stdout.write(`${JSON.stringify({ started: false, code: typeof code === 'string' ? code : undefined, message: (error as Error).message })}\n`);
    process.exitCode = 3;
  } finally {
    fs.rmSync(rendererDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
