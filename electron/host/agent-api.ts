import type http from 'node:http';
import { LifelineError, type ErrorCode } from '../../contract';
import type { DevicesService } from '../services/devices/devices-service';
import { statusForError } from './http-status';
import { SECURITY_HEADERS } from './security-headers';

/** The mount point; the web host passes every request under it to `createAgentApi`'s handler. */
export const AGENT_API_PREFIX = '/agent/v1/';
/** Agent bodies are small (a report is a few hundred bytes); anything near this is not an agent. */
export const AGENT_MAX_BODY_BYTES = 16 * 1024;

export type AgentRouteHandler = (req: http.IncomingMessage, res: http.ServerResponse, readBody?: () => Promise<unknown>) => Promise<void>;

export interface AgentApiOptions {
  maxBodyBytes?: number;
  log?: (line: string) => void;
}

/**
 * The device-agent API (docs/agent-api.md). No host token: enrollment carries a one-time code,
 * reports and results a device token, activation the owner's credentials. Plain Node http, so the
 * same handler serves the web host's mount and a bare server in tests and the benchmark.
 * Successful answers are plain JSON; errors use the /api envelope `{ ok: false, error: { code, message } }`.
 */
export function createAgentApi(devices: DevicesService, options: AgentApiOptions = {}): AgentRouteHandler {
  const maxBody = options.maxBodyBytes ?? AGENT_MAX_BODY_BYTES;
  const log = options.log ?? (() => undefined);

  return async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://agent.invalid');
      const path = url.pathname;
      const method = req.method ?? 'GET';
      const ip = normalizeIp(req.socket.remoteAddress);
      const route = matchRoute(path);
      if (!route) throw new LifelineError('not_found', `There is no ${path} in the agent API. See docs/agent-api.md.`);
      if (method !== 'POST') {
        res.setHeader('Allow', 'POST');
        throw new HttpFailure(405, 'bad_request', `Use POST for ${path}.`);
      }
      switch (route.name) {
        case 'enroll': {
          const body = await readJson(req, maxBody);
          sendJson(res, 201, devices.enroll(body, ip));
          return;
        }
        case 'reports': {
          // The token is checked before the body is read, so a dead token never costs a parse.
          const device = devices.authenticate(req.headers.authorization, ip);
          const body = await readJson(req, maxBody);
          sendJson(res, 200, devices.reportFrom(device, body));
          return;
        }
        case 'result': {
          const device = devices.authenticate(req.headers.authorization, ip);
          const body = await readJson(req, maxBody);
          sendJson(res, 200, devices.commandResultFrom(device, route.commandId, body));
          return;
        }
        case 'activate': {
          const body = await readJson(req, maxBody);
          sendJson(res, 200, await devices.activate(body, ip));
          return;
        }
      }
    } catch (error) {
      sendError(res, error, log);
    }
  };
}

type Route = { name: 'enroll' | 'reports' | 'activate' } | { name: 'result'; commandId: string };

function matchRoute(path: string): Route | undefined {
  if (path === '/agent/v1/enroll') return { name: 'enroll' };
  if (path === '/agent/v1/reports') return { name: 'reports' };
  if (path === '/agent/v1/activate') return { name: 'activate' };
  const result = /^\/agent\/v1\/commands\/([A-Za-z0-9_-]{1,64})\/result$/.exec(path);
  if (result?.[1] !== undefined) return { name: 'result', commandId: result[1] };
  return undefined;
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: http.IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? '0');
  const tooLarge = () => new HttpFailure(413, 'payload_too_large', `The request body is larger than ${maxBytes} bytes. Agent requests are small JSON objects.`);
  if (declared > maxBytes) {
    req.resume();
    throw tooLarge();
  }
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      req.resume();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  if (size === 0) throw new HttpFailure(400, 'bad_request', 'The request has no body. Send a JSON object.');
  if (!type.startsWith('application/json')) throw new HttpFailure(415, 'bad_request', 'Send the body as application/json.');
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpFailure(400, 'bad_request', 'The body is not valid JSON.');
  }
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

function sendError(res: http.ServerResponse, error: unknown, log: (line: string) => void): void {
  let status: number;
  let code: ErrorCode;
  let message: string;
  let details: Record<string, unknown> | undefined;
  if (error instanceof HttpFailure) {
    ({ status, code, message } = error);
  } else if (error instanceof LifelineError) {
    code = error.code;
    message = error.message;
    details = error.details;
    status = code === 'invalid_input' ? 400 : statusForError(code);
  } else {
    // Never the body or headers: they may hold tokens, passwords or an IMEI.
    log(`agent api: unexpected error: ${(error as Error).message}`);
    status = 500;
    code = 'internal';
    message = 'The server failed unexpectedly. Try again later.';
  }
  if (res.headersSent) {
    res.end();
    return;
  }
  const headers: Record<string, string | number> = {};
  const retryAfterMs = details?.retryAfterMs;
  if (status === 429 && typeof retryAfterMs === 'number') headers['Retry-After'] = Math.max(1, Math.ceil(retryAfterMs / 1000));
  if (status === 401) headers['WWW-Authenticate'] = 'Bearer realm="lifeline-agent"';
  const body = JSON.stringify({ ok: false, error: details ? { code, message, details } : { code, message } });
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

function normalizeIp(ip: string | undefined): string {
  if (!ip) return 'unknown';
  return ip.startsWith('::ffff:') ? ip.slice('::ffff:'.length) : ip;
}
