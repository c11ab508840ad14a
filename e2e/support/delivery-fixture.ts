// A fixture for specs that need real delivery: it starts an in-process SMTP server and an SMS webhook receiver
// first (their ports must be known before the host starts), then the web host pointed at them, then the page.
import type { ConsoleMessage, Page } from '@playwright/test';
import { expect, startWebHost, test as base } from '../fixtures';
import { startMailReceiver, startSmsReceiver, type Receiver } from './delivery-receivers';

export interface DeliveredLifeline {
  page: Page;
  baseUrl: string;
  token: string;
  mail: Receiver;
  sms: Receiver;
  consoleErrors: string[];
  hooks: { captchaAnswer(): Promise<string>; advanceClock(ms: number): Promise<void> };
}

export const test = base.extend<{ delivered: DeliveredLifeline }>({
  delivered: async ({ browser }, use) => {
    const mail = await startMailReceiver();
    const sms = await startSmsReceiver();
    const host = await startWebHost({ LIFELINE_SMTP_URL: mail.url, LIFELINE_MAIL_FROM: 'Lifeline <lifeline@example.test>', LIFELINE_SMS_WEBHOOK_URL: sms.url });
    const headers = { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' };
    const context = await browser.newContext();
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (message: ConsoleMessage) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    await page.goto(`${host.baseUrl}/#token=${host.token}`);
    try {
      await use({
        page,
        baseUrl: host.baseUrl,
        token: host.token,
        mail,
        sms,
        consoleErrors,
        hooks: {
          async captchaAnswer() {
            const res = await fetch(`${host.baseUrl}/api/test/captcha`, { headers });
            if (!res.ok) throw new Error(`No picture code answer (${res.status}).`);
            return ((await res.json()) as { answer: string }).answer;
          },
          async advanceClock(ms) {
            const res = await fetch(`${host.baseUrl}/api/test/clock`, { method: 'POST', headers, body: JSON.stringify({ advanceMs: ms }) });
            if (!res.ok) throw new Error(`Clock hook failed (${res.status}).`);
          },
        },
      });
    } finally {
      await context.close();
      const code = await host.stop();
      await Promise.all([mail.close(), sms.close()]);
      expect(code, `the web host should stop cleanly:\n${host.output()}`).toBe(0);
    }
  },
});

export { expect };

/** Chromium logs every 4xx answer as "Failed to load resource"; flows that provoke one on purpose drop those lines. */
export function unexpectedErrors(errors: readonly string[]): string[] {
  return errors.filter((line) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(line));
}
