// Recovery through real transports: an in-process SMTP server and a local SMS webhook receiver.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY } from '../services/account/limiter';
import { startSmtpReceiver, startWebhookReceiver, type SmtpReceiver, type WebhookReceiver } from '../services/delivery/test-receivers';
import { createKit, createVerifiedAccount, NEW_PASSWORD, STRONG_PASSWORD, type Kit } from './account-test-kit';

let smtp: SmtpReceiver;
let hook: WebhookReceiver;
let kit: Kit;

beforeEach(async () => {
  smtp = await startSmtpReceiver();
  hook = await startWebhookReceiver();
  kit = createKit({ config: { sandbox: false, smtpUrl: smtp.url, smsWebhookUrl: hook.url, mailFrom: 'Lifeline <no-reply@lifeline.test>' } });
});
afterEach(async () => {
  kit.close();
  await smtp.close();
  await hook.close();
});

const codeIn = (text: string | undefined) => {
  const m = text?.match(/\b(\d{3}) (\d{3})\b/);
  if (!m) throw new Error(`no code in ${text}`);
  return `${m[1]}${m[2]}`;
};

let n = 0;
const client = () => kit.client(`10.3.0.${++n}`);

describe('recovery with real delivery', () => {
  it('by email: the code is read from the mail the SMTP server received', async () => {
    await createVerifiedAccount(kit, { email: 'smtp@mail.com' });
    const c = client();
    const started = await c.ok('recovery.start', { identifier: 'smtp@mail.com' });
    expect(started.delivery).toEqual({ sandbox: false });
    const sent = await c.ok('recovery.submitPicture', { flowId: started.flowId, answer: kit.captchaAnswer() });
    expect(sent.delivery.sandbox).toBe(false);
    const mail = smtp.mails.filter((m) => m.to.includes('smtp@mail.com')).at(-1);
    expect(mail?.subject).toMatch(/^Lifeline recovery code: \d{3} \d{3}$/);
    const { grant } = await c.ok('recovery.verifyCode', { flowId: started.flowId, code: codeIn(mail?.text) });
    await c.ok('recovery.setPassword', { flowId: started.flowId, grant, password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    const notices = smtp.mails.filter((m) => m.subject === 'Your Lifeline password was changed');
    expect(notices).toHaveLength(1);
    // The test hook sees the same messages as the SMTP server.
    expect(kit.outbox('smtp@mail.com').map((m) => m.text)).toEqual(smtp.mails.filter((m) => m.to.includes('smtp@mail.com')).map((m) => m.text));
  });

  it('by SMS: the code is read from the webhook request, in Indonesian when asked', async () => {
    await createVerifiedAccount(kit, { phone: '+6281200001111' });
    const c = client();
    const started = await c.ok('recovery.start', { identifier: '0812 0000 1111', language: 'id' });
    await c.ok('recovery.submitPicture', { flowId: started.flowId, answer: kit.captchaAnswer() });
    const request = hook.requests.at(-1);
    expect(request?.body.to).toBe('+6281200001111');
    expect(String(request?.body.text)).toMatch(/^Kode pemulihan Lifeline Anda adalah \d{3} \d{3}\./);
    const { grant } = await c.ok('recovery.verifyCode', { flowId: started.flowId, code: codeIn(String(request?.body.text)) });
    await c.ok('recovery.setPassword', { flowId: started.flowId, grant, password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    await kit.client().ok('account.signIn', { account: '+6281200001111', password: NEW_PASSWORD });
  });

  it('a failed send answers delivery_failed; the person can switch channel at once and try again later', async () => {
    await createVerifiedAccount(kit, { email: 'both@mail.com', phone: '+6281200002222' });
    const c = client();
    const started = await c.ok('recovery.start', { identifier: '+6281200002222' });
    hook.failNext(3, 502);
    const failed = await c.fail('recovery.submitPicture', { flowId: started.flowId, answer: kit.captchaAnswer() });
    expect(failed).toEqual({ code: 'delivery_failed', message: 'We could not send the code. Try again or use another channel.' });
    // No cooldown for a message that never left: the email switch works right away.
    const switched = await c.ok('recovery.switchChannel', { flowId: started.flowId, channel: 'email' });
    expect(switched.sentTo.channel).toBe('email');
    const mail = smtp.mails.filter((m) => m.to.includes('both@mail.com')).at(-1);
    await c.ok('recovery.verifyCode', { flowId: started.flowId, code: codeIn(mail?.text) });
  });

  it('a retried send reaches the inbox once', async () => {
    await createVerifiedAccount(kit, { email: 'once@mail.com' });
    const before = smtp.mails.length;
    smtp.failNext(1);
    const c = client();
    const started = await c.ok('recovery.start', { identifier: 'once@mail.com' });
    await c.ok('recovery.submitPicture', { flowId: started.flowId, answer: kit.captchaAnswer() });
    expect(smtp.mails.length - before).toBe(1);
  });

  it('timing: with SMTP taking real time, the missing-account path takes as long (median difference < 10 ms)', async () => {
    await createVerifiedAccount(kit, { email: 'slow@mail.com', phone: '+6281200003333' });
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 6; i++) {
      kit.clock.advance(DAY);
      const c = client();
      const s = await c.ok('recovery.start', { identifier: i % 2 ? 'slow@mail.com' : 'none@mail.com' });
      await c.ok('recovery.submitPicture', { flowId: s.flowId, answer: kit.captchaAnswer() });
    }
    // 60 alternating requests here (each SMTP exchange takes ~0.1 s); the sandbox test in recovery-attacks runs 200.
    for (let i = 0; i < 60; i++) {
      kit.clock.advance(DAY);
      const c = client();
      const target = i % 2 === 0 ? 'slow@mail.com' : 'none@mail.com';
      const t0 = performance.now();
      const s = await c.ok('recovery.start', { identifier: target });
      await c.ok('recovery.submitPicture', { flowId: s.flowId, answer: kit.captchaAnswer() });
      (i % 2 === 0 ? known : unknown).push(performance.now() - t0);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    if (process.env.LIFELINE_PRINT_TIMING) console.log(`SMTP: median known ${median(known).toFixed(2)} ms, missing ${median(unknown).toFixed(2)} ms`);
    expect(Math.abs(median(known) - median(unknown))).toBeLessThan(10);
  }, 120_000);

  it('sign-up sends the verification code through SMTP and the webhook', async () => {
    const c = client();
    const result = await c.ok('account.signUp', { email: 'new@mail.com', phone: '+6281200004444', password: STRONG_PASSWORD, confirmPassword: STRONG_PASSWORD });
    expect(result.codesNotSent).toEqual([]);
    const mail = smtp.mails.filter((m) => m.to.includes('new@mail.com')).at(-1);
    await c.ok('account.verifyChannel', { channel: 'email', code: codeIn(mail?.text) });
    const sms = hook.requests.filter((r) => r.body.to === '+6281200004444').at(-1);
    const verified = await c.ok('account.verifyChannel', { channel: 'sms', code: codeIn(String(sms?.body.text)) });
    expect(verified).toMatchObject({ emailVerified: true, phoneVerified: true });
  });
});
