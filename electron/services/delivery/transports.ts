import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';

export type DeliveryChannel = 'email' | 'sms';

export interface OutgoingMessage {
  readonly channel: DeliveryChannel;
  /** Email address or E.164 phone number. */
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** The same key on every retry of one message; receivers may use it to drop duplicates. */
  readonly idempotencyKey: string;
  /** When the first attempt was made; the same on every retry. */
  readonly createdAt: number;
}

export interface Transport {
  readonly name: 'smtp' | 'webhook' | 'outbox';
  send(message: OutgoingMessage): Promise<void>;
  close?(): void;
}

function keyDigest(key: string): string {
  return crypto.createHash('sha256').update(key).digest('hex').slice(0, 32);
}

/** Email through SMTP (LIFELINE_SMTP_URL, e.g. smtp://user:pass@mail.example:587). */
export class SmtpTransport implements Transport {
  readonly name = 'smtp';
  private readonly mailer: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
    timeoutMs = 15_000,
  ) {
    const url = new URL(smtpUrl);
    this.mailer = nodemailer.createTransport({
      host: url.hostname,
      port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
      secure: url.protocol === 'smtps:',
      auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      // A plain local relay (smtp://127.0.0.1:2525) has no certificate; STARTTLS is still used when offered.
      tls: { rejectUnauthorized: !['127.0.0.1', 'localhost', '::1', '[::1]'].includes(url.hostname) },
    });
  }

  async send(message: OutgoingMessage): Promise<void> {
    // A stable Message-ID per idempotency key lets mail systems drop a duplicate of a retried send.
    await this.mailer.sendMail({
      from: this.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      messageId: `<${keyDigest(message.idempotencyKey)}@lifeline.local>`,
      headers: { 'X-Lifeline-Idempotency-Key': keyDigest(message.idempotencyKey) },
    });
  }

  close(): void {
    this.mailer.close();
  }
}

/** SMS through an HTTP webhook: POST {"to": "+E164", "text": "..."} (LIFELINE_SMS_WEBHOOK_URL). */
export class SmsWebhookTransport implements Transport {
  readonly name = 'webhook';

  constructor(
    private readonly url: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async send(message: OutgoingMessage): Promise<void> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': keyDigest(message.idempotencyKey) },
      body: JSON.stringify({ to: message.to, text: message.text }),
      signal: AbortSignal.timeout(this.timeoutMs),
      redirect: 'error',
    });
    // Drain the body so the connection can be reused; its content does not matter.
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) throw new Error(`The SMS webhook answered HTTP ${response.status}.`);
  }
}

/**
 * The sandbox: one JSON file per message in `<data dir>/outbox/`. The file name comes from the idempotency key,
 * so a retried message overwrites itself instead of appearing twice.
 */
export class OutboxTransport implements Transport {
  readonly name = 'outbox';

  constructor(readonly dir: string) {}

  async send(message: OutgoingMessage): Promise<void> {
    await fs.promises.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const at = message.createdAt;
    const name = `${new Date(at).toISOString().replace(/[:.]/g, '-')}-${message.channel}-${keyDigest(message.idempotencyKey)}.json`;
    const file = path.join(this.dir, name);
    const tmp = `${file}.${process.pid}.tmp`;
    const body = { channel: message.channel, to: message.to, subject: message.subject, text: message.text, at };
    await fs.promises.writeFile(tmp, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
    await fs.promises.rename(tmp, file);
  }
}
