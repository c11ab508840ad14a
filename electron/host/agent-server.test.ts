import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type LifelineApp } from '../app';
import { loadConfig } from '../config';
import { startAgentServer, type AgentServer } from './agent-server';

let app: LifelineApp | undefined;
let server: AgentServer | undefined;
afterEach(async () => {
  await server?.close();
  await app?.close();
  server = undefined;
  app = undefined;
});

describe('the desktop agent listener', () => {
  it('serves the agent API and nothing else, and gives enrollment links its address', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-agent-server-'));
    app = createApp(loadConfig({ LIFELINE_DATA_DIR: dataDir }), { hostKind: 'desktop' });
    server = await startAgentServer(app.services.devices, { host: '127.0.0.1', port: 0 });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);

    const enroll = await fetch(new URL('agent/v1/enroll', server.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code: 'ZZZZZZZZ', name: 'Pixel', model: 'Pixel 8', platform: 'android', osVersion: '15' }),
    });
    expect(enroll.status).toBe(400);
    expect(await enroll.json()).toMatchObject({ ok: false, error: { code: 'invalid_code' } });

    for (const route of ['/api/health', '/api/methods', '/', '/index.html']) {
      const res = await fetch(new URL(route, server.url));
      expect(res.status, route).toBe(404);
    }
  });
});
