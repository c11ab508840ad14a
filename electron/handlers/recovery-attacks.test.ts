// Every attack in RECOVERY.md "Attacks the test suite tries", through the real dispatcher, with its expected outcome.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CodeSentAnswer } from '../../contract/account';
import { DAY, HOUR, MINUTE } from '../services/account/limiter';
import { createKit, createVerifiedAccount, NEW_PASSWORD, STRONG_PASSWORD, type Client, type Kit } from './account-test-kit';

let kit: Kit;
beforeEach(() => {
  kit = createKit();
});
afterEach(() => kit.close());

let ipCounter = 0;
/** A fresh client address, so the 10-pictures-a-minute limit only bites where a test wants it to. */
const freshClient = () => kit.client(`10.1.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`);

async function startAndSend(client: Client, identifier: string): Promise<CodeSentAnswer> {
  const started = await client.ok('recovery.start', { identifier });
  return client.ok('recovery.submitPicture', { flowId: started.flowId, answer: kit.captchaAnswer() });
}

function strip<T extends Record<string, unknown>>(value: T, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([k]) => !keys.includes(k)));
}

const recoveryCodes = (to: string) => kit.outbox(to).filter((m) => /recovery code|Kode pemulihan/i.test(m.text));
const otherCode = (code: string) => (code === '000000' ? '111111' : '000000');

describe('the happy path', () => {
  it('recovers by email: picture, code from the mail, new password twice; no sign-in; old password dead', async () => {
    const { accountId } = await createVerifiedAccount(kit, { email: 'ayu@mail.com', phone: '+6281299990001' });
    const c = freshClient();
    const started = await c.ok('recovery.start', { identifier: 'ayu@mail.com' });
    expect(started.state).toBe('awaiting_captcha');
    expect(started.picture.image).toMatch(/^data:image\/png;base64,/);
    expect(started.picture.alt).toMatch(/Picture code/);
    const sent = await c.ok('recovery.submitPicture', { flowId: started.flowId, answer: kit.captchaAnswer().toLowerCase() });
    expect(sent.sentTo).toEqual({ channel: 'email', masked: 'ay****@mail.com' });
    expect(sent.channels).toEqual([
      { channel: 'email', masked: 'ay****@mail.com' },
      { channel: 'sms', masked: '+62****01' },
    ]);
    expect(sent.sendsLeft).toBe(2);
    const mail = recoveryCodes('ayu@mail.com');
    expect(mail).toHaveLength(1);
    expect(mail[0]?.text).toMatch(/Your Lifeline recovery code is \d{3} \d{3}\./);
    const verified = await c.ok('recovery.verifyCode', { flowId: started.flowId, code: kit.latestCode('ayu@mail.com') });
    expect(verified.state).toBe('code_verified');
    const weak = await c.fail('recovery.setPassword', { flowId: started.flowId, grant: verified.grant, password: 'password123', confirmPassword: 'password123' });
    expect(weak.code).toBe('weak_password');
    const mismatch = await c.fail('recovery.setPassword', { flowId: started.flowId, grant: verified.grant, password: NEW_PASSWORD, confirmPassword: STRONG_PASSWORD });
    expect(mismatch).toMatchObject({ code: 'weak_password', details: { problem: 'mismatch' } });
    const done = await c.ok('recovery.setPassword', { flowId: started.flowId, grant: verified.grant, password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    expect(done.state).toBe('password_set');
    expect(done.deviceHoldUntil).toBe(kit.clock.now() + DAY);
    expect(c.session.get()).toBeUndefined();
    expect((await c.fail('account.me', {})).code).toBe('not_signed_in');
    expect((await kit.client().fail('account.signIn', { account: 'ayu@mail.com', password: STRONG_PASSWORD })).code).toBe('invalid_credentials');
    await kit.client().ok('account.signIn', { account: accountId, password: NEW_PASSWORD });
    expect(await c.ok('recovery.status', { flowId: started.flowId })).toMatchObject({ state: 'password_set' });
  });

  it('recovers by phone (local form) and by account ID, and switches channel ("Not working?") among verified ones', async () => {
    const { accountId } = await createVerifiedAccount(kit, { email: 'budi@mail.com', phone: '+6281299990002' });
    const c = freshClient();
    const sent = await startAndSend(c, '0812-9999-0002');
    expect(sent.sentTo).toEqual({ channel: 'sms', masked: '+62****02' });
    expect(recoveryCodes('+6281299990002')).toHaveLength(1);
    // Switching counts as a resend: 60 s apart.
    expect((await c.fail('recovery.switchChannel', { flowId: sent.flowId, channel: 'email' })).code).toBe('rate_limited');
    kit.clock.advance(61_000);
    const switched = await c.ok('recovery.switchChannel', { flowId: sent.flowId, channel: 'email' });
    expect(switched.sentTo).toEqual({ channel: 'email', masked: 'bu****@mail.com' });
    expect(recoveryCodes('budi@mail.com')).toHaveLength(1);
    // The SMS code was superseded by the email one.
    const smsCode = kit.latestCode('+6281299990002');
    expect((await c.fail('recovery.verifyCode', { flowId: sent.flowId, code: smsCode })).code).toBe('invalid_code');
    await c.ok('recovery.verifyCode', { flowId: sent.flowId, code: kit.latestCode('budi@mail.com') });

    const d = freshClient();
    const byId = await startAndSend(d, `${accountId.slice(0, 5)} ${accountId.slice(5)}`);
    expect(byId.sentTo.channel).toBe('email');
    expect(byId.channels.map((x) => x.channel)).toEqual(['email', 'sms']);
  });

  it('a channel that is not verified on the account cannot be chosen', async () => {
    const c0 = kit.client();
    await c0.ok('account.signUp', { email: 'half@mail.com', phone: '+6281299990003', password: STRONG_PASSWORD, confirmPassword: STRONG_PASSWORD });
    await c0.ok('account.verifyChannel', { channel: 'email', code: kit.latestCode('half@mail.com') });
    const c = freshClient();
    const sent = await startAndSend(c, 'half@mail.com');
    expect(sent.channels).toEqual([{ channel: 'email', masked: 'ha****@mail.com' }]);
    kit.clock.advance(61_000);
    expect((await c.fail('recovery.switchChannel', { flowId: sent.flowId, channel: 'sms' })).code).toBe('invalid_input');
    // Recovery by the unverified phone finds nothing to send to: same answer, no message.
    const byPhone = await startAndSend(freshClient(), '+6281299990003');
    expect(byPhone.sentTo).toEqual({ channel: 'sms', masked: '+62****03' });
    expect(recoveryCodes('+6281299990003')).toHaveLength(0);
  });
});

describe('enumeration', () => {
  it('by body: the answers for an existing and a missing account are the same', async () => {
    await createVerifiedAccount(kit, { email: 'real@mail.com' });
    const a = freshClient();
    const b = freshClient();
    const startA = await a.ok('recovery.start', { identifier: 'real@mail.com' });
    const answerA = kit.captchaAnswer();
    const startB = await b.ok('recovery.start', { identifier: 'ghost@mail.com' });
    const answerB = kit.captchaAnswer();
    expect(strip(startA, ['flowId', 'picture'])).toEqual(strip(startB, ['flowId', 'picture']));
    expect(Object.keys(startA.picture)).toEqual(Object.keys(startB.picture));
    const sentA = await a.ok('recovery.submitPicture', { flowId: startA.flowId, answer: answerA });
    const sentB = await b.ok('recovery.submitPicture', { flowId: startB.flowId, answer: answerB });
    expect(Object.keys(sentA).sort()).toEqual(Object.keys(sentB).sort());
    expect(strip(sentA, ['flowId', 'sentTo', 'channels'])).toEqual(strip(sentB, ['flowId', 'sentTo', 'channels']));
    expect(sentA.sentTo.masked).toMatch(/^re\*\*\*\*@mail\.com$/);
    expect(sentB.sentTo.masked).toMatch(/^gh\*\*\*\*@mail\.com$/);
    // Wrong codes, resends and limits answer alike.
    const wrongA = await a.fail('recovery.verifyCode', { flowId: startA.flowId, code: '123456' });
    const wrongB = await b.fail('recovery.verifyCode', { flowId: startB.flowId, code: '123456' });
    expect(wrongA).toEqual(wrongB);
    const tooSoonA = await a.fail('recovery.resendCode', { flowId: startA.flowId });
    const tooSoonB = await b.fail('recovery.resendCode', { flowId: startB.flowId });
    expect(tooSoonA).toEqual(tooSoonB);
    // Only the real account got a message; the missing one got none.
    expect(recoveryCodes('real@mail.com')).toHaveLength(1);
    expect(kit.outbox('ghost@mail.com')).toHaveLength(0);
  });

  it('by body: the channel list cannot tell (missing accounts show stand-in channels, stable per identifier)', async () => {
    const shapes = new Set<string>();
    for (let i = 0; i < 16; i++) {
      const sent = await startAndSend(freshClient(), `nobody${i}@mail.com`);
      shapes.add(sent.channels.map((x) => x.channel).join('+'));
      expect(sent.channels[0]).toEqual({ channel: 'email', masked: `no****@mail.com` });
    }
    expect(shapes).toEqual(new Set(['email', 'email+sms']));
    const once = await startAndSend(freshClient(), '1234567890');
    const again = await startAndSend(freshClient(), '1234567890');
    expect(once.channels).toEqual(again.channels);
    expect(once.channels.length).toBeGreaterThan(0);
  });

  it('by timing: 200 alternating requests, the medians differ by less than 10 ms', async () => {
    await createVerifiedAccount(kit, { email: 'timing@mail.com' });
    const known: number[] = [];
    const unknown: number[] = [];
    // Warm up both paths (delivery keeps a running send time that the missing path imitates).
    for (let i = 0; i < 4; i++) {
      kit.clock.advance(DAY);
      await startAndSend(freshClient(), i % 2 === 0 ? 'timing@mail.com' : 'nope@mail.com');
    }
    for (let i = 0; i < 200; i++) {
      kit.clock.advance(DAY); // keeps every limit out of the way; each request is a first send
      const target = i % 2 === 0 ? 'timing@mail.com' : 'nope@mail.com';
      const c = freshClient();
      const t0 = performance.now();
      const started = await c.ok('recovery.start', { identifier: target });
      const sent = await c.ok('recovery.submitPicture', { flowId: started.flowId, answer: kit.captchaAnswer() });
      const took = performance.now() - t0;
      expect(sent.state).toBe('code_sent');
      (i % 2 === 0 ? known : unknown).push(took);
    }
    const median = (xs: number[]) => {
      const s = [...xs].sort((x, y) => x - y);
      return ((s[Math.floor((s.length - 1) / 2)] ?? 0) + (s[Math.ceil((s.length - 1) / 2)] ?? 0)) / 2;
    };
    if (process.env.LIFELINE_PRINT_TIMING) console.log(`median known ${median(known).toFixed(2)} ms, missing ${median(unknown).toFixed(2)} ms`);
    expect(Math.abs(median(known) - median(unknown))).toBeLessThan(10);
  });

  it('by rate limit: an existing and a missing account hit the same limits with the same answers', async () => {
    await createVerifiedAccount(kit, { email: 'limit@mail.com' });
    const run = async (identifier: string) => {
      const c = freshClient();
      const answers: string[] = [];
      const record = (r: { ok: boolean; error?: { code: string; message: string } }) => answers.push(r.ok ? 'ok' : `${r.error?.code}: ${r.error?.message}`);
      const first = await startAndSend(c, identifier);
      for (let i = 0; i < 3; i++) record(await c.call('recovery.resendCode', { flowId: first.flowId }));
      return { c, answers, flowId: first.flowId };
    };
    const a = await run('limit@mail.com');
    const b = await run('missing@mail.com');
    expect(a.answers).toEqual(b.answers);
    const steps: string[][] = [[], []];
    for (let i = 0; i < 4; i++) {
      kit.clock.advance(61_000);
      for (const [n, flow] of [a, b].entries()) {
        const r = await flow.c.call('recovery.resendCode', { flowId: flow.flowId });
        steps[n]?.push(r.ok ? 'ok' : `${r.error.code}: ${r.error.message}`);
      }
    }
    expect(steps[0]).toEqual(steps[1]);
    expect(steps[0]?.filter((s) => s === 'ok')).toHaveLength(2);
    expect(steps[0]?.[3]).toMatch(/^rate_limited: This recovery has sent 3 codes/);
  });
});

describe('brute force', () => {
  it('in one flow: 5 wrong codes end the flow; the right code no longer works after that', async () => {
    await createVerifiedAccount(kit, { email: 'bf@mail.com' });
    const c = freshClient();
    const sent = await startAndSend(c, 'bf@mail.com');
    const code = kit.latestCode('bf@mail.com');
    for (let i = 0; i < 4; i++) expect((await c.fail('recovery.verifyCode', { flowId: sent.flowId, code: otherCode(code) })).code).toBe('invalid_code');
    const fifth = await c.fail('recovery.verifyCode', { flowId: sent.flowId, code: otherCode(code) });
    expect(fifth).toMatchObject({ code: 'invalid_code', details: { flowEnded: true } });
    expect((await c.fail('recovery.verifyCode', { flowId: sent.flowId, code })).code).toBe('expired');
  });

  it('across 50 flows: at most 10 wrong codes per account per 24 h, then even the right code is refused until the day is over', async () => {
    await createVerifiedAccount(kit, { email: 'many@mail.com' });
    let judged = 0;
    let limited = 0;
    let sendRefused = 0;
    for (let i = 0; i < 50; i++) {
      kit.clock.advance(13 * MINUTE);
      const c = freshClient();
      const started = await c.ok('recovery.start', { identifier: 'many@mail.com' });
      const sent = await c.call('recovery.submitPicture', { flowId: started.flowId, answer: kit.captchaAnswer() });
      if (!sent.ok) {
        expect(sent.error.code).toBe('rate_limited');
        sendRefused++;
        continue;
      }
      const code = kit.latestCode('many@mail.com');
      for (let k = 0; k < 5; k++) {
        const r = await c.call('recovery.verifyCode', { flowId: started.flowId, code: otherCode(code) });
        if (r.ok) throw new Error('a wrong code was accepted');
        if (r.error.code === 'invalid_code') judged++;
        else if (r.error.code === 'rate_limited') limited++;
        if (r.error.details?.flowEnded) break;
      }
    }
    expect(judged).toBe(10);
    expect(limited).toBeGreaterThan(0);
    expect(sendRefused).toBeGreaterThan(0); // 10 sends a day per account
  });

  it('20 parallel submissions of the right code: exactly one wins', async () => {
    await createVerifiedAccount(kit, { email: 'race@mail.com' });
    const c = freshClient();
    const sent = await startAndSend(c, 'race@mail.com');
    const code = kit.latestCode('race@mail.com');
    const results = await Promise.all(Array.from({ length: 20 }, () => c.call('recovery.verifyCode', { flowId: sent.flowId, code })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.error.code === 'invalid_code')).toHaveLength(19);
  });
});

describe('replays, expiry, mix-ups and skipped steps', () => {
  it('replay after success: the code, the grant and the flow are spent', async () => {
    await createVerifiedAccount(kit, { email: 'replay@mail.com' });
    const c = freshClient();
    const sent = await startAndSend(c, 'replay@mail.com');
    const code = kit.latestCode('replay@mail.com');
    const { grant } = await c.ok('recovery.verifyCode', { flowId: sent.flowId, code });
    expect((await c.fail('recovery.verifyCode', { flowId: sent.flowId, code })).code).toBe('invalid_code');
    await c.ok('recovery.setPassword', { flowId: sent.flowId, grant, password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    expect((await c.fail('recovery.setPassword', { flowId: sent.flowId, grant, password: 'another fine passphrase', confirmPassword: 'another fine passphrase' })).code).toBe('expired');
    expect((await c.fail('recovery.verifyCode', { flowId: sent.flowId, code })).code).toBe('expired');
  });

  it('expired codes, expired grants and expired flows', async () => {
    await createVerifiedAccount(kit, { email: 'exp@mail.com' });
    const c = freshClient();
    const sent = await startAndSend(c, 'exp@mail.com');
    const code = kit.latestCode('exp@mail.com');
    kit.clock.advance(10 * MINUTE + 1);
    expect((await c.fail('recovery.verifyCode', { flowId: sent.flowId, code })).code).toBe('invalid_code');
    kit.clock.advance(5 * MINUTE);
    const gone = await c.fail('recovery.verifyCode', { flowId: sent.flowId, code });
    expect(gone.code).toBe('expired');
    expect(gone.message).toMatch(/Start again/);

    const d = freshClient();
    const sent2 = await startAndSend(d, 'exp@mail.com');
    const { grant } = await d.ok('recovery.verifyCode', { flowId: sent2.flowId, code: kit.latestCode('exp@mail.com') });
    kit.clock.advance(10 * MINUTE + 1);
    expect((await d.fail('recovery.setPassword', { flowId: sent2.flowId, grant, password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })).code).toBe('expired');
  });

  it('superseded codes: a resend makes the earlier code invalid', async () => {
    await createVerifiedAccount(kit, { email: 'sup@mail.com' });
    const c = freshClient();
    const sent = await startAndSend(c, 'sup@mail.com');
    const first = kit.latestCode('sup@mail.com');
    kit.clock.advance(61_000);
    await c.ok('recovery.resendCode', { flowId: sent.flowId });
    const second = kit.latestCode('sup@mail.com');
    if (first !== second) expect((await c.fail('recovery.verifyCode', { flowId: sent.flowId, code: first })).code).toBe('invalid_code');
    await c.ok('recovery.verifyCode', { flowId: sent.flowId, code: second });
  });

  it('cross-flow and cross-account codes do not work', async () => {
    await createVerifiedAccount(kit, { email: 'x1@mail.com' });
    await createVerifiedAccount(kit, { email: 'x2@mail.com' });
    const a = freshClient();
    const flowA = await startAndSend(a, 'x1@mail.com');
    const codeA = kit.latestCode('x1@mail.com');
    const flowA2 = await startAndSend(a, 'x1@mail.com');
    const codeA2 = kit.latestCode('x1@mail.com');
    const flowB = await startAndSend(freshClient(), 'x2@mail.com');
    if (codeA !== codeA2) expect((await a.fail('recovery.verifyCode', { flowId: flowA2.flowId, code: codeA })).code).toBe('invalid_code');
    const codeB = kit.latestCode('x2@mail.com');
    if (codeA !== codeB) expect((await a.fail('recovery.verifyCode', { flowId: flowB.flowId, code: codeA })).code).toBe('invalid_code');
    await a.ok('recovery.verifyCode', { flowId: flowA.flowId, code: codeA });
  });

  it('skipping states is refused', async () => {
    await createVerifiedAccount(kit, { email: 'skip@mail.com' });
    const c = freshClient();
    const started = await c.ok('recovery.start', { identifier: 'skip@mail.com' });
    expect((await c.fail('recovery.verifyCode', { flowId: started.flowId, code: '123456' })).code).toBe('invalid_state');
    expect((await c.fail('recovery.resendCode', { flowId: started.flowId })).code).toBe('invalid_state');
    expect((await c.fail('recovery.switchChannel', { flowId: started.flowId, channel: 'email' })).code).toBe('invalid_state');
    expect((await c.fail('recovery.setPassword', { flowId: started.flowId, grant: 'x'.repeat(43), password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })).code).toBe('invalid_state');
    const sent = await c.ok('recovery.submitPicture', { flowId: started.flowId, answer: kit.captchaAnswer() });
    expect((await c.fail('recovery.submitPicture', { flowId: sent.flowId, answer: 'ABCDEF' })).code).toBe('invalid_state');
    expect((await c.fail('recovery.newPicture', { flowId: sent.flowId })).code).toBe('invalid_state');
    expect((await c.fail('recovery.setPassword', { flowId: sent.flowId, grant: 'x'.repeat(43), password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })).code).toBe('invalid_state');
    await c.ok('recovery.verifyCode', { flowId: sent.flowId, code: kit.latestCode('skip@mail.com') });
    expect((await c.fail('recovery.setPassword', { flowId: sent.flowId, grant: 'forged-grant', password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })).code).toBe('forbidden');
    expect((await c.fail('recovery.verifyCode', { flowId: 'no-such-flow', code: '123456' })).code).toBe('expired');
  });
});

describe('picture codes', () => {
  it('replay: a picture is spent by the first answer, right or wrong; a wrong answer brings a new picture', async () => {
    await createVerifiedAccount(kit, { email: 'cap@mail.com' });
    const c = freshClient();
    const started = await c.ok('recovery.start', { identifier: 'cap@mail.com' });
    const answer = kit.captchaAnswer();
    const wrong = await c.fail('recovery.submitPicture', { flowId: started.flowId, answer: answer === 'AAAAAA' ? 'CCCCCC' : 'AAAAAA' });
    expect(wrong.code).toBe('invalid_code');
    const picture = (wrong.details as { picture?: { image?: string } } | undefined)?.picture;
    expect(picture?.image).toMatch(/^data:image\/png;base64,/);
    // The first picture's right answer is now worthless.
    const replay = await c.fail('recovery.submitPicture', { flowId: started.flowId, answer });
    expect(replay.code).toBe('invalid_code');
    await c.ok('recovery.submitPicture', { flowId: started.flowId, answer: kit.captchaAnswer() });
  });

  it('guessing: at most 10 pictures a minute per address; pictures expire after 5 minutes', async () => {
    const c = kit.client('10.9.9.9');
    const started = await c.ok('recovery.start', { identifier: 'guess@mail.com' });
    let refused: string | undefined;
    for (let i = 0; i < 10; i++) {
      const r = await c.call('recovery.newPicture', { flowId: started.flowId });
      if (!r.ok) {
        refused = r.error.code;
        expect(i).toBe(9); // the start's picture was the 1st of 10
        break;
      }
    }
    expect(refused).toBe('rate_limited');
    kit.clock.advance(61_000);
    await c.ok('recovery.newPicture', { flowId: started.flowId });
    const answer = kit.captchaAnswer();
    kit.clock.advance(5 * MINUTE + 1);
    expect((await c.fail('recovery.submitPicture', { flowId: started.flowId, answer })).code).toBe('invalid_code');
  });

  it('an answer from a different flow does not open this one', async () => {
    const a = freshClient();
    const flowA = await a.ok('recovery.start', { identifier: 'pa@mail.com' });
    const answerA = kit.captchaAnswer();
    const flowB = await a.ok('recovery.start', { identifier: 'pb@mail.com' });
    const answerB = kit.captchaAnswer();
    if (answerA !== answerB) expect((await a.fail('recovery.submitPicture', { flowId: flowB.flowId, answer: answerA })).code).toBe('invalid_code');
    await a.ok('recovery.submitPicture', { flowId: flowA.flowId, answer: answerA });
  });

  it('the clear variant is a larger picture for people who find the standard one hard to read', async () => {
    const c = freshClient();
    const started = await c.ok('recovery.start', { identifier: 'clear@mail.com' });
    const clear = await c.ok('recovery.newPicture', { flowId: started.flowId, variant: 'clear' });
    expect(clear.variant).toBe('clear');
    expect(clear.width).toBeGreaterThan(started.picture.width);
    await c.ok('recovery.submitPicture', { flowId: started.flowId, answer: kit.captchaAnswer() });
  });
});

describe('identifier tricks', () => {
  it('case, spaces, full-width digits and formatted phone numbers find the account; look-alikes and local-part case do not', async () => {
    const { accountId } = await createVerifiedAccount(kit, { email: 'sari@mail.com', phone: '+6281344445555' });
    const fullWidth = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
    const hits = ['  sari@MAIL.COM ', '(0813) 4444-5555', fullWidth('+62 813 4444 5555'), fullWidth(accountId), '0062 813 4444 5555'];
    let expected = 0;
    for (const identifier of hits) {
      kit.clock.advance(DAY);
      await startAndSend(freshClient(), identifier);
      expected++;
      const total = recoveryCodes('sari@mail.com').length + recoveryCodes('+6281344445555').length;
      expect(total, identifier).toBe(expected);
    }
    for (const identifier of ['SARI@mail.com', 's\u0430ri@mail.com' /* Cyrillic a */, 'sari@mai1.com', '+6281344445556']) {
      kit.clock.advance(DAY);
      const sent = await startAndSend(freshClient(), identifier);
      expect(sent.state).toBe('code_sent');
      expect(recoveryCodes('sari@mail.com').length + recoveryCodes('+6281344445555').length, identifier).toBe(expected);
    }
  });

  it('injection strings and 10 KB identifiers are refused or simply match nothing; the data is intact', async () => {
    await createVerifiedAccount(kit, { email: 'safe@mail.com' });
    for (const identifier of ["' OR 1=1 --", "x'; DROP TABLE accounts; --", '"><script>alert(1)</script>', 'a'.repeat(10_240), `${'1'.repeat(10_240)}@mail.com`]) {
      const r = await freshClient().call('recovery.start', { identifier });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('invalid_input');
    }
    // A valid address that looks like SQL is just an address nobody has.
    const sent = await startAndSend(freshClient(), "o'brien--@mail.com");
    expect(sent.state).toBe('code_sent');
    await kit.client().ok('account.signIn', { account: 'safe@mail.com', password: STRONG_PASSWORD });
    expect((await kit.client().fail('account.signIn', { account: "' OR '1'='1", password: "' OR '1'='1" })).code).toBe('invalid_input');
  });

  it('a 1 MB password is refused before any hashing, quickly', async () => {
    await createVerifiedAccount(kit, { email: 'big@mail.com' });
    const huge = 'x'.repeat(1024 * 1024);
    const before = kit.services.hasher.operations;
    const c = kit.client();
    const times: number[] = [];
    for (const [method, input] of [
      ['account.signIn', { account: 'big@mail.com', password: huge }],
      ['account.signUp', { email: 'big2@mail.com', password: huge, confirmPassword: huge }],
      ['account.passwordStrength', { password: huge }],
    ] as const) {
      const t0 = performance.now();
      const r = await c.call(method, input as never);
      times.push(performance.now() - t0);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('invalid_input');
    }
    // Just above the schema bound, the policy answers (still without hashing).
    const long = 'y'.repeat(1000);
    const policy = await c.fail('account.signUp', { email: 'big3@mail.com', password: long, confirmPassword: long });
    expect(policy).toMatchObject({ code: 'weak_password', details: { problem: 'too_long' } });
    expect(kit.services.hasher.operations).toBe(before);
    expect(Math.min(...times)).toBeLessThan(50);
  });
});

describe('after a recovery', () => {
  it('every session is revoked, exactly one notice reaches each verified channel, and the 24 h device hold runs', async () => {
    const { accountId } = await createVerifiedAccount(kit, { email: 'after@mail.com', phone: '+6281377778888' });
    const s1 = kit.client();
    const s2 = kit.client();
    await s1.ok('account.signIn', { account: 'after@mail.com', password: STRONG_PASSWORD });
    await s2.ok('account.signIn', { account: '+6281377778888', password: STRONG_PASSWORD, keepSignedIn: true });
    // Another open flow of the same account ends too.
    const other = await startAndSend(freshClient(), 'after@mail.com');
    kit.clock.advance(61_000);
    const c = freshClient();
    const sent = await startAndSend(c, '+6281377778888');
    const { grant } = await c.ok('recovery.verifyCode', { flowId: sent.flowId, code: kit.latestCode('+6281377778888') });
    expect(kit.services.isRecoveryHoldActive(accountId)).toBe(false);
    const done = await c.ok('recovery.setPassword', { flowId: sent.flowId, grant, password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    expect(done.sessionsEnded).toBeGreaterThanOrEqual(3);
    for (const s of [s1, s2]) expect((await s.fail('account.me', {})).code).toBe('not_signed_in');
    expect((await c.fail('recovery.verifyCode', { flowId: other.flowId, code: '123456' })).code).toBe('expired');
    const notices = (to: string) => kit.outbox(to).filter((m) => m.text.includes('password was changed'));
    expect(notices('after@mail.com')).toHaveLength(1);
    expect(notices('+6281377778888')).toHaveLength(1);
    expect(notices('after@mail.com')[0]?.text).toMatch(/24 hours/);
    expect(notices('after@mail.com')[0]?.text).not.toMatch(/\d{3} \d{3}/);
    expect(kit.services.isRecoveryHoldActive(accountId)).toBe(true);
    kit.clock.advance(DAY - 1000);
    expect(kit.services.isRecoveryHoldActive(accountId)).toBe(true);
    kit.clock.advance(1001);
    expect(kit.services.isRecoveryHoldActive(accountId)).toBe(false);
    const log = await (async () => {
      const s = kit.client();
      await s.ok('account.signIn', { account: accountId, password: NEW_PASSWORD });
      return s.ok('account.securityLog', { limit: 500 });
    })();
    const events = log.map((e) => e.event);
    for (const e of ['recovery_started', 'recovery_code_sent', 'recovery_code_verified', 'recovery_password_set', 'notice_sent']) expect(events).toContain(e);
    expect(JSON.stringify(log)).not.toContain(NEW_PASSWORD);
  });

  it('recovery while signed in: the session in the same window ends, and there is no automatic sign-in', async () => {
    await createVerifiedAccount(kit, { email: 'inside@mail.com' });
    const c = freshClient();
    await c.ok('account.signIn', { account: 'inside@mail.com', password: STRONG_PASSWORD });
    const sent = await startAndSend(c, 'inside@mail.com');
    const { grant } = await c.ok('recovery.verifyCode', { flowId: sent.flowId, code: kit.latestCode('inside@mail.com') });
    await c.ok('account.me', {});
    await c.ok('recovery.setPassword', { flowId: sent.flowId, grant, password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    expect(c.session.get()).toBeUndefined();
    expect((await c.fail('account.me', {})).code).toBe('not_signed_in');
  });

  it('links in messages come only from the configured public URL', async () => {
    await createVerifiedAccount(kit, { email: 'link@mail.com' });
    const c = freshClient();
    const sent = await startAndSend(c, 'link@mail.com');
    const { grant } = await c.ok('recovery.verifyCode', { flowId: sent.flowId, code: kit.latestCode('link@mail.com') });
    await c.ok('recovery.setPassword', { flowId: sent.flowId, grant, password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    const urls = kit.outbox('link@mail.com').flatMap((m) => m.text.match(/https?:\/\/\S+/g) ?? []);
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect(url.startsWith('https://lifeline.example/')).toBe(true);
  });
});

describe('inbox flooding and delivery', () => {
  it('at most 5 messages an hour and 10 a day reach one inbox, however many flows are started', async () => {
    await createVerifiedAccount(kit, { email: 'flood@mail.com' });
    const before = kit.outbox('flood@mail.com').length;
    for (let i = 0; i < 12; i++) {
      const c = freshClient();
      const started = await c.ok('recovery.start', { identifier: 'flood@mail.com' });
      const r = await c.call('recovery.submitPicture', { flowId: started.flowId, answer: kit.captchaAnswer() });
      if (r.ok) {
        kit.clock.advance(61_000);
        await c.call('recovery.resendCode', { flowId: started.flowId });
      }
      kit.clock.advance(1000);
    }
    expect(kit.outbox('flood@mail.com').length - before).toBe(5);
    let total = kit.outbox('flood@mail.com').length - before;
    for (let h = 0; h < 6; h++) {
      kit.clock.advance(HOUR);
      for (let i = 0; i < 6; i++) {
        const c = freshClient();
        const started = await c.ok('recovery.start', { identifier: 'flood@mail.com' });
        await c.call('recovery.submitPicture', { flowId: started.flowId, answer: kit.captchaAnswer() });
      }
      total = kit.outbox('flood@mail.com').length - before;
    }
    expect(total).toBe(10);
  });

  it('a shared host refuses recovery when only the sandbox outbox is configured', async () => {
    const shared = createKit({ config: { host: '0.0.0.0' } });
    try {
      const error = await shared.client().fail('recovery.start', { identifier: 'any@mail.com' });
      expect(error.code).toBe('unavailable');
      expect(error.message).toMatch(/LIFELINE_SMTP_URL/);
    } finally {
      shared.close();
    }
  });

  it('a disabled account gets no message and the same answer', async () => {
    const { accountId } = await createVerifiedAccount(kit, { email: 'off@mail.com' });
    kit.services.store.setDisabled(accountId, true);
    const sent = await startAndSend(freshClient(), 'off@mail.com');
    expect(sent.sentTo).toEqual({ channel: 'email', masked: 'of****@mail.com' });
    expect(recoveryCodes('off@mail.com')).toHaveLength(0);
    expect((await kit.client().fail('account.signIn', { account: 'off@mail.com', password: STRONG_PASSWORD })).code).toBe('account_disabled');
  });
});

describe('forgotten account', () => {
  it('sends the matching account IDs to the channel; the answer is the same masked confirmation in every case', async () => {
    const one = await createVerifiedAccount(kit, { email: 'family@mail.com' });
    const two = await createVerifiedAccount(kit, { email: 'family@mail.com', phone: '+6281355556666' });
    const c = freshClient();
    const p1 = await c.ok('recovery.lookupPicture', {});
    const hit = await c.ok('recovery.lookupAccount', { identifier: 'family@mail.com', pictureId: p1.pictureId, answer: kit.captchaAnswer() });
    const p2 = await c.ok('recovery.lookupPicture', {});
    const miss = await c.ok('recovery.lookupAccount', { identifier: 'fam1ly@mail.com', pictureId: p2.pictureId, answer: kit.captchaAnswer() });
    expect(hit.sentTo).toEqual({ channel: 'email', masked: 'fa****@mail.com' });
    expect(strip(miss, ['sentTo'])).toEqual(strip(hit, ['sentTo']));
    const list = kit.outbox('family@mail.com').filter((m) => m.subject === 'Your Lifeline account IDs');
    expect(list).toHaveLength(1);
    const digits = list[0]?.text.replace(/ /g, '') ?? '';
    expect(digits).toContain(one.accountId);
    expect(digits).toContain(two.accountId);
    expect(kit.outbox('fam1ly@mail.com')).toHaveLength(0);
    // The picture of a finished look-up cannot be used again.
    expect((await c.fail('recovery.lookupAccount', { identifier: 'family@mail.com', pictureId: p1.pictureId, answer: 'AAAAAA' })).code).toBe('invalid_code');
    // Recovery by a shared address cannot pick an account: it sends the ID list instead of a code.
    const shared = await startAndSend(freshClient(), 'family@mail.com');
    expect(shared.state).toBe('code_sent');
    expect(kit.outbox('family@mail.com').filter((m) => m.subject === 'Your Lifeline account IDs')).toHaveLength(2);
  });

  it('at most 5 look-ups per IP an hour and 3 per identifier a day', async () => {
    await createVerifiedAccount(kit, { email: 'look@mail.com' });
    const lookup = async (c: Client, identifier: string) => {
      const p = await c.ok('recovery.lookupPicture', {});
      return c.call('recovery.lookupAccount', { identifier, pictureId: p.pictureId, answer: kit.captchaAnswer() });
    };
    const c = kit.client('10.7.7.7');
    for (let i = 0; i < 5; i++) expect((await lookup(c, `who${i}@mail.com`)).ok).toBe(true);
    const sixth = await lookup(c, 'who9@mail.com');
    expect(!sixth.ok && sixth.error.code).toBe('rate_limited');
    for (let i = 0; i < 3; i++) expect((await lookup(freshClient(), 'look@mail.com')).ok).toBe(true);
    const fourth = await lookup(freshClient(), 'look@mail.com');
    expect(!fourth.ok && fourth.error.code).toBe('rate_limited');
    expect(kit.outbox('look@mail.com').filter((m) => m.subject === 'Your Lifeline account IDs')).toHaveLength(3);
    kit.clock.advance(DAY + 1);
    expect((await lookup(freshClient(), 'look@mail.com')).ok).toBe(true);
  });
});
