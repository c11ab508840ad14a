// Every attack in RECOVERY.md "Attacks the test suite tries" (plus issue 3's hostile cases) over real HTTP:
// a real web host on port 0 over a temp data dir, real SMTP (smtp-server + mailparser) and the SMS webhook
// receiver, session cookies sent back as a browser would, and the test hooks for picture answers and the clock.
// Clients speak from different 127.x.y.z source addresses because the limiters key by client IP.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app';
import { loadConfig } from '../config';
import { PRODUCTION_HASH_PARAMS } from '../services/account/password-hasher';
import { codeIn, median, rawRequest, startTestHost, TEST_TOKEN, type HttpClient, type Output, type TestHost } from './http-test-client';
import { MAX_BODY_BYTES } from './server';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const PASSWORD = 'violet tractor harbour 42';
const NEW_PASSWORD = 'quiet walnut estuary 77';
const PUBLIC_URL = 'https://lifeline.example';
const here = path.dirname(fileURLToPath(import.meta.url));

let th: TestHost;
beforeAll(async () => {
  th = await startTestHost({ publicUrl: PUBLIC_URL });
}, 60_000);
afterAll(async () => {
  await th?.close();
});

let unique = 0;
/** A fresh address per test, so the per-account and per-address limits of one test never touch another. */
const email = (name: string) => `${name}.${++unique}@mail.com`;
const phone = () => `+62812${String(30_000_000 + ++unique).padStart(8, '0')}`;

const recoveryMails = (address: string) => th.mailsTo(address).filter((m) => /recovery code/i.test(m.subject));
const recoverySms = (number: string) => th.smsTo(number).filter((t) => /recovery code|Kode pemulihan/.test(t));
const latestMailCode = (address: string) => codeIn(th.mailsTo(address).at(-1)?.text);
const latestSmsCode = (number: string) => codeIn(th.smsTo(number).at(-1));
const otherCode = (code: string) => (code === '000000' ? '111111' : '000000');

/** Signs up from a fresh address and verifies each channel with the code that really arrived by SMTP or webhook. */
async function signUpVerified(channels: { email?: string; phone?: string }, options: { verify?: ('email' | 'sms')[] } = {}) {
  const c = th.client();
  const created = await c.ok('account.signUp', { ...channels, password: PASSWORD, confirmPassword: PASSWORD });
  expect(c.cookie).toBeDefined();
  const verify = options.verify ?? [...(channels.email ? ['email' as const] : []), ...(channels.phone ? ['sms' as const] : [])];
  if (channels.email && verify.includes('email')) await c.ok('account.verifyChannel', { channel: 'email', code: latestMailCode(channels.email) });
  if (channels.phone && verify.includes('sms')) await c.ok('account.verifyChannel', { channel: 'sms', code: latestSmsCode(channels.phone) });
  return { accountId: created.account.accountId, client: c };
}

async function startAndSend(c: HttpClient, identifier: string): Promise<Output<'recovery.submitPicture'>> {
  const started = await c.ok('recovery.start', { identifier });
  return c.ok('recovery.submitPicture', { flowId: started.flowId, answer: await th.captcha() });
}

function strip(value: object, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([k]) => !keys.includes(k)));
}

/** Headers that must match between two answers (the date and the body length legitimately differ). */
function headerShape(headers: Record<string, unknown>): Record<string, unknown> {
  return strip(headers, ['date', 'content-length']);
}

describe('enumeration', () => {
  it('by body, status and headers: an existing and a missing account get the same answers at every step', async () => {
    const known = email('real');
    const missing = email('ghost');
    await signUpVerified({ email: known });
    const a = th.client();
    const b = th.client();
    const startA = await a.call('recovery.start', { identifier: known });
    const answerA = await th.captcha();
    const startB = await b.call('recovery.start', { identifier: missing });
    const answerB = await th.captcha();
    expect(startA.status).toBe(200);
    expect(startB.status).toBe(startA.status);
    expect(headerShape(startB.headers)).toEqual(headerShape(startA.headers));
    if (!startA.envelope.ok || !startB.envelope.ok) throw new Error('recovery.start failed');
    const va = startA.envelope.value;
    const vb = startB.envelope.value;
    expect(strip(va, ['flowId', 'picture', 'expiresAt'])).toEqual(strip(vb, ['flowId', 'picture', 'expiresAt']));
    expect(Object.keys(va.picture)).toEqual(Object.keys(vb.picture));
    expect(va.flowId.length).toBe(vb.flowId.length);

    const sentA = await a.call('recovery.submitPicture', { flowId: va.flowId, answer: answerA });
    const sentB = await b.call('recovery.submitPicture', { flowId: vb.flowId, answer: answerB });
    expect([sentA.status, sentB.status]).toEqual([200, 200]);
    expect(headerShape(sentB.headers)).toEqual(headerShape(sentA.headers));
    if (!sentA.envelope.ok || !sentB.envelope.ok) throw new Error('recovery.submitPicture failed');
    const times = ['flowId', 'sentTo', 'channels', 'codeExpiresAt', 'resendAvailableAt', 'expiresAt'];
    expect(Object.keys(sentA.envelope.value).sort()).toEqual(Object.keys(sentB.envelope.value).sort());
    expect(strip(sentA.envelope.value, times)).toEqual(strip(sentB.envelope.value, times));
    expect(sentA.envelope.value.sentTo.masked).toMatch(/^re\*\*\*\*@mail\.com$/);
    expect(sentB.envelope.value.sentTo.masked).toMatch(/^gh\*\*\*\*@mail\.com$/);

    const wrongA = await a.call('recovery.verifyCode', { flowId: va.flowId, code: '123456' });
    const wrongB = await b.call('recovery.verifyCode', { flowId: vb.flowId, code: '123456' });
    expect(wrongA.status).toBe(400);
    expect(wrongB.status).toBe(wrongA.status);
    expect(wrongB.envelope).toEqual(wrongA.envelope);
    expect(headerShape(wrongB.headers)).toEqual(headerShape(wrongA.headers));

    const soonA = await a.call('recovery.resendCode', { flowId: va.flowId });
    const soonB = await b.call('recovery.resendCode', { flowId: vb.flowId });
    expect(soonA.status).toBe(429);
    expect(soonB.status).toBe(429);
    if (soonA.envelope.ok || soonB.envelope.ok) throw new Error('resend was not refused');
    expect(soonB.envelope.error.message).toBe(soonA.envelope.error.message);
    expect(headerShape(soonB.headers)).toEqual(headerShape(soonA.headers));

    // Only the real account's inbox got anything, and nothing reached the missing address.
    expect(recoveryMails(known)).toHaveLength(1);
    expect(th.mailsTo(missing)).toHaveLength(0);

    // Sign-in: an unknown account and a wrong password answer alike.
    const s1 = await th.client().call('account.signIn', { account: known, password: 'not the password 1' });
    const s2 = await th.client().call('account.signIn', { account: missing, password: 'not the password 1' });
    expect(s1.status).toBe(401);
    expect(s2.status).toBe(401);
    expect(s2.envelope).toEqual(s1.envelope);
    expect(headerShape(s2.headers)).toEqual(headerShape(s1.headers));
  });

  it('by timing: 200 alternating recoveries (known vs missing), the medians differ by less than 10 ms', async () => {
    const known = email('timing');
    await signUpVerified({ email: known });
    const missing = email('nope');
    const once = async (identifier: string) => {
      await th.advanceClock(DAY); // every limit is out of the way: each request is a first send
      const c = th.client();
      const t0 = performance.now();
      const started = await c.ok('recovery.start', { identifier });
      const t1 = performance.now();
      const answer = await th.captcha();
      const t2 = performance.now();
      const sent = await c.ok('recovery.submitPicture', { flowId: started.flowId, answer });
      const took = t1 - t0 + (performance.now() - t2);
      expect(sent.state).toBe('code_sent');
      return took;
    };
    // Warm up both paths (the missing path waits as long as the recent real sends took).
    for (let i = 0; i < 6; i++) await once(i % 2 === 0 ? known : missing);
    const knownMs: number[] = [];
    const missingMs: number[] = [];
    for (let i = 0; i < 200; i++) {
      if (i % 2 === 0) knownMs.push(await once(known));
      else missingMs.push(await once(missing));
    }
    const diff = Math.abs(median(knownMs) - median(missingMs));
    if (process.env.LIFELINE_PRINT_TIMING) console.log(`recovery over HTTP: median known ${median(knownMs).toFixed(2)} ms, missing ${median(missingMs).toFixed(2)} ms`);
    expect(diff).toBeLessThan(10);
    expect(th.mailsTo(missing)).toHaveLength(0);
  }, 120_000);

  it('by rate limit: an existing and a missing account run into the same limits with the same answers', async () => {
    const known = email('limit');
    await signUpVerified({ email: known });
    const missing = email('nolimit');
    await th.advanceClock(DAY);
    // Sends per account an hour: 5, then 429, for both.
    const sends = async (identifier: string) => {
      const out: string[] = [];
      for (let i = 0; i < 7; i++) {
        const c = th.client();
        const started = await c.ok('recovery.start', { identifier });
        const r = await c.call('recovery.submitPicture', { flowId: started.flowId, answer: await th.captcha() });
        out.push(r.envelope.ok ? `${r.status}` : `${r.status} ${r.envelope.error.code}: ${r.envelope.error.message}`);
      }
      return out;
    };
    const a = await sends(known);
    const b = await sends(missing);
    expect(a).toEqual(b);
    expect(a.filter((s) => s === '200')).toHaveLength(5);
    expect(a[5]).toMatch(/^429 rate_limited/);
    // Pictures per address a minute: 10, then 429, whatever the identifier.
    const pictures = async (identifier: string) => {
      const c = th.client();
      const out: number[] = [];
      for (let i = 0; i < 11; i++) out.push((await c.call('recovery.start', { identifier })).status);
      return out;
    };
    const pa = await pictures(known);
    const pb = await pictures(missing);
    expect(pa).toEqual(pb);
    expect(pa).toEqual([...Array<number>(10).fill(200), 429]);
  });
});

describe('brute force', () => {
  it('in one flow: 5 wrong codes end the flow; then even the right code gets "start again"', async () => {
    const address = email('bf');
    await signUpVerified({ email: address });
    const c = th.client();
    const sent = await startAndSend(c, address);
    const code = latestMailCode(address);
    for (let i = 0; i < 4; i++) {
      const wrong = await c.fail('recovery.verifyCode', { flowId: sent.flowId, code: otherCode(code) });
      expect([wrong.status, wrong.code]).toEqual([400, 'invalid_code']);
    }
    const fifth = await c.fail('recovery.verifyCode', { flowId: sent.flowId, code: otherCode(code) });
    expect(fifth).toMatchObject({ status: 400, code: 'invalid_code', details: { flowEnded: true } });
    const right = await c.fail('recovery.verifyCode', { flowId: sent.flowId, code });
    expect([right.status, right.code]).toEqual([410, 'expired']);
    expect(right.message).toMatch(/Start again/i);
  });

  it('across 50 flows from 50 addresses: at most 10 wrong codes per account a day, then the right code is refused too', async () => {
    const address = email('many');
    await signUpVerified({ email: address });
    let judged = 0;
    let limited = 0;
    let sendRefused = 0;
    let lastFlow: string | undefined;
    let lastCode: string | undefined;
    for (let i = 0; i < 50; i++) {
      await th.advanceClock(13 * MINUTE);
      const c = th.client();
      const started = await c.ok('recovery.start', { identifier: address });
      const sent = await c.call('recovery.submitPicture', { flowId: started.flowId, answer: await th.captcha() });
      if (!sent.envelope.ok) {
        expect([sent.status, sent.envelope.error.code]).toEqual([429, 'rate_limited']);
        sendRefused++;
        continue;
      }
      const code = latestMailCode(address);
      lastFlow = started.flowId;
      lastCode = code;
      for (let k = 0; k < 5; k++) {
        const r = await c.call('recovery.verifyCode', { flowId: started.flowId, code: otherCode(code) });
        if (r.envelope.ok) throw new Error('a wrong code was accepted');
        if (r.envelope.error.code === 'invalid_code') judged++;
        else if (r.envelope.error.code === 'rate_limited') {
          expect(r.status).toBe(429);
          limited++;
        }
        if (r.envelope.error.details?.flowEnded) break;
      }
    }
    expect(judged).toBe(10);
    expect(limited).toBeGreaterThan(0);
    expect(sendRefused).toBeGreaterThan(0); // 10 sends a day per account
    expect(th.mailsTo(address).filter((m) => /recovery code/i.test(m.subject)).length).toBeLessThanOrEqual(10);
    // The flow whose code we know is still open, but the account's daily budget of wrong codes is gone.
    if (lastFlow && lastCode) {
      const r = await th.client().call('recovery.verifyCode', { flowId: lastFlow, code: lastCode });
      expect(r.envelope.ok).toBe(false);
    }
  }, 90_000);

  it('20 parallel submissions of the right code: exactly one wins', async () => {
    const address = email('race');
    await signUpVerified({ email: address });
    const c = th.client();
    const sent = await startAndSend(c, address);
    const code = latestMailCode(address);
    const results = await Promise.all(Array.from({ length: 20 }, () => th.client().call('recovery.verifyCode', { flowId: sent.flowId, code })));
    const winners = results.filter((r) => r.envelope.ok);
    expect(winners).toHaveLength(1);
    expect(winners[0]?.status).toBe(200);
    const losers = results.filter((r) => !r.envelope.ok);
    expect(losers.map((r) => `${r.status} ${r.envelope.ok ? '' : r.envelope.error.code}`)).toEqual(Array<string>(19).fill('400 invalid_code'));
  });
});

describe('replays, expiry, mix-ups and skipped steps', () => {
  it('replay after success: the code, the grant and the flow are spent', async () => {
    const address = email('replay');
    await signUpVerified({ email: address });
    const c = th.client();
    const sent = await startAndSend(c, address);
    const code = latestMailCode(address);
    const { grant } = await c.ok('recovery.verifyCode', { flowId: sent.flowId, code });
    expect((await c.fail('recovery.verifyCode', { flowId: sent.flowId, code })).code).toBe('invalid_code');
    await c.ok('recovery.setPassword', { flowId: sent.flowId, grant, password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    const again = await c.fail('recovery.setPassword', { flowId: sent.flowId, grant, password: 'another fine passphrase', confirmPassword: 'another fine passphrase' });
    expect([again.status, again.code]).toEqual([410, 'expired']);
    expect((await c.fail('recovery.verifyCode', { flowId: sent.flowId, code })).status).toBe(410);
    await th.client().ok('account.signIn', { account: address, password: NEW_PASSWORD });
    expect((await th.client().fail('account.signIn', { account: address, password: 'another fine passphrase' })).status).toBe(401);
  });

  it('expired codes, grants and flows (moved with the clock hook), and superseded codes', async () => {
    const address = email('exp');
    await signUpVerified({ email: address });
    const c = th.client();
    const sent = await startAndSend(c, address);
    const code = latestMailCode(address);
    await th.advanceClock(10 * MINUTE + 1000);
    expect((await c.fail('recovery.verifyCode', { flowId: sent.flowId, code })).code).toBe('invalid_code');
    await th.advanceClock(5 * MINUTE);
    const gone = await c.fail('recovery.verifyCode', { flowId: sent.flowId, code });
    expect([gone.status, gone.code]).toEqual([410, 'expired']);
    expect((await c.fail('recovery.status', { flowId: sent.flowId })).status).toBe(410);

    const d = th.client();
    const sent2 = await startAndSend(d, address);
    const { grant } = await d.ok('recovery.verifyCode', { flowId: sent2.flowId, code: latestMailCode(address) });
    await th.advanceClock(10 * MINUTE + 1000);
    const late = await d.fail('recovery.setPassword', { flowId: sent2.flowId, grant, password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    expect([late.status, late.code]).toEqual([410, 'expired']);

    // Superseded: a resend makes the earlier code worthless.
    await th.advanceClock(HOUR);
    const e = th.client();
    const sent3 = await startAndSend(e, address);
    const first = latestMailCode(address);
    await th.advanceClock(61_000);
    await e.ok('recovery.resendCode', { flowId: sent3.flowId });
    const second = latestMailCode(address);
    expect(recoveryMails(address).length).toBeGreaterThanOrEqual(2);
    if (first !== second) expect((await e.fail('recovery.verifyCode', { flowId: sent3.flowId, code: first })).code).toBe('invalid_code');
    await e.ok('recovery.verifyCode', { flowId: sent3.flowId, code: second });
  });

  it('cross-flow and cross-account codes do not work', async () => {
    const x1 = email('x1');
    const x2 = email('x2');
    await signUpVerified({ email: x1 });
    await signUpVerified({ email: x2 });
    const a = th.client();
    const flowA = await startAndSend(a, x1);
    const codeA = latestMailCode(x1);
    const flowA2 = await startAndSend(a, x1);
    const codeA2 = latestMailCode(x1);
    const flowB = await startAndSend(th.client(), x2);
    const codeB = latestMailCode(x2);
    if (codeA !== codeA2) expect((await a.fail('recovery.verifyCode', { flowId: flowA2.flowId, code: codeA })).code).toBe('invalid_code');
    if (codeA !== codeB) expect((await a.fail('recovery.verifyCode', { flowId: flowB.flowId, code: codeA })).code).toBe('invalid_code');
    // A grant of one flow does not set the password through another.
    const { grant } = await a.ok('recovery.verifyCode', { flowId: flowA.flowId, code: codeA });
    if (codeB !== otherCode(codeB)) {
      const b = th.client();
      const { grant: grantB } = await b.ok('recovery.verifyCode', { flowId: flowB.flowId, code: codeB });
      const crossed = await b.fail('recovery.setPassword', { flowId: flowB.flowId, grant, password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
      expect([crossed.status, crossed.code]).toEqual([403, 'forbidden']);
      await b.ok('recovery.setPassword', { flowId: flowB.flowId, grant: grantB, password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    }
    // x1's password is untouched by x2's recovery.
    await th.client().ok('account.signIn', { account: x1, password: PASSWORD });
  });

  it('skipping states is refused with 409; a forged grant with 403; an unknown flow with 410', async () => {
    const address = email('skip');
    await signUpVerified({ email: address });
    const c = th.client();
    const started = await c.ok('recovery.start', { identifier: address });
    const grantLike = 'x'.repeat(43);
    for (const [method, input] of [
      ['recovery.verifyCode', { flowId: started.flowId, code: '123456' }],
      ['recovery.resendCode', { flowId: started.flowId }],
      ['recovery.switchChannel', { flowId: started.flowId, channel: 'email' }],
      ['recovery.setPassword', { flowId: started.flowId, grant: grantLike, password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD }],
    ] as const) {
      const r = await c.call(method, input as never);
      expect(r.status, method).toBe(409);
      expect(!r.envelope.ok && r.envelope.error.code, method).toBe('invalid_state');
    }
    const sent = await c.ok('recovery.submitPicture', { flowId: started.flowId, answer: await th.captcha() });
    expect((await c.fail('recovery.submitPicture', { flowId: sent.flowId, answer: 'ABCDEF' })).status).toBe(409);
    expect((await c.fail('recovery.newPicture', { flowId: sent.flowId })).status).toBe(409);
    expect((await c.fail('recovery.setPassword', { flowId: sent.flowId, grant: grantLike, password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })).status).toBe(409);
    await c.ok('recovery.verifyCode', { flowId: sent.flowId, code: latestMailCode(address) });
    const forged = await c.fail('recovery.setPassword', { flowId: sent.flowId, grant: 'forged-grant', password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    expect([forged.status, forged.code]).toEqual([403, 'forbidden']);
    const unknown = await c.fail('recovery.verifyCode', { flowId: "' OR 1=1 --", code: '123456' });
    expect([unknown.status, unknown.code]).toEqual([410, 'expired']);
    // The password did not change along the way.
    await th.client().ok('account.signIn', { account: address, password: PASSWORD });
  });
});

describe('picture codes', () => {
  it('replay: the first answer spends the picture, right or wrong; a wrong answer brings a new picture', async () => {
    const address = email('cap');
    await signUpVerified({ email: address });
    const c = th.client();
    const started = await c.ok('recovery.start', { identifier: address });
    const answer = await th.captcha();
    const wrong = await c.fail('recovery.submitPicture', { flowId: started.flowId, answer: answer === 'AAAAAA' ? 'CCCCCC' : 'AAAAAA' });
    expect([wrong.status, wrong.code]).toEqual([400, 'invalid_code']);
    expect((wrong.details as { picture?: { image?: string } } | undefined)?.picture?.image).toMatch(/^data:image\/png;base64,/);
    const replay = await c.fail('recovery.submitPicture', { flowId: started.flowId, answer });
    expect(replay.code).toBe('invalid_code');
    expect(recoveryMails(address)).toHaveLength(0);
    await c.ok('recovery.submitPicture', { flowId: started.flowId, answer: await th.captcha() });
    expect(recoveryMails(address)).toHaveLength(1);
  });

  it('guessing: every guess costs a picture, at most 10 a minute per address; pictures expire after 5 minutes', async () => {
    const c = th.client();
    const started = await c.ok('recovery.start', { identifier: email('guess') });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await c.call('recovery.submitPicture', { flowId: started.flowId, answer: 'ZZZZZZ' });
      statuses.push(r.status);
      if (r.status === 429) break;
    }
    // The start's picture was the 1st of 10; guesses 1..9 each bring a new one, the 10th finds no room.
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.slice(0, -1).every((s) => s === 400)).toBe(true);
    expect(statuses.length).toBeLessThanOrEqual(10);
    expect((await c.fail('recovery.newPicture', { flowId: started.flowId })).status).toBe(429);
    await th.advanceClock(61_000);
    await c.ok('recovery.newPicture', { flowId: started.flowId });
    const answer = await th.captcha();
    await th.advanceClock(5 * MINUTE + 1000);
    expect((await c.fail('recovery.submitPicture', { flowId: started.flowId, answer })).code).toBe('invalid_code');
  });

  it('an answer from a different flow (or from the look-up picture) does not open this one', async () => {
    const a = th.client();
    const flowA = await a.ok('recovery.start', { identifier: email('pa') });
    const answerA = await th.captcha();
    const flowB = await a.ok('recovery.start', { identifier: email('pb') });
    const answerB = await th.captcha();
    if (answerA !== answerB) expect((await a.fail('recovery.submitPicture', { flowId: flowB.flowId, answer: answerA })).code).toBe('invalid_code');
    const flowC = await a.ok('recovery.start', { identifier: email('pc') });
    const answerC = await th.captcha();
    await a.ok('recovery.lookupPicture', {});
    const lookupAnswer = await th.captcha();
    if (lookupAnswer !== answerC) expect((await a.fail('recovery.submitPicture', { flowId: flowC.flowId, answer: lookupAnswer })).code).toBe('invalid_code');
    await a.ok('recovery.submitPicture', { flowId: flowA.flowId, answer: answerA });
  });
});

describe('identifier tricks', () => {
  const fullWidth = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));

  it('case, spaces, full-width digits, formatted and local/international phone forms find the account; look-alikes do not', async () => {
    const local = `sari${++unique}`;
    const address = `${local}@mail.com`;
    const number = '+6281344445555';
    const { accountId } = await signUpVerified({ email: address, phone: number });
    const national = `0${number.slice(3)}`; // 081344445555
    const hits = [
      `  ${local}@MAIL.COM `,
      '(0813) 4444-5555',
      '0813 4444 5555',
      national,
      '+62 813-4444-5555',
      '+62 (813) 4444 5555',
      '0062 813 4444 5555',
      fullWidth('+62 813 4444 5555'),
      fullWidth(national),
      fullWidth(accountId),
      `${accountId.slice(0, 3)} ${accountId.slice(3, 6)} ${accountId.slice(6)}`,
    ];
    const delivered = () => recoveryMails(address).length + recoverySms(number).length;
    let expected = delivered();
    for (const identifier of hits) {
      await th.advanceClock(DAY);
      await startAndSend(th.client(), identifier);
      expected++;
      expect(delivered(), JSON.stringify(identifier)).toBe(expected);
    }
    const misses = [
      `${local.toUpperCase()}@mail.com`, // the local part is case-sensitive
      address.replace('a', '\u0430'), // Cyrillic a
      address.replace('i', '\u0456'), // Cyrillic i
      `${local}@mai1.com`,
      `${local}@rnail.com`,
      '+6281344445556',
      '+6181344445555', // the same digits in another country
      `${accountId.slice(0, 9)}${(Number(accountId.slice(9)) + 1) % 10}`,
    ];
    for (const identifier of misses) {
      await th.advanceClock(DAY);
      const c = th.client();
      const started = await c.call('recovery.start', { identifier });
      if (started.status === 400) continue; // refused as not an identifier at all is also fine
      const sent = await startAndSend(c, identifier);
      expect(sent.state).toBe('code_sent');
      expect(delivered(), JSON.stringify(identifier)).toBe(expected);
    }
  }, 60_000);

  it('SQL-looking and 10 KB identifiers are refused or match nothing; the data stays intact', async () => {
    const address = email('safe');
    await signUpVerified({ email: address });
    for (const identifier of ["' OR 1=1 --", "x'; DROP TABLE accounts; --", '"><script>alert(1)</script>', 'a'.repeat(10_240), `${'1'.repeat(10_240)}@mail.com`]) {
      const r = await th.client().call('recovery.start', { identifier });
      expect(r.status, identifier.slice(0, 30)).toBe(400);
      expect(!r.envelope.ok && r.envelope.error.code).toBe('invalid_input');
    }
    const big = await th.client().call('account.signIn', { account: 'b'.repeat(10_240), password: PASSWORD });
    expect([big.status, !big.envelope.ok && big.envelope.error.code]).toEqual([400, 'invalid_input']);
    const sent = await startAndSend(th.client(), "o'brien--@mail.com");
    expect(sent.state).toBe('code_sent');
    const injected = await th.client().call('account.signIn', { account: "' OR '1'='1", password: "' OR '1'='1" });
    expect(injected.status).toBeGreaterThanOrEqual(400);
    expect(injected.status).toBeLessThan(500);
    const me = th.client();
    await me.ok('account.signIn', { account: address, password: PASSWORD });
    expect((await me.ok('account.me', {})).email).toBe(address);
  });

  it('1 MB passwords are refused before any hashing (413 at the host, 400 below the body limit)', async () => {
    const address = email('big');
    await signUpVerified({ email: address });
    const hasher = th.app.services.account.hasher;
    const before = hasher.operations;
    const oneMiB = 'x'.repeat(1024 * 1024);
    const justUnder = 'x'.repeat(MAX_BODY_BYTES - 200);
    const c = th.client();
    const timings: string[] = [];
    const cases = [
      ['account.signIn', (p: string) => ({ account: address, password: p })],
      ['account.signUp', (p: string) => ({ email: email('big2'), password: p, confirmPassword: p.slice(0, 10) })],
      ['account.passwordStrength', (p: string) => ({ password: p })],
    ] as const;
    for (const [method, input] of cases) {
      const over = await c.call(method, input(oneMiB) as never);
      expect([over.status, !over.envelope.ok && over.envelope.error.code], method).toEqual([413, 'payload_too_large']);
      const under = await c.call(method, input(justUnder) as never);
      expect([under.status, !under.envelope.ok && under.envelope.error.code], method).toEqual([400, 'invalid_input']);
      timings.push(`${method}: 1 MiB ${over.ms.toFixed(1)} ms, ~1 MB ${under.ms.toFixed(1)} ms`);
    }
    // A change of password and a recovery reset refuse it the same way, before the current password is checked.
    const signedIn = th.client();
    await signedIn.ok('account.signIn', { account: address, password: PASSWORD });
    // Three passwords share one body here, so each is a third of the limit (still 300 times the schema bound).
    const third = 'x'.repeat(300_000);
    const change = await signedIn.call('account.changePassword', { currentPassword: PASSWORD, newPassword: third, confirmPassword: third });
    expect([change.status, !change.envelope.ok && change.envelope.error.code]).toEqual([400, 'invalid_input']);
    const afterSignIn = hasher.operations;
    const flow = th.client();
    const sent = await startAndSend(flow, address);
    const { grant } = await flow.ok('recovery.verifyCode', { flowId: sent.flowId, code: latestMailCode(address) });
    const reset = await flow.call('recovery.setPassword', { flowId: sent.flowId, grant, password: third, confirmPassword: third });
    expect([reset.status, !reset.envelope.ok && reset.envelope.error.code]).toEqual([400, 'invalid_input']);
    const resetHuge = await flow.call('recovery.setPassword', { flowId: sent.flowId, grant, password: oneMiB, confirmPassword: oneMiB });
    expect(resetHuge.status).toBe(413);
    // Just above the schema bound the policy answers why, still without hashing.
    const long = 'y'.repeat(1000);
    const policy = await flow.fail('recovery.setPassword', { flowId: sent.flowId, grant, password: long, confirmPassword: long });
    expect(policy).toMatchObject({ status: 400, code: 'weak_password', details: { problem: 'too_long' } });
    expect(hasher.operations).toBe(afterSignIn);
    expect(afterSignIn - before).toBe(1); // only the one real sign-in above
    if (process.env.LIFELINE_PRINT_TIMING) console.log(timings.join('\n'));
  });
});

describe('after a recovery', () => {
  it('every session is revoked (old cookies stop working), one notice per verified channel, and the 24 h device hold runs', async () => {
    const address = email('after');
    const number = phone();
    const { accountId, client: signUpClient } = await signUpVerified({ email: address, phone: number });
    const s1 = th.client();
    const s2 = th.client();
    await s1.ok('account.signIn', { account: address, password: PASSWORD });
    await s2.ok('account.signIn', { account: number, password: PASSWORD, keepSignedIn: true });
    const oldCookies = [signUpClient.cookie, s1.cookie, s2.cookie];
    expect(oldCookies.every((x) => typeof x === 'string' && x.length >= 40)).toBe(true);
    expect(s1.setCookies.at(-1)).toMatch(/HttpOnly/);
    const other = await startAndSend(th.client(), address);
    await th.advanceClock(61_000);
    const c = th.client();
    const sent = await startAndSend(c, number);
    expect(sent.sentTo).toMatchObject({ channel: 'sms' });
    const { grant } = await c.ok('recovery.verifyCode', { flowId: sent.flowId, code: latestSmsCode(number) });
    expect(th.app.services.account.isRecoveryHoldActive(accountId)).toBe(false);
    const noticesBefore = th.mailsTo(address).length + th.smsTo(number).length;
    const done = await c.ok('recovery.setPassword', { flowId: sent.flowId, grant, password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    expect(done.sessionsEnded).toBeGreaterThanOrEqual(3);
    expect(c.cookie).toBeUndefined(); // no automatic sign-in

    for (const [i, s] of [signUpClient, s1, s2].entries()) {
      const me = await s.fail('account.me', {});
      expect([me.status, me.code], `session ${i}`).toEqual([401, 'not_signed_in']);
      expect(s.setCookies.at(-1)).toMatch(/^lifeline_session=;.*Max-Age=0/);
    }
    // A replayed old cookie (as an attacker who stole it would send it) stays dead.
    const thief = th.client();
    thief.cookie = oldCookies[1];
    expect((await thief.fail('account.sessions', {})).status).toBe(401);
    expect((await c.fail('recovery.verifyCode', { flowId: other.flowId, code: '123456' })).code).toBe('expired');

    const mails = th.mailsTo(address).filter((m) => /password was changed/.test(m.subject));
    const texts = th.smsTo(number).filter((t) => /password was changed/.test(t));
    expect(mails).toHaveLength(1);
    expect(texts).toHaveLength(1);
    expect(th.mailsTo(address).length + th.smsTo(number).length - noticesBefore).toBe(2);
    for (const text of [mails[0]?.text ?? '', texts[0] ?? '']) {
      expect(text).toMatch(/24 hours/);
      expect(text).not.toMatch(/\d{3} \d{3}/);
      expect(text).not.toContain(NEW_PASSWORD);
    }

    expect(th.app.services.account.isRecoveryHoldActive(accountId)).toBe(true);
    await th.advanceClock(DAY - 5_000);
    expect(th.app.services.account.isRecoveryHoldActive(accountId)).toBe(true);
    await th.advanceClock(5_001);
    expect(th.app.services.account.isRecoveryHoldActive(accountId)).toBe(false);

    const fresh = th.client();
    expect((await fresh.fail('account.signIn', { account: accountId, password: PASSWORD })).status).toBe(401);
    await fresh.ok('account.signIn', { account: accountId, password: NEW_PASSWORD });
    const log = await fresh.ok('account.securityLog', { limit: 500 });
    const events = log.map((e) => e.event);
    for (const e of ['recovery_started', 'recovery_code_sent', 'recovery_code_verified', 'recovery_password_set', 'notice_sent']) expect(events).toContain(e);
    const serialized = JSON.stringify(log);
    expect(serialized).not.toContain(NEW_PASSWORD);
    expect(serialized).not.toContain(PASSWORD);
    expect(log.some((e) => e.ip.startsWith('127.') && e.userAgent === 'lifeline-http-attacks')).toBe(true);
  });

  it('recovery while signed in: the same browser session ends, the cookie is cleared, no automatic sign-in', async () => {
    const address = email('inside');
    await signUpVerified({ email: address });
    const c = th.client();
    await c.ok('account.signIn', { account: address, password: PASSWORD });
    const sent = await startAndSend(c, address);
    const { grant } = await c.ok('recovery.verifyCode', { flowId: sent.flowId, code: latestMailCode(address) });
    await c.ok('account.me', {});
    const done = await c.call('recovery.setPassword', { flowId: sent.flowId, grant, password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    expect(done.status).toBe(200);
    expect(String(done.headers['set-cookie'] ?? '')).toMatch(/lifeline_session=;.*Max-Age=0/);
    expect(c.cookie).toBeUndefined();
    expect((await c.fail('account.me', {})).status).toBe(401);
  });
});

describe('delivery', () => {
  it('a forged Host header on a request that sends mail is refused at the host (403) and sends nothing', async () => {
    const address = email('host');
    await signUpVerified({ email: address });
    const c = th.client();
    const started = await c.ok('recovery.start', { identifier: address });
    const answer = await th.captcha();
    const mailsBefore = th.smtp?.mails.length ?? 0;
    for (const forged of ['evil.example', `evil.example:${th.port}`, `127.0.0.1.evil.example:${th.port}`, `localhost:${th.port + 1}`]) {
      const r = await c.call('recovery.submitPicture', { flowId: started.flowId, answer }, { Host: forged });
      expect(r.status, forged).toBe(403);
      expect(!r.envelope.ok && r.envelope.error.code).toBe('forbidden');
    }
    const crossSite = await c.call('recovery.submitPicture', { flowId: started.flowId, answer }, { Origin: 'http://evil.example' });
    expect(crossSite.status).toBe(403);
    expect(th.smtp?.mails.length).toBe(mailsBefore);
    // The picture was not spent by the refused requests: the host never called the service.
    const sent = await c.ok('recovery.submitPicture', { flowId: started.flowId, answer });
    expect(sent.state).toBe('code_sent');
    expect(recoveryMails(address)).toHaveLength(1);
  });

  it('with LIFELINE_PUBLIC_URL set, links in mails use only that base, whatever Host and X-Forwarded-* say', async () => {
    const address = email('link');
    await signUpVerified({ email: address });
    // The public URL's own host name is allowed; the forwarded headers are attacker-controlled noise.
    const c = th.client(undefined, { Host: 'lifeline.example', 'X-Forwarded-Host': 'evil.example', 'X-Forwarded-Proto': 'http', Forwarded: 'host=evil.example' });
    const sent = await startAndSend(c, address);
    const { grant } = await c.ok('recovery.verifyCode', { flowId: sent.flowId, code: latestMailCode(address) });
    await c.ok('recovery.setPassword', { flowId: sent.flowId, grant, password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    const all = th.mailsTo(address).map((m) => `${m.subject}\n${m.text}`).join('\n');
    const urls = all.match(/https?:\/\/[^\s)]+/g) ?? [];
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect(url.startsWith(`${PUBLIC_URL}/`), url).toBe(true);
    expect(all).not.toMatch(/evil\.example|127\.0\.0\.1|localhost/);
  });

  it('without LIFELINE_PUBLIC_URL, mails carry no link at all', async () => {
    const bare = await startTestHost();
    try {
      const address = 'nolink@mail.com';
      const c = bare.client();
      await c.ok('account.signUp', { email: address, password: PASSWORD, confirmPassword: PASSWORD });
      await c.ok('account.verifyChannel', { channel: 'email', code: codeIn(bare.mailsTo(address).at(-1)?.text) });
      const r = bare.client(undefined, { 'X-Forwarded-Host': 'evil.example' });
      const started = await r.ok('recovery.start', { identifier: address });
      const sent = await r.ok('recovery.submitPicture', { flowId: started.flowId, answer: await bare.captcha() });
      const { grant } = await r.ok('recovery.verifyCode', { flowId: sent.flowId, code: codeIn(bare.mailsTo(address).at(-1)?.text) });
      await r.ok('recovery.setPassword', { flowId: sent.flowId, grant, password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
      const mails = bare.mailsTo(address);
      expect(mails.some((m) => /password was changed/.test(m.subject))).toBe(true);
      for (const m of mails) expect(m.text).not.toMatch(/https?:\/\/|evil\.example/);
    } finally {
      await bare.close();
    }
  });

  it('inbox flooding: at most 5 recovery messages an hour reach one inbox, however many flows and resends', async () => {
    const address = email('flood');
    await signUpVerified({ email: address });
    await th.advanceClock(DAY);
    const before = th.mailsTo(address).length;
    for (let i = 0; i < 12; i++) {
      const c = th.client();
      const started = await c.ok('recovery.start', { identifier: address });
      const r = await c.call('recovery.submitPicture', { flowId: started.flowId, answer: await th.captcha() });
      if (r.envelope.ok) {
        await th.advanceClock(61_000);
        await c.call('recovery.resendCode', { flowId: started.flowId });
        await c.call('recovery.switchChannel', { flowId: started.flowId, channel: 'email' });
      }
      await th.advanceClock(1000);
    }
    expect(th.mailsTo(address).length - before).toBe(5);
    // The next hour opens 5 more, up to 10 a day.
    let total = 0;
    for (let h = 0; h < 4; h++) {
      await th.advanceClock(HOUR);
      for (let i = 0; i < 6; i++) {
        const c = th.client();
        const started = await c.ok('recovery.start', { identifier: address });
        await c.call('recovery.submitPicture', { flowId: started.flowId, answer: await th.captcha() });
      }
      total = th.mailsTo(address).length - before;
    }
    expect(total).toBe(10);
  }, 60_000);

  it('inbox flooding: two accounts sharing one verified inbox still get at most 5 messages an hour there', async () => {
    const address = email('shared');
    const a = await signUpVerified({ email: address });
    await th.advanceClock(2 * HOUR); // the sign-up verification mails are out of the hour
    const b = await signUpVerified({ email: address });
    await th.advanceClock(2 * HOUR);
    const before = th.mailsTo(address).length;
    // Recovery by each account ID, by the shared address itself and the forgotten-account look-up.
    for (let i = 0; i < 6; i++) {
      for (const identifier of [a.accountId, b.accountId, address]) {
        const c = th.client();
        const started = await c.ok('recovery.start', { identifier });
        await c.call('recovery.submitPicture', { flowId: started.flowId, answer: await th.captcha() });
      }
      const l = th.client();
      const picture = await l.ok('recovery.lookupPicture', {});
      await l.call('recovery.lookupAccount', { identifier: address, pictureId: picture.pictureId, answer: await th.captcha() });
      await th.advanceClock(1000);
    }
    const arrived = th.mailsTo(address).length - before;
    expect(arrived).toBeLessThanOrEqual(5);
  }, 60_000);

  it('a disabled account gets no message and the same answer', async () => {
    const address = email('off');
    const { accountId } = await signUpVerified({ email: address });
    th.app.services.account.store.setDisabled(accountId, true);
    const before = th.mailsTo(address).length;
    const sent = await startAndSend(th.client(), address);
    expect(sent.sentTo).toEqual({ channel: 'email', masked: maskedOf(address) });
    expect(sent.state).toBe('code_sent');
    const byId = await startAndSend(th.client(), accountId);
    expect(byId.state).toBe('code_sent');
    expect(th.mailsTo(address).length).toBe(before);
  });

  it('a channel that is not verified gets no recovery code and cannot be chosen', async () => {
    const address = email('half');
    const number = phone();
    await signUpVerified({ email: address, phone: number }, { verify: ['email'] });
    const smsBefore = th.smsTo(number).length;
    const byPhone = await startAndSend(th.client(), number);
    expect(byPhone.sentTo.channel).toBe('sms');
    expect(th.smsTo(number).length).toBe(smsBefore);
    const c = th.client();
    const byEmail = await startAndSend(c, address);
    expect(byEmail.channels.map((x) => x.channel)).toEqual(['email']);
    await th.advanceClock(61_000);
    const sw = await c.fail('recovery.switchChannel', { flowId: byEmail.flowId, channel: 'sms' });
    expect([sw.status, sw.code]).toEqual([400, 'invalid_input']);
    expect(th.smsTo(number).length).toBe(smsBefore);
  });
});

function maskedOf(address: string): string {
  return `${address.slice(0, 2)}****@${address.split('@')[1] ?? ''}`;
}

describe('sign-in timing with production Argon2', () => {
  it('unknown accounts and wrong passwords take the same time (100 alternating, medians within 10 ms)', async () => {
    const prod = await startTestHost({ realDelivery: false, hashParams: PRODUCTION_HASH_PARAMS });
    try {
      const address = 'prod@mail.com';
      const c = prod.client();
      await c.ok('account.signUp', { email: address, password: PASSWORD, confirmPassword: PASSWORD });
      const once = async (account: string) => {
        const r = await prod.client().call('account.signIn', { account, password: 'wrong but long enough 1' });
        expect(r.status).toBe(401);
        return r.ms;
      };
      for (let i = 0; i < 4; i++) await once(i % 2 === 0 ? address : 'nobody@mail.com');
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 100; i++) {
        if (i % 2 === 0) known.push(await once(address));
        else unknown.push(await once(`nobody${i}@mail.com`));
      }
      if (process.env.LIFELINE_PRINT_TIMING) console.log(`sign-in (production Argon2): median known ${median(known).toFixed(2)} ms, unknown ${median(unknown).toFixed(2)} ms`);
      expect(Math.abs(median(known) - median(unknown))).toBeLessThan(10);
    } finally {
      await prod.close();
    }
  }, 90_000);
});

describe('two hosts on one data dir', () => {
  it('a second app in this process and a second host process are refused with already_in_use; the first keeps working', async () => {
    const config = loadConfig({ LIFELINE_TOKEN: TEST_TOKEN }, { dataDir: th.dataDir, port: 0, host: '127.0.0.1' });
    let refused: unknown;
    try {
      const second = createApp(config, { hostKind: 'web' });
      await second.close();
    } catch (error) {
      refused = error;
    }
    expect((refused as { code?: string } | undefined)?.code).toBe('already_in_use');

    const probe = path.join(here, 'second-host-probe.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', probe, th.dataDir], { cwd: path.resolve(here, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(err).toBe('');
    const result = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { started?: boolean; code?: string; message?: string };
    expect(exitCode).toBe(3);
    expect(result).toMatchObject({ started: false, code: 'already_in_use' });
    expect(result.message).toMatch(/already in use/);

    // The first host is unharmed.
    const health = await rawRequest(th.port, { path: '/api/health' });
    expect(health.status).toBe(200);
    expect((await th.client().call('recovery.status', { flowId: 'none' })).status).toBe(410);
    expect(fs.existsSync(path.join(th.dataDir, 'lifeline.db'))).toBe(true);
  }, 60_000);
});
