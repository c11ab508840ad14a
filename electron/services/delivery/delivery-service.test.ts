import BetterSqlite3, { type Database } from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LifelineError } from '../../../contract';
import type { LifelineConfig } from '../../config';
import { accountMigrations } from '../account/migrations';
import { ManualClock } from '../clock';
import { applyMigrations } from '../db/migrate';
import { createTransports, DELIVERY_FAILED_MESSAGE, DeliveryService } from './delivery-service';
import { startSmtpReceiver, startWebhookReceiver } from './test-receivers';
import { OutboxTransport, SmsWebhookTransport, SmtpTransport, type Transport } from './transports';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-delivery-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function database(dir: string): Database {
  const db = new BetterSqlite3(path.join(dir, 'd.db'));
  applyMigrations(db, 'account', accountMigrations, () => 1);
  cleanups.push(() => db.close());
  return db;
}

function service(transports: { email: Transport; sms: Transport }, options: { sharedHost?: boolean; attempts?: number } = {}) {
  const dir = tempDir();
  const db = database(dir);
  const clock = new ManualClock();
  const delivery = new DeliveryService(db, clock, transports, 'https://lifeline.example', {
    recordDelivered: true,
    backoffMs: () => 10,
    attempts: options.attempts ?? 3,
    sharedHost: options.sharedHost ?? false,
  });
  cleanups.push(() => delivery.close());
  return { delivery, db, dir };
}

const status = (db: Database, key: string) => db.prepare('SELECT status, attempts, to_masked FROM deliveries WHERE idempotency_key = ?').get(key);

describe('SMTP transport (a real SMTP exchange with an in-process server)', () => {
  it('delivers a short plain message with the code as "123 456" and a stable Message-ID', async () => {
    const smtp = await startSmtpReceiver();
    cleanups.push(() => smtp.close());
    const outbox = new OutboxTransport(tempDir());
    const { delivery, db } = service({ email: new SmtpTransport(smtp.url, 'Lifeline <no-reply@lifeline.test>'), sms: outbox });
    const sent = await delivery.send({ channel: 'email', to: 'tari@mail.com', message: { kind: 'recovery_code', code: '123456' }, language: 'en', idempotencyKey: 'k1' });
    expect(sent).toBe(true);
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0];
    expect(mail?.to).toEqual(['tari@mail.com']);
    expect(mail?.from).toContain('no-reply@lifeline.test');
    expect(mail?.subject).toBe('Lifeline recovery code: 123 456');
    expect(mail?.text).toMatch(/^Your Lifeline recovery code is 123 456\./);
    expect(mail?.idempotencyKey).toMatch(/^[0-9a-f]{32}$/);
    expect(status(db, 'k1')).toMatchObject({ status: 'sent', attempts: 1, to_masked: 'ta****@mail.com' });
    // The test hook sees messages of every transport.
    expect(delivery.deliveredTo('tari@mail.com')).toHaveLength(1);
  });

  it('retries a temporary failure with the same Message-ID, and a repeated key is never sent twice', async () => {
    const smtp = await startSmtpReceiver();
    cleanups.push(() => smtp.close());
    smtp.failNext(1);
    const { delivery, db } = service({ email: new SmtpTransport(smtp.url, 'x@lifeline.test'), sms: new OutboxTransport(tempDir()) });
    const request = { channel: 'email' as const, to: 'retry@mail.com', message: { kind: 'verify_code' as const, code: '654321' }, language: 'id' as const, idempotencyKey: 'k2' };
    expect(await delivery.send(request)).toBe(true);
    expect(smtp.attempts()).toBe(2);
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]?.text).toMatch(/Kode verifikasi Lifeline Anda adalah 654 321\./);
    expect(status(db, 'k2')).toMatchObject({ status: 'sent', attempts: 2 });
    expect(await delivery.send(request)).toBe(false);
    expect(smtp.mails).toHaveLength(1);
    expect(delivery.deliveredTo('retry@mail.com')).toHaveLength(1);
  });

  it('says "We could not send the code. Try again or use another channel." after the last attempt', async () => {
    const smtp = await startSmtpReceiver();
    cleanups.push(() => smtp.close());
    smtp.failNext(3);
    const { delivery, db } = service({ email: new SmtpTransport(smtp.url, 'x@lifeline.test'), sms: new OutboxTransport(tempDir()) });
    const error = await delivery
      .send({ channel: 'email', to: 'down@mail.com', message: { kind: 'recovery_code', code: '111222' }, language: 'en', idempotencyKey: 'k3' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LifelineError);
    expect(error).toMatchObject({ code: 'delivery_failed', message: DELIVERY_FAILED_MESSAGE });
    expect(status(db, 'k3')).toMatchObject({ status: 'failed', attempts: 3 });
    expect(delivery.deliveredTo('down@mail.com')).toHaveLength(0);
  });
});

describe('SMS webhook transport (a local HTTP receiver)', () => {
  it('POSTs {to, text} as JSON with an idempotency key', async () => {
    const hook = await startWebhookReceiver();
    cleanups.push(() => hook.close());
    const { delivery } = service({ email: new OutboxTransport(tempDir()), sms: new SmsWebhookTransport(hook.url) });
    await delivery.send({ channel: 'sms', to: '+6281234567890', message: { kind: 'recovery_code', code: '987654' }, language: 'id', idempotencyKey: 'k4' });
    expect(hook.requests).toHaveLength(1);
    expect(hook.requests[0]?.contentType).toBe('application/json');
    expect(hook.requests[0]?.body).toEqual({ to: '+6281234567890', text: expect.stringMatching(/^Kode pemulihan Lifeline Anda adalah 987 654\./) });
    expect(hook.requests[0]?.idempotencyKey).toMatch(/^[0-9a-f]{32}$/);
    expect(delivery.deliveredTo('+6281234567890')).toHaveLength(1);
  });

  it('retries an HTTP error and a timeout with the same key, then gives up with delivery_failed', async () => {
    const hook = await startWebhookReceiver();
    cleanups.push(() => hook.close());
    const { delivery } = service({ email: new OutboxTransport(tempDir()), sms: new SmsWebhookTransport(hook.url, 300) });
    hook.failNext(1, 503);
    hook.hangNext(0);
    await delivery.send({ channel: 'sms', to: '+6281234567891', message: { kind: 'verify_code', code: '123123' }, language: 'en', idempotencyKey: 'k5' });
    expect(hook.requests).toHaveLength(2);
    expect(new Set(hook.requests.map((r) => r.idempotencyKey)).size).toBe(1);

    hook.hangNext(3);
    const error = await delivery
      .send({ channel: 'sms', to: '+6281234567892', message: { kind: 'verify_code', code: '123123' }, language: 'en', idempotencyKey: 'k6' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'delivery_failed' });
  });
});

describe('the local outbox', () => {
  it('writes one JSON file per message (0600); a retried key overwrites its own file', async () => {
    const dir = tempDir();
    const outbox = new OutboxTransport(path.join(dir, 'outbox'));
    const message = { channel: 'email' as const, to: 'a@mail.com', subject: 's', text: 't', idempotencyKey: 'same', createdAt: Date.UTC(2026, 0, 1) };
    await outbox.send(message);
    await outbox.send(message);
    await outbox.send({ ...message, idempotencyKey: 'other' });
    const files = fs.readdirSync(path.join(dir, 'outbox'));
    expect(files).toHaveLength(2);
    const first = path.join(dir, 'outbox', files[0] ?? '');
    expect(JSON.parse(fs.readFileSync(first, 'utf8'))).toMatchObject({ channel: 'email', to: 'a@mail.com', subject: 's', text: 't' });
    if (process.platform !== 'win32') expect(fs.statSync(first).mode & 0o777).toBe(0o600);
  });

  it('is used when no transport is configured or LIFELINE_SANDBOX=1, and refused for codes on a shared host', async () => {
    const base: LifelineConfig = {
      dataDir: tempDir(),
      host: '127.0.0.1',
      port: 0,
      token: 't'.repeat(20),
      publicUrl: undefined,
      smtpUrl: 'smtp://127.0.0.1:2525',
      mailFrom: 'x@y.z',
      smsWebhookUrl: 'http://127.0.0.1:9/sms',
      sandbox: false,
      testHooks: false,
      phoneRegion: 'ID',
    };
    expect(createTransports(base).email.name).toBe('smtp');
    expect(createTransports(base).sms.name).toBe('webhook');
    expect(createTransports({ ...base, sandbox: true }).email.name).toBe('outbox');
    expect(createTransports({ ...base, smtpUrl: undefined, smsWebhookUrl: undefined }).sms.name).toBe('outbox');

    const outbox = new OutboxTransport(tempDir());
    const { delivery } = service({ email: outbox, sms: outbox }, { sharedHost: true });
    expect(delivery.recoveryAvailable()).toBe(false);
    await expect(
      delivery.send({ channel: 'email', to: 'x@mail.com', message: { kind: 'recovery_code', code: '123456' }, language: 'en', idempotencyKey: 'k7' }),
    ).rejects.toMatchObject({ code: 'delivery_failed' });
  });
});
