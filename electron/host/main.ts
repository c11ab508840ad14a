import path from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../app';
import { ConfigError, isLoopbackHost, loadConfig } from '../config';
import { createAgentApi } from './agent-api';
import { rendererExists, startHost } from './server';

/**
 * `npm run web -- [--port N] [--host H] [--data-dir D]`: the web host on its own.
 * Prints one line when ready: `Lifeline ready at http://HOST:PORT/#token=TOKEN`.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write('Usage: npm run web -- [--port N] [--host H] [--data-dir DIR]\nSee README "Configuration" for the LIFELINE_* variables.\n');
    return;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new ConfigError(`--port must be a whole number from 0 to 65535, not "${values.port}".`);
  }
  const config = loadConfig(process.env, { port, host: values.host, dataDir: values['data-dir'] });
  if (config.testHooks && !isLoopbackHost(config.host)) {
    throw new ConfigError('LIFELINE_TEST_HOOKS=1 is only allowed on a loopback host (127.0.0.1, ::1 or localhost).');
  }
  const rendererDir = path.resolve(__dirname, '..', 'renderer');
  if (!rendererExists(rendererDir)) {
    throw new ConfigError(`The app's pages are not built (${rendererDir} has no index.html). Run "npm run build" first.`);
  }

  const app = createApp(config, {
    hostKind: 'web',
    onInternalError: (method, error) => process.stderr.write(`internal error in ${method}: ${(error as Error).stack ?? String(error)}\n`),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  let host;
  try {
    const log = (line: string) => process.stderr.write(`${line}\n`);
    host = await startHost(app, { rendererDir, log, mounts: { '/agent/v1/': createAgentApi(app.services.devices, { log }) } });
    app.services.devices.setHostUrl(host.url);
  } catch (error) {
    await app.close();
    throw error;
  }
  process.stdout.write(`Lifeline ready at ${host.url}#token=${config.token}\n`);
  if (config.testHooks) process.stdout.write('Test hooks are on (LIFELINE_TEST_HOOKS=1).\n');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`Stopping (${signal}): finishing requests in flight...\n`);
    host
      .close()
      .then(() => {
        process.stdout.write('Lifeline stopped.\n');
        process.exit(0);
      })
      .catch((error: unknown) => {
        process.stderr.write(`Could not stop cleanly: ${(error as Error).message}\n`);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`Lifeline could not start: ${message}\n`);
  process.exit(1);
});
