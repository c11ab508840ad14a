import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { methods, type Envelope, type ErrorBody, type ErrorCode } from '../../contract';
import type { LifelineApp } from '../app';
import type { CallContext, SessionSlot } from '../dispatcher';
import { allowedHostHeaders, allowedOrigins } from './allowed-hosts';
import { statusForError } from './http-status';
import { SECURITY_HEADERS } from './security-headers';
import { serveStatic } from './static-files';

export const MAX_BODY_BYTES = 1024 * 1024;
const HOST_COOKIE = 'lifeline_host';
const SESSION_COOKIE = 'lifeline_session';
const SSE_HEARTBEAT_MS = 15_000;

/** Extra routes another part of the app mounts under a prefix (the device-agent API under /agent/v1/). */
export type RouteHandler = (req: http.IncomingMessage, res: http.ServerResponse, body: () => Promise<unknown>) => Promise<void>;

export interface HostOptions {
  /** Folder holding the built renderer (index.html and assets). */
  rendererDir: string;
  /** Routes by path prefix that do not use the host token (they carry their own credentials). */
  mounts?: Record<string, RouteHandler>;
  log?: (line: string) => void;
}

export interface RunningHost {
  readonly url: string;
  readonly port: number;
  /** Stops accepting, ends event streams, waits for requests in flight (up to `graceMs`), then closes the app. */
  close(graceMs?: number): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The web host: the same dispatcher as the desktop window, over HTTP JSON RPC and server-sent events,
 * plus the built renderer as static files. Loopback by default; every API call needs the token.
 */
export async function startHost(app: LifelineApp, options: HostOptions): Promise<RunningHost> {
  const { config } = app;
  const log = options.log ?? (() => undefined);
  const tokenDigest = sha256(config.token);
  const inFlight = new Set<http.ServerResponse>();
  const streams = new Set<http.ServerResponse>();
  let hostHeaders = new Set<string>();
  let origins = new Set<string>();
  let closing = false;

  const server = http.createServer((req, res) => {
    if (closing) {
      res.writeHead(503, { Connection: 'close', ...SECURITY_HEADERS }).end();
      return;
    }
    inFlight.add(res);
    res.on('close', () => inFlight.delete(res));
    handle(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) {
        sendEnvelope(res, error.status, { ok: false, error: { code: error.code, message: error.message } });
        return;
      }
      log(`web host: unexpected error on ${req.method} ${safePath(req.url)}: ${(error as Error).message}`);
      sendEnvelope(res, 500, { ok: false, error: { code: 'internal', message: 'The host failed unexpectedly. Try again.' } });
    });
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = 120_000;

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const host = (req.headers.host ?? '').toLowerCase();
    if (!hostHeaders.has(host)) {
      throw new HttpError(403, 'forbidden', 'This host name is not allowed. Open Lifeline through the address it printed.');
    }
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const pathname = url.pathname;
    const method = req.method ?? 'GET';

    if (method !== 'GET' && method !== 'HEAD' && !originAllowed(req)) {
      throw new HttpError(403, 'forbidden', 'Cross-site requests are refused.');
    }

    for (const [prefix, route] of Object.entries(options.mounts ?? {})) {
      if (pathname.startsWith(prefix)) {
        await route(req, res, () => readJson(req));
        return;
      }
    }

    if (pathname === '/api/health') {
      if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'bad_request', 'Use GET for /api/health.');
      sendJson(res, 200, { status: 'ok', name: 'Lifeline' });
      return;
    }

    if (pathname === '/api' || pathname.startsWith('/api/')) {
      await handleApi(req, res, url, method);
      return;
    }

    if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'bad_request', `${method} is not allowed here.`);
    await serveStatic(req, res, options.rendererDir, pathname, SECURITY_HEADERS);
  }

  async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, url: URL, method: string): Promise<void> {
    const pathname = url.pathname;
    if (pathname === '/api/auth' && method === 'POST') {
      if (!bearerMatches(req)) throw new HttpError(401, 'unauthorized', 'The token is missing or wrong. Use the link the host printed.');
      res.writeHead(204, {
        ...SECURITY_HEADERS,
        'Cache-Control': 'no-store',
        'Set-Cookie': `${HOST_COOKIE}=${config.token}; HttpOnly; SameSite=Strict; Path=/`,
      });
      res.end();
      return;
    }

    if (!authorized(req)) {
      throw new HttpError(401, 'unauthorized', 'The token is missing or wrong. Use the link the host printed (it ends with #token=...).');
    }

    if (pathname.startsWith('/api/rpc/')) {
      if (method !== 'POST') throw new HttpError(405, 'bad_request', 'Call methods with POST and a JSON body.');
      const name = decodeSegment(pathname.slice('/api/rpc/'.length));
      const input = await readJson(req);
      const pending: string[] = [];
      const ctx = callContext(req, res, pending);
      const envelope = await app.dispatcher.dispatch(name, input, ctx);
      const status = envelope.ok ? 200 : statusForError(envelope.error.code);
      sendEnvelope(res, status, envelope, pending);
      return;
    }

    if (pathname === '/api/methods' && method === 'GET') {
      sendJson(res, 200, { methods: describeMethods() });
      return;
    }

    if (pathname === '/api/events' && method === 'GET') {
      openEventStream(req, res);
      return;
    }

    if (pathname.startsWith('/api/test/')) {
      await handleTestHook(req, res, url, method);
      return;
    }

    throw new HttpError(404, 'not_found', `There is no ${method} ${pathname}.`);
  }

  async function handleTestHook(req: http.IncomingMessage, res: http.ServerResponse, url: URL, method: string): Promise<void> {
    const hooks = app.testHooks;
    if (!hooks) throw new HttpError(404, 'not_found', 'Test hooks are off. Start the host with LIFELINE_TEST_HOOKS=1 on a loopback address.');
    if (url.pathname === '/api/test/captcha' && method === 'GET') {
      const answer = hooks.latestCaptchaAnswer();
      if (answer === undefined) throw new HttpError(404, 'not_found', 'No picture code has been issued yet.');
      sendJson(res, 200, { answer });
      return;
    }
    if (url.pathname === '/api/test/outbox' && method === 'GET') {
      const to = url.searchParams.get('to');
      if (!to) throw new HttpError(400, 'bad_request', 'Give the address as ?to=<email or +phone>.');
      sendJson(res, 200, { messages: hooks.outbox(to) });
      return;
    }
    if (url.pathname === '/api/test/clock' && method === 'POST') {
      const body = z.object({ advanceMs: z.number().int().min(0).max(10 * 365 * 24 * 3600 * 1000) }).strict().safeParse(await readJson(req));
      if (!body.success) throw new HttpError(400, 'invalid_input', 'Send { "advanceMs": n } with a whole number of milliseconds >= 0.');
      hooks.advanceClock(body.data.advanceMs);
      sendJson(res, 200, { now: app.clock.now() });
      return;
    }
    throw new HttpError(404, 'not_found', `There is no test hook ${method} ${url.pathname}.`);
  }

  function openEventStream(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 2000\n: connected\n\n');
    streams.add(res);
    inFlight.delete(res); // a stream is not a request to wait for on shutdown
    const unsubscribe = app.events.subscribe((event) => {
      res.write(`id: ${event.seq}\ndata: ${JSON.stringify({ name: event.name, payload: event.payload })}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(': ping\n\n'), SSE_HEARTBEAT_MS);
    heartbeat.unref();
    const stop = () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    };
    req.on('close', stop);
    res.on('close', stop);
  }

  function callContext(req: http.IncomingMessage, res: http.ServerResponse, pendingCookies: string[]): CallContext {
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableEnded) abort.abort();
    });
    let sessionToken = readCookie(req, SESSION_COOKIE);
    const session: SessionSlot = {
      get: () => sessionToken,
      set: (token) => {
        sessionToken = token;
        pendingCookies.push(
          token
            ? `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`
            : `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`,
        );
      },
    };
    return {
      transport: 'http',
      ip: normalizeIp(req.socket.remoteAddress),
      userAgent: String(req.headers['user-agent'] ?? '').slice(0, 300),
      session,
      signal: abort.signal,
    };
  }

  function originAllowed(req: http.IncomingMessage): boolean {
    const fetchSite = req.headers['sec-fetch-site'];
    if (fetchSite === 'cross-site') return false;
    const origin = req.headers.origin;
    // Scripts and API clients send no Origin; browsers always do on POST. "null" (sandboxed frames, file:) is foreign.
    if (origin === undefined) return true;
    return origins.has(origin.toLowerCase());
  }

  function bearerMatches(req: http.IncomingMessage): boolean {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer ([A-Za-z0-9_-]{1,256})$/.exec(header);
    return match?.[1] !== undefined && timingSafeEqualDigest(sha256(match[1]), tokenDigest);
  }

  function authorized(req: http.IncomingMessage): boolean {
    if (bearerMatches(req)) return true;
    const cookie = readCookie(req, HOST_COOKIE);
    return cookie !== undefined && timingSafeEqualDigest(sha256(cookie), tokenDigest);
  }

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(listenError(error, config.host, config.port));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(config.port, config.host);
  });

  const port = (server.address() as AddressInfo).port;
  hostHeaders = allowedHostHeaders(config.host, port, config.publicUrl);
  origins = allowedOrigins(hostHeaders, config.publicUrl);
  const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${shownHost}:${port}/`;

  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    close(graceMs = 10_000) {
      closed ??= (async () => {
        closing = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const stream of streams) stream.end();
        server.closeIdleConnections();
        const deadline = Date.now() + graceMs;
        while (inFlight.size > 0 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        server.closeAllConnections();
        await stopped;
        await app.close();
      })();
      return closed;
    },
  };
}

function describeMethods() {
  return Object.entries(methods).map(([name, spec]) => ({
    name,
    summary: spec.summary,
    access: spec.access,
    input: safeJsonSchema(spec.input),
    output: safeJsonSchema(spec.output),
  }));
}

function safeJsonSchema(schema: z.ZodType): unknown {
  try {
    return z.toJSONSchema(schema, { unrepresentable: 'any' });
  } catch {
    return {};
  }
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > MAX_BODY_BYTES) {
    req.resume();
    throw new HttpError(413, 'payload_too_large', `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
  }
  const type = String(req.headers['content-type'] ?? '');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      req.resume();
      throw new HttpError(413, 'payload_too_large', `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
    }
    chunks.push(chunk);
  }
  if (size === 0) return {};
  if (type && !type.toLowerCase().startsWith('application/json')) {
    throw new HttpError(415, 'bad_request', 'Send the body as application/json.');
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'bad_request', 'The body is not valid JSON.');
  }
}

function sendEnvelope(res: http.ServerResponse, status: number, envelope: Envelope<unknown> | { ok: false; error: ErrorBody }, cookies: string[] = []): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = JSON.stringify(envelope);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(body),
    ...(cookies.length > 0 ? { 'Set-Cookie': cookies } : {}),
  });
  res.end(body);
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

function readCookie(req: http.IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function sha256(value: string): Buffer {
  return crypto.createHash('sha256').update(value).digest();
}

function timingSafeEqualDigest(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

function normalizeIp(ip: string | undefined): string {
  if (!ip) return 'unknown';
  return ip.startsWith('::ffff:') ? ip.slice('::ffff:'.length) : ip;
}

function safePath(url: string | undefined): string {
  return (url ?? '/').split('?')[0]?.slice(0, 200) ?? '/';
}

function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  if (error.code === 'EADDRINUSE') {
    return new Error(`Port ${port} on ${host} is already taken. Stop what is using it, or set LIFELINE_PORT=0 (or --port 0) to pick a free port.`);
  }
  if (error.code === 'EACCES') {
    return new Error(`Not allowed to listen on ${host}:${port}. Choose a port above 1023 with LIFELINE_PORT or --port.`);
  }
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
    return new Error(`${host} is not an address of this machine. Set LIFELINE_HOST to 127.0.0.1 or one of this machine's addresses.`);
  }
  return new Error(`Could not listen on ${host}:${port}: ${error.message}`);
}

export function rendererExists(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'index.html'));
}
