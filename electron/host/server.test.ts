import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app';
import { loadConfig } from '../config';
import { MAX_BODY_BYTES, startHost, type RunningHost } from './server';
import { resolveInside } from './static-files';

const TOKEN = 'test-token-0123456789abcdef';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A raw request, so paths and headers go out exactly as written (fetch would normalize them). */
function request(port: number, options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: { Host: `127.0.0.1:${port}`, ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

const auth = { Authorization: `Bearer ${TOKEN}` };
const json = { ...auth, 'Content-Type': 'application/json' };

describe('web host', () => {
  let host: RunningHost;
  let port: number;
  let dataDir: string;
  let rendererDir: string;

  beforeAll(async () => {
    dataDir = tempDir('lifeline-host-');
    rendererDir = tempDir('lifeline-renderer-');
    fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Lifeline</title>');
    fs.mkdirSync(path.join(rendererDir, 'assets'));
    fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
    fs.writeFileSync(path.join(rendererDir, '.secret'), 'hidden');
    fs.writeFileSync(path.join(path.dirname(rendererDir), `outside-${path.basename(rendererDir)}.txt`), 'outside');
    const config = loadConfig({ LIFELINE_TOKEN: TOKEN, LIFELINE_TEST_HOOKS: '1' }, { dataDir, port: 0, host: '127.0.0.1' });
    host = await startHost(createApp(config, { hostKind: 'web' }), { rendererDir });
    port = host.port;
  });

  afterAll(async () => {
    await host.close();
  });

  it('answers health without a token and tells nothing private', async () => {
    const res = await request(port, { path: '/api/health' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: 'ok', name: 'Lifeline' });
    expect(res.body).not.toContain(dataDir);
  });

  it('refuses API calls without a token or with a wrong one (401 with the envelope)', async () => {
    const none = await request(port, { method: 'POST', path: '/api/rpc/system.info', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    const wrong = await request(port, { method: 'POST', path: '/api/rpc/system.info', headers: { Authorization: 'Bearer nope-nope-nope-nope', 'Content-Type': 'application/json' }, body: '{}' });
    expect(wrong.status).toBe(401);
    const methods = await request(port, { path: '/api/methods' });
    expect(methods.status).toBe(401);
    const events = await request(port, { path: '/api/events' });
    expect(events.status).toBe(401);
  });

  it('calls a method through the dispatcher with the token', async () => {
    const res = await request(port, { method: 'POST', path: '/api/rpc/system.ping', headers: json, body: JSON.stringify({ text: 'hi' }) });
    expect(res.status).toBe(200);
    const envelope = JSON.parse(res.body) as { ok: boolean; value: { text: string; at: number } };
    expect(envelope.ok).toBe(true);
    expect(envelope.value.text).toBe('hi');
  });

  it('exchanges the token for an HttpOnly cookie that then authorizes calls', async () => {
    const res = await request(port, { method: 'POST', path: '/api/auth', headers: auth });
    expect(res.status).toBe(204);
    const cookie = String(res.headers['set-cookie']?.[0] ?? '');
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const call = await request(port, {
      method: 'POST',
      path: '/api/rpc/system.info',
      headers: { Cookie: cookie.split(';')[0] ?? '', 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(call.status).toBe(200);
    expect(JSON.parse(call.body)).toMatchObject({ ok: true, value: { name: 'Lifeline', host: 'web' } });
  });

  it('refuses a foreign Host header (DNS rebinding) with 403', async () => {
    const res = await request(port, { path: '/api/health', headers: { Host: `evil.example:${port}` } });
    expect(res.status).toBe(403);
    const page = await request(port, { path: '/', headers: { Host: 'evil.example' } });
    expect(page.status).toBe(403);
  });

  it('accepts localhost and 127.0.0.1 as Host names', async () => {
    expect((await request(port, { path: '/api/health', headers: { Host: `localhost:${port}` } })).status).toBe(200);
    expect((await request(port, { path: '/api/health', headers: { Host: `127.0.0.1:${port}` } })).status).toBe(200);
  });

  it('refuses a cross-origin POST with 403 even with the token', async () => {
    const res = await request(port, {
      method: 'POST',
      path: '/api/rpc/system.ping',
      headers: { ...json, Origin: 'https://evil.example' },
      body: JSON.stringify({ text: 'x' }),
    });
    expect(res.status).toBe(403);
    const nullOrigin = await request(port, { method: 'POST', path: '/api/rpc/system.ping', headers: { ...json, Origin: 'null' }, body: '{"text":"x"}' });
    expect(nullOrigin.status).toBe(403);
    const site = await request(port, { method: 'POST', path: '/api/rpc/system.ping', headers: { ...json, 'Sec-Fetch-Site': 'cross-site' }, body: '{"text":"x"}' });
    expect(site.status).toBe(403);
    const same = await request(port, { method: 'POST', path: '/api/rpc/system.ping', headers: { ...json, Origin: `http://127.0.0.1:${port}` }, body: '{"text":"x"}' });
    expect(same.status).toBe(200);
  });

  it('sets the security headers on pages and API answers', async () => {
    for (const res of [await request(port, { path: '/' }), await request(port, { path: '/api/health' })]) {
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('serves the renderer and its assets', async () => {
    const index = await request(port, { path: '/' });
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toContain('text/html');
    expect(index.body).toContain('<title>Lifeline</title>');
    const asset = await request(port, { path: '/assets/app.js' });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toContain('javascript');
  });

  it('answers 404 for paths that try to leave the renderer folder, and for dotfiles', async () => {
    const outside = `outside-${path.basename(rendererDir)}.txt`;
    for (const p of [`/../${outside}`, `/%2e%2e/${outside}`, `/assets/../../${outside}`, '/..%2f..%2fetc%2fpasswd', '/..\\..\\etc\\passwd', '/%00', '/.secret', '/assets/%2e%2e%2f%2e%2e%2f' + outside]) {
      const res = await request(port, { path: p });
      expect(res.status, p).toBe(404);
      expect(res.body).not.toContain('outside');
    }
  });

  it('refuses an oversize body with 413, before reading it whole', async () => {
    const big = Buffer.alloc(MAX_BODY_BYTES + 10, 'a');
    const res = await request(port, { method: 'POST', path: '/api/rpc/system.ping', headers: json, body: big });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: { code: 'payload_too_large' } });
  });

  it('refuses a 10 MB JSON body with 413', async () => {
    const body = JSON.stringify({ text: 'x'.repeat(10 * 1024 * 1024) });
    const res = await request(port, { method: 'POST', path: '/api/rpc/system.ping', headers: json, body });
    expect(res.status).toBe(413);
  });

  it('answers malformed JSON with 400 and the envelope', async () => {
    const res = await request(port, { method: 'POST', path: '/api/rpc/system.ping', headers: json, body: '{"text": ' });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });

  it('answers an unknown method with 404 and the envelope, including prototype names', async () => {
    for (const name of ['nope.nothing', '__proto__', 'constructor', 'system.__proto__', 'toString', 'hasOwnProperty', '%5F%5Fproto%5F%5F']) {
      const res = await request(port, { method: 'POST', path: `/api/rpc/${name}`, headers: json, body: '{}' });
      expect(res.status, name).toBe(404);
      expect(JSON.parse(res.body), name).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    }
  });

  it('refuses extra or wrong-typed input fields with 400 invalid_input', async () => {
    const extra = await request(port, { method: 'POST', path: '/api/rpc/system.ping', headers: json, body: JSON.stringify({ text: 'a', admin: true }) });
    expect(extra.status).toBe(400);
    expect(JSON.parse(extra.body)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const wrong = await request(port, { method: 'POST', path: '/api/rpc/system.ping', headers: json, body: JSON.stringify({ text: 42 }) });
    expect(wrong.status).toBe(400);
    const proto = await request(port, { method: 'POST', path: '/api/rpc/settings.update', headers: json, body: '{"__proto__": {"theme": "dark"}}' });
    expect(proto.status).toBe(400);
  });

  it('publishes the method list with schemas', async () => {
    const res = await request(port, { path: '/api/methods', headers: auth });
    expect(res.status).toBe(200);
    const list = (JSON.parse(res.body) as { methods: { name: string; summary: string; input: unknown }[] }).methods;
    const ping = list.find((m) => m.name === 'system.ping');
    expect(ping?.summary).toBeTruthy();
    expect(ping?.input).toMatchObject({ type: 'object' });
  });

  it('streams events over SSE', async () => {
    const received = new Promise<string>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/api/events', headers: { Host: `127.0.0.1:${port}`, ...auth } }, (res) => {
        expect(res.headers['content-type']).toContain('text/event-stream');
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
          if (text.includes('settings.changed')) {
            req.destroy();
            resolve(text);
          }
          if (text.includes(': connected')) {
            void request(port, { method: 'POST', path: '/api/rpc/settings.update', headers: json, body: JSON.stringify({ theme: 'dark' }) });
          }
        });
      });
      req.on('error', (error) => {
        if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(error);
      });
    });
    const text = await received;
    const line = text.split('\n').find((l) => l.startsWith('data: '));
    expect(JSON.parse(line?.slice(6) ?? '{}')).toMatchObject({ name: 'settings.changed', payload: { theme: 'dark' } });
  });

  it('moves the service clock through the test hook', async () => {
    const before = await request(port, { method: 'POST', path: '/api/rpc/system.ping', headers: json, body: '{"text":"t"}' });
    const clock = await request(port, { method: 'POST', path: '/api/test/clock', headers: json, body: JSON.stringify({ advanceMs: 3_600_000 }) });
    expect(clock.status).toBe(200);
    const after = await request(port, { method: 'POST', path: '/api/rpc/system.ping', headers: json, body: '{"text":"t"}' });
    const at = (r: Answer) => (JSON.parse(r.body) as { value: { at: number } }).value.at;
    expect(at(after) - at(before)).toBeGreaterThanOrEqual(3_600_000);
    const back = await request(port, { method: 'POST', path: '/api/test/clock', headers: json, body: JSON.stringify({ advanceMs: -5 }) });
    expect(back.status).toBe(400);
  });

  it('refuses a second host on the same data dir with a clear "already in use" error', () => {
    const config = loadConfig({ LIFELINE_TOKEN: TOKEN }, { dataDir, port: 0 });
    expect(() => createApp(config, { hostKind: 'web' })).toThrow(/already in use/);
  });
});

describe('web host start-up errors', () => {
  it('says the port is taken, and port 0 picks another', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    const rendererDir = tempDir('lifeline-renderer-');
    fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html>');
    try {
      const app = createApp(loadConfig({ LIFELINE_TOKEN: TOKEN }, { dataDir: tempDir('lifeline-port-'), port: taken }), { hostKind: 'web' });
      await expect(startHost(app, { rendererDir })).rejects.toThrow(/already taken.*LIFELINE_PORT=0/);
      await app.close();
      const other = createApp(loadConfig({ LIFELINE_TOKEN: TOKEN }, { dataDir: tempDir('lifeline-port-'), port: 0 }), { hostKind: 'web' });
      const host = await startHost(other, { rendererDir });
      expect(host.port).not.toBe(taken);
      await host.close();
    } finally {
      blocker.close();
    }
  });

  it('says clearly when the data dir cannot be written', () => {
    const parent = tempDir('lifeline-ro-');
    fs.chmodSync(parent, 0o500);
    const config = loadConfig({ LIFELINE_TOKEN: TOKEN }, { dataDir: path.join(parent, 'data') });
    try {
      if (process.getuid?.() === 0) {
        // root ignores directory permissions, so use a path under a regular file instead
        const file = path.join(parent, 'file');
        fs.chmodSync(parent, 0o700);
        fs.writeFileSync(file, '');
        expect(() => createApp(loadConfig({ LIFELINE_TOKEN: TOKEN }, { dataDir: path.join(file, 'data') }), { hostKind: 'web' })).toThrow(/cannot be written/);
      } else {
        expect(() => createApp(config, { hostKind: 'web' })).toThrow(/cannot be written/);
      }
    } finally {
      fs.chmodSync(parent, 0o700);
    }
  });
});

describe('resolveInside', () => {
  it('keeps every path inside the root', () => {
    const root = path.resolve('/srv/app');
    expect(resolveInside(root, '/index.html')).toBe(path.join(root, 'index.html'));
    expect(resolveInside(root, '/../../etc/passwd')).toBe(path.join(root, 'etc/passwd'));
    expect(resolveInside(root, '/%2e%2e/x')).toBe(path.join(root, 'x'));
    expect(resolveInside(root, '/a\\..\\..\\x')).toBeUndefined();
    expect(resolveInside(root, '/%00')).toBeUndefined();
    expect(resolveInside(root, '/%E0%A4%A')).toBeUndefined();
    expect(resolveInside(root, '/.env')).toBeUndefined();
  });
});
