// Test support (not a test): a real in-process SMTP server (smtp-server + mailparser) and an SMS webhook receiver.
import { simpleParser } from 'mailparser';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  messageId: string | undefined;
  idempotencyKey: string | undefined;
}

export interface SmtpReceiver {
  url: string;
  mails: ReceivedMail[];
  /** Refuse the next n messages with a temporary error (451). */
  failNext(n: number): void;
  attempts(): number;
  close(): Promise<void>;
}

export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const mails: ReceivedMail[] = [];
  let failures = 0;
  let attempts = 0;
  const server = new SMTPServer({
    authOptional: true,
    disableReverseLookup: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      attempts++;
      simpleParser(stream)
        .then((mail) => {
          if (failures > 0) {
            failures--;
            const error = new Error('Try again later') as Error & { responseCode?: number };
            error.responseCode = 451;
            callback(error);
            return;
          }
          const to = Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : [];
          const key = mail.headers.get('x-lifeline-idempotency-key');
          mails.push({
            from: mail.from?.text ?? '',
            to: to.flatMap((a) => a.value.map((v) => v.address ?? '')),
            subject: mail.subject ?? '',
            text: (mail.text ?? '').trim(),
            messageId: mail.messageId,
            idempotencyKey: typeof key === 'string' ? key : undefined,
          });
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    failNext: (n) => {
      failures = n;
    },
    attempts: () => attempts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface WebhookRequest {
  body: { to?: unknown; text?: unknown };
  contentType: string | undefined;
  idempotencyKey: string | undefined;
}

export interface WebhookReceiver {
  url: string;
  requests: WebhookRequest[];
  /** Answer the next n requests with this status (after recording them). */
  failNext(n: number, status?: number): void;
  /** Never answer the next n requests (a timeout). */
  hangNext(n: number): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: WebhookRequest[] = [];
  let failures = 0;
  let failStatus = 500;
  let hangs = 0;
  const hanging: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (hangs > 0) {
        hangs--;
        hanging.push(res);
        return;
      }
      let body: WebhookRequest['body'] = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookRequest['body'];
      } catch {
        // recorded as an empty body; the test then fails on its content
      }
      const key = req.headers['idempotency-key'];
      requests.push({ body, contentType: req.headers['content-type'], idempotencyKey: typeof key === 'string' ? key : undefined });
      if (failures > 0) {
        failures--;
        res.writeHead(failStatus).end('no');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/sms`,
    requests,
    failNext: (n, status = 500) => {
      failures = n;
      failStatus = status;
    },
    hangNext: (n) => {
      hangs = n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
