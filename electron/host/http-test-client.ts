// Test support for the HTTP attack tests (not a test itself): a real web host on port 0 over a temp data dir,
// optionally with real delivery (the in-process SMTP server and SMS webhook receiver), and HTTP clients that
// keep their own session cookie and can speak from any 127.x.y.z address (the limiters key by client IP).
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { z } from 'zod';
import type { Envelope, ErrorBody } from '../../contract';
import type { accountMethods } from '../../contract/account';
import { createApp, type LifelineApp } from '../app';
import { loadConfig } from '../config';
import type { HashParams } from '../services/account/password-hasher';
import { startSmtpReceiver, startWebhookReceiver, type SmtpReceiver, type WebhookReceiver } from '../services/delivery/test-receivers';
import { startHost, type RunningHost } from './server';

type AccountMethods = typeof accountMethods;
export type AccountMethod = keyof AccountMethods;
export type Input<M extends AccountMethod> = z.input<AccountMethods[M]['input']>;
export type Output<M extends AccountMethod> = z.output<AccountMethods[M]['output']>;

/** Cheap Argon2 for the many hashes of the HTTP tests; the production cost is exercised where it matters. */
export const CHEAP_HASH_PARAMS: HashParams = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
export const TEST_TOKEN = 'http-attack-token-0123456789';
export const SESSION_COOKIE = 'lifeline_session';

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
}

export interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  localAddress?: string;
}

/** One request exactly as written (Host and all), from `localAddress` when given; resolves with the whole answer. */
export function rawRequest(port: number, options: RawRequest): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path,
        agent: false,
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
        headers: { Host: `127.0.0.1:${port}`, ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

export interface RpcAnswer<T> {
  status: number;
  headers: http.IncomingHttpHeaders;
  envelope: Envelope<T>;
  ms: number;
}

let addressCounter = 0;
/** A loopback address no other client of this process has used (127.200.0.1 .. 127.255.255.254). */
export function freshLoopbackAddress(): string {
  const n = ++addressCounter;
  return `127.${200 + Math.floor(n / 65_000)}.${Math.floor((n % 65_000) / 250)}.${(n % 250) + 1}`;
}

/** A browser-like client of the web host: bearer token, its own session cookie, its own source address. */
export class HttpClient {
  cookie: string | undefined;
  /** Every Set-Cookie the host sent this client, oldest first. */
  readonly setCookies: string[] = [];

  constructor(
    readonly port: number,
    readonly localAddress: string = freshLoopbackAddress(),
    private readonly extraHeaders: Record<string, string> = {},
  ) {}

  async call<M extends AccountMethod>(method: M, input: Input<M>, headers: Record<string, string> = {}): Promise<RpcAnswer<Output<M>>> {
    const answer = await rawRequest(this.port, {
      method: 'POST',
      path: `/api/rpc/${method}`,
      localAddress: this.localAddress,
      headers: {
        Authorization: `Bearer ${TEST_TOKEN}`,
        'Content-Type': 'application/json',
        'User-Agent': 'lifeline-http-attacks',
        ...(this.cookie !== undefined ? { Cookie: `${SESSION_COOKIE}=${this.cookie}` } : {}),
        ...this.extraHeaders,
        ...headers,
      },
      body: JSON.stringify(input),
    });
    this.absorbCookies(answer.headers['set-cookie']);
    let envelope: Envelope<Output<M>>;
    try {
      envelope = JSON.parse(answer.body) as Envelope<Output<M>>;
    } catch {
      throw new Error(`${method}: HTTP ${answer.status} with a body that is not JSON: ${answer.body.slice(0, 200)}`);
    }
    return { status: answer.status, headers: answer.headers, envelope, ms: answer.ms };
  }

  async ok<M extends AccountMethod>(method: M, input: Input<M>): Promise<Output<M>> {
    const answer = await this.call(method, input);
    if (!answer.envelope.ok) throw new Error(`${method} failed with HTTP ${answer.status}: ${answer.envelope.error.code}: ${answer.envelope.error.message}`);
    if (answer.status !== 200) throw new Error(`${method} succeeded with HTTP ${answer.status}`);
    return answer.envelope.value;
  }

  async fail<M extends AccountMethod>(method: M, input: Input<M>): Promise<ErrorBody & { status: number }> {
    const answer = await this.call(method, input);
    if (answer.envelope.ok) throw new Error(`${method} succeeded but was expected to fail`);
    return { ...answer.envelope.error, status: answer.status };
  }

  private absorbCookies(header: string[] | undefined): void {
    for (const line of header ?? []) {
      this.setCookies.push(line);
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 0 || pair.slice(0, eq).trim() !== SESSION_COOKIE) continue;
      const value = pair.slice(eq + 1).trim();
      const cleared = value === '' || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      this.cookie = cleared ? undefined : value;
    }
  }
}

export interface DeliveredMessage {
  channel: 'email' | 'sms';
  to: string;
  subject?: string;
  text: string;
  at: number;
}

export interface TestHost {
  readonly app: LifelineApp;
  readonly host: RunningHost;
  readonly port: number;
  readonly dataDir: string;
  readonly smtp: SmtpReceiver | undefined;
  readonly sms: WebhookReceiver | undefined;
  client(localAddress?: string, headers?: Record<string, string>): HttpClient;
  /** GET /api/test/captcha: the answer of the newest picture code. */
  captcha(): Promise<string>;
  /** GET /api/test/outbox?to=: what the host delivered to an address, by any transport. */
  outbox(to: string): Promise<DeliveredMessage[]>;
  /** POST /api/test/clock. */
  advanceClock(ms: number): Promise<void>;
  /** Mails the SMTP receiver got for an address (parsed by mailparser). */
  mailsTo(address: string): { subject: string; text: string }[];
  /** SMS bodies the webhook receiver got for a number. */
  smsTo(phone: string): string[];
  close(): Promise<void>;
}

export interface TestHostOptions {
  /** Real SMTP and SMS webhook delivery through the in-process receivers (default true). */
  realDelivery?: boolean;
  publicUrl?: string;
  hashParams?: HashParams;
  dataDir?: string;
}

export async function startTestHost(options: TestHostOptions = {}): Promise<TestHost> {
  const realDelivery = options.realDelivery ?? true;
  const smtp = realDelivery ? await startSmtpReceiver() : undefined;
  const sms = realDelivery ? await startWebhookReceiver() : undefined;
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-http-attacks-'));
  const rendererDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-http-renderer-'));
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Lifeline</title>');
  const env: NodeJS.ProcessEnv = {
    LIFELINE_TOKEN: TEST_TOKEN,
    LIFELINE_TEST_HOOKS: '1',
    LIFELINE_MAIL_FROM: 'Lifeline <no-reply@lifeline.test>',
    ...(smtp ? { LIFELINE_SMTP_URL: smtp.url } : {}),
    ...(sms ? { LIFELINE_SMS_WEBHOOK_URL: sms.url } : {}),
    ...(options.publicUrl ? { LIFELINE_PUBLIC_URL: options.publicUrl } : {}),
  };
  const config = loadConfig(env, { dataDir, port: 0, host: '127.0.0.1' });
  let app: LifelineApp;
  try {
    app = createApp(config, {
      hostKind: 'web',
      account: { hashParams: options.hashParams ?? CHEAP_HASH_PARAMS, deliveryBackoffMs: () => 5 },
      onInternalError: (method, error) => process.stderr.write(`internal error in ${method}: ${String((error as Error)?.stack ?? error)}\n`),
    });
  } catch (error) {
    await smtp?.close();
    await sms?.close();
    throw error;
  }
  const host = await startHost(app, { rendererDir });
  const port = host.port;
  const hook = async (method: string, hookPath: string, body?: unknown): Promise<unknown> => {
    const answer = await rawRequest(port, {
      method,
      path: hookPath,
      headers: { Authorization: `Bearer ${TEST_TOKEN}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (answer.status !== 200) throw new Error(`${method} ${hookPath}: HTTP ${answer.status}: ${answer.body.slice(0, 200)}`);
    return JSON.parse(answer.body) as unknown;
  };

  return {
    app,
    host,
    port,
    dataDir,
    smtp,
    sms,
    client: (localAddress, headers) => new HttpClient(port, localAddress, headers),
    async captcha() {
      return ((await hook('GET', '/api/test/captcha')) as { answer: string }).answer;
    },
    async outbox(to) {
      return ((await hook('GET', `/api/test/outbox?to=${encodeURIComponent(to)}`)) as { messages: DeliveredMessage[] }).messages;
    },
    async advanceClock(ms) {
      await hook('POST', '/api/test/clock', { advanceMs: ms });
    },
    mailsTo: (address) =>
      (smtp?.mails ?? []).filter((m) => m.to.some((t) => t.toLowerCase() === address.toLowerCase())).map((m) => ({ subject: m.subject, text: m.text })),
    smsTo: (phone) => (sms?.requests ?? []).filter((r) => r.body.to === phone).map((r) => String(r.body.text ?? '')),
    async close() {
      await host.close(2_000);
      await smtp?.close();
      await sms?.close();
      fs.rmSync(rendererDir, { recursive: true, force: true });
      if (!options.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The 6 digits of the code in a message ("123 456" -> "123456"). */
export function codeIn(text: string | undefined): string {
  const match = text?.match(/\b(\d{3}) (\d{3})\b/);
  if (!match) throw new Error(`No code in the message: ${String(text).slice(0, 120)}`);
  return `${match[1]}${match[2]}`;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const lo = sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN;
  const hi = sorted[Math.ceil((sorted.length - 1) / 2)] ?? NaN;
  return (lo + hi) / 2;
}
