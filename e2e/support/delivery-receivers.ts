// In-process receivers for real delivery in e2e: an SMTP server (smtp-server + mailparser) that keeps every mail,
// and an HTTP server that takes the SMS webhook's POST {"to","text"}. Both listen on 127.0.0.1, port 0.
import { simpleParser } from 'mailparser';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMessage {
  to: string;
  subject: string;
  text: string;
}

export interface Receiver {
  /** What the host is given: LIFELINE_SMTP_URL or LIFELINE_SMS_WEBHOOK_URL. */
  readonly url: string;
  readonly messages: ReceivedMessage[];
  /** Waits for a message to this address that the predicate accepts (and that was not returned before). */
  next(to: string, match?: (message: ReceivedMessage) => boolean, timeoutMs?: number): Promise<ReceivedMessage>;
  close(): Promise<void>;
}

function inbox(): Pick<Receiver, 'messages' | 'next'> & { add(message: ReceivedMessage): void } {
  const messages: ReceivedMessage[] = [];
  const taken = new Set<ReceivedMessage>();
  const waiters = new Set<() => void>();
  return {
    messages,
    add(message) {
      messages.push(message);
      for (const wake of [...waiters]) wake();
    },
    next(to, match = () => true, timeoutMs = 20_000) {
      const want = to.toLowerCase();
      const find = () => messages.find((m) => !taken.has(m) && m.to.toLowerCase() === want && match(m));
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = find();
          if (!found) return false;
          taken.add(found);
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const seen = messages.map((m) => `${m.to}: ${m.subject || m.text.slice(0, 60)}`).join('\n  ');
          reject(new Error(`No message to ${to} within ${timeoutMs} ms. Received:\n  ${seen || '(nothing)'}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
  };
}

export async function startMailReceiver(): Promise<Receiver> {
  const box = inbox();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          const recipients = session.envelope.rcptTo.map((r) => r.address);
          for (const to of recipients) box.add({ to, subject: mail.subject ?? '', text: (mail.text ?? '').trim() });
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages: box.messages,
    next: box.next,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function startSmsReceiver(): Promise<Receiver> {
  const box = inbox();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { to?: unknown; text?: unknown };
        if (typeof body.to !== 'string' || typeof body.text !== 'string') throw new Error('not an SMS');
        box.add({ to: body.to, subject: '', text: body.text });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      } catch {
        res.writeHead(400).end('expected {"to","text"}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sms`,
    messages: box.messages,
    next: box.next,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The 6-digit code in a message, which writes it like "123 456". */
export function codeIn(text: string): string {
  const match = /\b(\d{3}) ?(\d{3})\b/.exec(text);
  if (!match) throw new Error(`No code in: ${text}`);
  return `${match[1]}${match[2]}`;
}
