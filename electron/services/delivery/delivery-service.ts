import type { Database } from 'better-sqlite3';
import path from 'node:path';
import { LifelineError } from '../../../contract';
import { isLoopbackHost, type LifelineConfig } from '../../config';
import { maskAddress } from '../account/normalize';
import type { Clock } from '../clock';
import { renderMessage, type Language, type MessageSpec } from './templates';
import { OutboxTransport, SmsWebhookTransport, SmtpTransport, type DeliveryChannel, type Transport } from './transports';

export const DELIVERY_FAILED_MESSAGE = 'We could not send the code. Try again or use another channel.';

export interface DeliveredMessage {
  channel: DeliveryChannel;
  to: string;
  subject?: string;
  text: string;
  at: number;
}

export interface DeliveryOptions {
  /** Attempts per message, the first included. */
  attempts?: number;
  /** Wait before retry n (1-based); real time, not the service clock. */
  backoffMs?: (retry: number) => number;
  /** Keep delivered messages in memory for the `outbox(to)` test hook; only with LIFELINE_TEST_HOOKS=1. */
  recordDelivered?: boolean;
  /** A shared (non-loopback) host must not hand codes to a local folder nobody reads. */
  sharedHost?: boolean;
}

export interface SendRequest {
  readonly channel: DeliveryChannel;
  readonly to: string;
  readonly message: MessageSpec;
  readonly language: Language;
  /** One message, one key: a repeated send with the same key is never delivered twice. */
  readonly idempotencyKey: string;
}

const STALE_SENDING_MS = 2 * 60_000;
const MAX_RECORDED = 2_000;

/**
 * Sends short messages through the configured transport for each channel, retrying failures with the same
 * idempotency key. Every message is claimed in the `deliveries` table first, so the same key is never sent twice,
 * even across retries by the caller or a second process. Message bodies are not stored: they carry codes.
 */
export class DeliveryService {
  private readonly delivered: DeliveredMessage[] = [];
  private readonly attempts: number;
  private readonly backoffMs: (retry: number) => number;
  /** Recent successful send durations per channel (ms), for equal-timing answers when nothing is sent. */
  private readonly typicalMs: Record<DeliveryChannel, number> = { email: 0, sms: 0 };

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly transports: Record<DeliveryChannel, Transport>,
    private readonly publicUrl: string | undefined,
    private readonly options: DeliveryOptions = {},
  ) {
    this.attempts = Math.max(1, options.attempts ?? 3);
    this.backoffMs = options.backoffMs ?? ((retry) => 250 * 4 ** (retry - 1));
  }

  get sandbox(): boolean {
    return this.transports.email.name === 'outbox' || this.transports.sms.name === 'outbox';
  }

  outboxDir(): string | undefined {
    for (const t of [this.transports.email, this.transports.sms]) if (t instanceof OutboxTransport) return t.dir;
    return undefined;
  }

  info(): { sandbox: boolean; outboxDir?: string } {
    const dir = this.outboxDir();
    return dir ? { sandbox: true, outboxDir: dir } : { sandbox: false };
  }

  /** Whether codes may go out on this channel: not to the local outbox on a shared host. */
  canDeliver(channel: DeliveryChannel): boolean {
    return !(this.options.sharedHost && this.transports[channel].name === 'outbox');
  }

  /** Whether recovery can work at all here (a shared host needs at least one real transport). */
  recoveryAvailable(): boolean {
    return this.canDeliver('email') || this.canDeliver('sms');
  }

  /** How long a real send usually takes on this channel, so "nothing to send" can take as long. */
  typicalSendMs(channel: DeliveryChannel): number {
    return this.typicalMs[channel];
  }

  /**
   * Delivers one message or throws `delivery_failed` after the last attempt. Returns false when the key was
   * already delivered (or is being delivered by someone else), true when this call delivered it.
   */
  async send(request: SendRequest): Promise<boolean> {
    if (!this.canDeliver(request.channel)) throw new LifelineError('delivery_failed', DELIVERY_FAILED_MESSAGE);
    const transport = this.transports[request.channel];
    const createdAt = this.claim(request, transport.name);
    if (createdAt === undefined) return false;
    const rendered = renderMessage(request.message, request.language, this.publicUrl);
    const outgoing = { channel: request.channel, to: request.to, subject: rendered.subject, text: rendered.text, idempotencyKey: request.idempotencyKey, createdAt };
    let lastError = '';
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      const started = performance.now();
      try {
        await transport.send(outgoing);
        this.finish(request.idempotencyKey, 'sent', attempt, undefined);
        const took = performance.now() - started;
        const previous = this.typicalMs[request.channel];
        this.typicalMs[request.channel] = previous === 0 ? took : previous * 0.8 + took * 0.2;
        if (this.options.recordDelivered) {
          this.delivered.push({ channel: request.channel, to: request.to, subject: request.channel === 'email' ? rendered.subject : undefined, text: rendered.text, at: this.clock.now() });
          if (this.delivered.length > MAX_RECORDED) this.delivered.splice(0, this.delivered.length - MAX_RECORDED);
        }
        return true;
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
        this.db.prepare('UPDATE deliveries SET attempts = ?, last_error = ?, updated_at = ? WHERE idempotency_key = ?').run(attempt, lastError.slice(0, 500), this.clock.now(), request.idempotencyKey);
        if (attempt < this.attempts) await sleep(this.backoffMs(attempt));
      }
    }
    this.finish(request.idempotencyKey, 'failed', this.attempts, lastError);
    throw new LifelineError('delivery_failed', DELIVERY_FAILED_MESSAGE);
  }

  /** Messages delivered to `to` (any transport), oldest first; empty unless recording is on. */
  deliveredTo(to: string): DeliveredMessage[] {
    const wanted = to.trim();
    const wantedLower = wanted.toLowerCase();
    return this.delivered.filter((m) => m.to === wanted || (m.channel === 'email' && m.to.toLowerCase() === wantedLower)).map((m) => ({ ...m }));
  }

  close(): void {
    for (const t of new Set([this.transports.email, this.transports.sms])) t.close?.();
  }

  /** Takes the key for this call; undefined when it was sent already or another sender holds it right now. */
  private claim(request: SendRequest, transport: string): number | undefined {
    const now = this.clock.now();
    return this.db.transaction((): number | undefined => {
      const row = this.db.prepare('SELECT status, created_at, updated_at FROM deliveries WHERE idempotency_key = ?').get(request.idempotencyKey) as
        | { status: 'sending' | 'sent' | 'failed'; created_at: number; updated_at: number }
        | undefined;
      if (!row) {
        this.db
          .prepare(
            'INSERT INTO deliveries (idempotency_key, channel, to_masked, kind, transport, status, attempts, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)',
          )
          .run(request.idempotencyKey, request.channel, maskAddress(request.channel, request.to), request.message.kind, transport, 'sending', now, now);
        return now;
      }
      if (row.status === 'sent') return undefined;
      if (row.status === 'sending' && now - row.updated_at < STALE_SENDING_MS) return undefined;
      this.db.prepare("UPDATE deliveries SET status = 'sending', updated_at = ? WHERE idempotency_key = ?").run(now, request.idempotencyKey);
      return row.created_at;
    }).immediate();
  }

  private finish(key: string, status: 'sent' | 'failed', attempts: number, error: string | undefined): void {
    this.db
      .prepare('UPDATE deliveries SET status = ?, attempts = ?, last_error = ?, updated_at = ? WHERE idempotency_key = ?')
      .run(status, attempts, error?.slice(0, 500) ?? null, this.clock.now(), key);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The transports the config asks for: SMTP and the SMS webhook when set, the local outbox otherwise or in sandbox mode. */
export function createTransports(config: LifelineConfig): Record<DeliveryChannel, Transport> {
  const outbox = new OutboxTransport(path.join(config.dataDir, 'outbox'));
  const email = !config.sandbox && config.smtpUrl ? new SmtpTransport(config.smtpUrl, config.mailFrom) : outbox;
  const sms = !config.sandbox && config.smsWebhookUrl ? new SmsWebhookTransport(config.smsWebhookUrl) : outbox;
  return { email, sms };
}

export function createDeliveryService(
  config: LifelineConfig,
  db: Database,
  clock: Clock,
  options: Omit<DeliveryOptions, 'sharedHost' | 'recordDelivered'> & { transports?: Record<DeliveryChannel, Transport> } = {},
): DeliveryService {
  const { transports, ...rest } = options;
  return new DeliveryService(db, clock, transports ?? createTransports(config), config.publicUrl, {
    ...rest,
    recordDelivered: config.testHooks,
    sharedHost: !isLoopbackHost(config.host),
  });
}
