import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MINUTE } from '../services/account/limiter';
import { createKit, createVerifiedAccount, NEW_PASSWORD, STRONG_PASSWORD, type Kit } from './account-test-kit';

let kit: Kit;
beforeEach(() => {
  kit = createKit();
});
afterEach(() => kit.close());

describe('sign-up and channel verification', () => {
  it('creates a 10-digit account, signs it in, and verifies email and phone with the 6-digit codes sent to them', async () => {
    const c = kit.client();
    const result = await c.ok('account.signUp', {
      email: '  Rina.Putri@Mail.COM ',
      phone: '0812-3456-7890',
      password: STRONG_PASSWORD,
      confirmPassword: STRONG_PASSWORD,
      language: 'id',
    });
    expect(result.account.accountId).toMatch(/^[1-9]\d{9}$/);
    expect(result.account.email).toBe('Rina.Putri@mail.com');
    expect(result.account.phone).toBe('+6281234567890');
    expect(result.account.emailVerified).toBe(false);
    expect(result.codesSentTo).toEqual([
      { channel: 'email', masked: 'Ri****@mail.com' },
      { channel: 'sms', masked: '+62****90' },
    ]);
    expect(result.delivery.sandbox).toBe(true);
    expect(c.session.get()).toBeDefined();

    const mail = kit.outbox('Rina.Putri@mail.com');
    expect(mail).toHaveLength(1);
    expect(mail[0]?.text).toMatch(/Kode verifikasi Lifeline Anda adalah \d{3} \d{3}\./);

    const wrong = await c.fail('account.verifyChannel', { channel: 'email', code: '000000' });
    expect(wrong.code).toBe('invalid_code');
    const verified = await c.ok('account.verifyChannel', { channel: 'email', code: kit.latestCode('Rina.Putri@mail.com') });
    expect(verified.emailVerified).toBe(true);
    // Full-width digits and a space are fine.
    const fullWidth = kit.latestCode('+6281234567890').replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
    const both = await c.ok('account.verifyChannel', { channel: 'sms', code: `${fullWidth.slice(0, 3)} ${fullWidth.slice(3)}` });
    expect(both.phoneVerified).toBe(true);
    const me = await c.ok('account.me', {});
    expect(me.accountId).toBe(result.account.accountId);
  });

  it('refuses a sign-up without any channel, with mismatched passwords, and with a common password (saying why)', async () => {
    const c = kit.client();
    expect((await c.fail('account.signUp', { password: STRONG_PASSWORD, confirmPassword: STRONG_PASSWORD })).code).toBe('invalid_input');
    const mismatch = await c.fail('account.signUp', { email: 'a@b.co', password: STRONG_PASSWORD, confirmPassword: `${STRONG_PASSWORD}x` });
    expect(mismatch.code).toBe('weak_password');
    const common = await c.fail('account.signUp', { email: 'a@b.co', password: 'password123', confirmPassword: 'password123' });
    expect(common).toMatchObject({ code: 'weak_password', details: { problem: 'common' } });
    expect(common.message).toMatch(/most common/);
    const own = await c.fail('account.signUp', { email: 'budi.santoso@mail.com', password: 'budi.santoso!!', confirmPassword: 'budi.santoso!!' });
    expect(own).toMatchObject({ code: 'weak_password', details: { problem: 'contains_email' } });
  });

  it('a verification code works once, expires after 10 minutes, and gives 5 tries', async () => {
    const c = kit.client();
    await c.ok('account.signUp', { email: 'tries@mail.com', password: STRONG_PASSWORD, confirmPassword: STRONG_PASSWORD });
    const code = kit.latestCode('tries@mail.com');
    kit.clock.advance(10 * MINUTE + 1);
    expect((await c.fail('account.verifyChannel', { channel: 'email', code })).code).toBe('invalid_code');
    await c.ok('account.resendVerification', { channel: 'email' });
    const fresh = kit.latestCode('tries@mail.com');
    const wrongCode = fresh === '111111' ? '222222' : '111111';
    for (let i = 0; i < 5; i++) expect((await c.fail('account.verifyChannel', { channel: 'email', code: wrongCode })).code).toBe('invalid_code');
    // The 6th try is refused even with the right code.
    expect((await c.fail('account.verifyChannel', { channel: 'email', code: fresh })).code).toBe('invalid_code');
  });
});

describe('sign-in, sessions and sign-out', () => {
  it('signs in with email, phone (local or international form) and account ID (with spaces), and lists sessions', async () => {
    const { accountId } = await createVerifiedAccount(kit, { email: 'dewi@mail.com', phone: '+62 811 2233 4455' });
    const spaced = `${accountId.slice(0, 3)} ${accountId.slice(3, 6)} ${accountId.slice(6)}`;
    for (const account of ['dewi@MAIL.com', '0811-2233-4455', '+6281122334455', spaced]) {
      const c = kit.client();
      const result = await c.ok('account.signIn', { account, password: STRONG_PASSWORD });
      expect(result.account.accountId).toBe(accountId);
    }
    const c = kit.client('192.0.2.9', 'Browser X');
    await c.ok('account.signIn', { account: 'dewi@mail.com', password: STRONG_PASSWORD, keepSignedIn: true });
    const sessions = await c.ok('account.sessions', {});
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
    expect(sessions.find((s) => s.current)).toMatchObject({ keepSignedIn: true, ip: '192.0.2.9', userAgent: 'Browser X' });
    expect(sessions.length).toBeGreaterThanOrEqual(5);
  });

  it('ends any session from the list at once, and sign-out ends the current one', async () => {
    await createVerifiedAccount(kit, { email: 'sess@mail.com' });
    const a = kit.client();
    const b = kit.client();
    await a.ok('account.signIn', { account: 'sess@mail.com', password: STRONG_PASSWORD });
    await b.ok('account.signIn', { account: 'sess@mail.com', password: STRONG_PASSWORD });
    const bId = (await b.ok('account.sessions', {})).find((s) => s.current)?.sessionId ?? '';
    expect(await a.ok('account.endSession', { sessionId: bId })).toEqual({ ended: true });
    expect((await b.fail('account.me', {})).code).toBe('not_signed_in');
    expect(b.session.get()).toBeUndefined();
    expect(await a.ok('account.signOut', {})).toEqual({ signedOut: true });
    expect((await a.fail('account.me', {})).code).toBe('not_signed_in');
  });

  it('a session ends after 30 idle minutes and after 12 hours in any case', async () => {
    await createVerifiedAccount(kit, { email: 'idle@mail.com' });
    const c = kit.client();
    await c.ok('account.signIn', { account: 'idle@mail.com', password: STRONG_PASSWORD });
    kit.clock.advance(29 * MINUTE);
    await c.ok('account.me', {});
    kit.clock.advance(29 * MINUTE);
    await c.ok('account.me', {});
    kit.clock.advance(31 * MINUTE);
    expect((await c.fail('account.me', {})).code).toBe('not_signed_in');

    const d = kit.client();
    await d.ok('account.signIn', { account: 'idle@mail.com', password: STRONG_PASSWORD });
    for (let i = 0; i < 24; i++) {
      kit.clock.advance(29 * MINUTE);
      await d.ok('account.me', {});
    }
    kit.clock.advance(29 * MINUTE);
    expect((await d.fail('account.me', {})).code).toBe('not_signed_in');
  });

  it('session methods need a session', async () => {
    const c = kit.client();
    for (const method of ['account.me', 'account.sessions', 'account.securityLog'] as const) {
      expect((await c.fail(method, {})).code).toBe('not_signed_in');
    }
    c.session.set('forged-token-value');
    expect((await c.fail('account.me', {})).code).toBe('not_signed_in');
    expect(c.session.get()).toBeUndefined();
  });

  it('one generic failure for a wrong password and an unknown account', async () => {
    await createVerifiedAccount(kit, { email: 'known@mail.com' });
    const wrong = await kit.client('192.0.2.1').fail('account.signIn', { account: 'known@mail.com', password: 'not the password at all' });
    const unknown = await kit.client('192.0.2.2').fail('account.signIn', { account: 'nobody@mail.com', password: 'not the password at all' });
    expect(wrong).toEqual(unknown);
    expect(wrong.code).toBe('invalid_credentials');
  });

  it('takes as long for an unknown account as for a wrong password (dummy hash; median difference < 10 ms)', async () => {
    await createVerifiedAccount(kit, { email: 'even@mail.com' });
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 80; i++) {
      const c = kit.client(`192.0.3.${i}`);
      const t0 = performance.now();
      const error = await c.fail('account.signIn', { account: i % 2 === 0 ? 'even@mail.com' : 'odd@mail.com', password: 'not the password 1' });
      (i % 2 === 0 ? known : unknown).push(performance.now() - t0);
      expect(error.code).toBe('invalid_credentials');
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    expect(Math.abs(median(known) - median(unknown))).toBeLessThan(10);
  });

  it('asks for a picture code after 3 failures, blocks account+IP for an hour after 10, and never for good', async () => {
    await createVerifiedAccount(kit, { email: 'lock@mail.com' });
    const c = kit.client('192.0.2.50');
    const tryWrong = async () => {
      const first = await c.call('account.signIn', { account: 'lock@mail.com', password: 'wrong password here' });
      if (first.ok) throw new Error('signed in with a wrong password');
      if (first.error.details?.pictureRequired !== true || first.error.message.includes('not right')) return first.error;
      const picture = await c.ok('account.signInPicture', {});
      return c.fail('account.signIn', { account: 'lock@mail.com', password: 'wrong password here', pictureId: picture.pictureId, pictureAnswer: kit.captchaAnswer() });
    };
    for (let i = 1; i <= 3; i++) expect((await tryWrong()).code).toBe('invalid_credentials');
    // The 4th attempt needs a picture code, even with the right password.
    const needs = await c.fail('account.signIn', { account: 'lock@mail.com', password: STRONG_PASSWORD });
    expect(needs).toMatchObject({ code: 'invalid_credentials', details: { pictureRequired: true } });
    const picture = await c.ok('account.signInPicture', {});
    const badPicture = await c.fail('account.signIn', { account: 'lock@mail.com', password: STRONG_PASSWORD, pictureId: picture.pictureId, pictureAnswer: 'AAAAAA' });
    expect(badPicture.code).toBe('invalid_code');
    for (let i = 4; i <= 10; i++) expect((await tryWrong()).code).toBe('invalid_credentials');
    const blocked = await c.fail('account.signIn', { account: 'lock@mail.com', password: STRONG_PASSWORD });
    expect(blocked.code).toBe('rate_limited');
    // Another address is not blocked (anonymous failures cannot lock the owner out).
    await kit.client('192.0.2.51').ok('account.signIn', { account: 'lock@mail.com', password: STRONG_PASSWORD });
    kit.clock.advance(60 * MINUTE + 1);
    await c.ok('account.signIn', { account: 'lock@mail.com', password: STRONG_PASSWORD });
  });

  it('at most 100 failures per IP a day, across accounts', async () => {
    const c = kit.client('192.0.2.77');
    for (let i = 0; i < 100; i++) {
      // A different unknown account each time, so the per-account streak never asks for a picture.
      const error = await c.fail('account.signIn', { account: `user${i}@mail.com`, password: 'wrong password here' });
      expect(error.code).toBe('invalid_credentials');
    }
    expect((await c.fail('account.signIn', { account: 'user-x@mail.com', password: 'wrong password here' })).code).toBe('rate_limited');
    kit.clock.advance(24 * 60 * MINUTE + 1);
    expect((await c.fail('account.signIn', { account: 'user-y@mail.com', password: 'wrong password here' })).code).toBe('invalid_credentials');
  });

  it('accounts made with someone else\'s unverified email cannot crowd the owner out of signing in by email', async () => {
    const { accountId } = await createVerifiedAccount(kit, { email: 'owner@mail.com' });
    for (let i = 0; i < 6; i++) {
      await kit.client(`198.51.100.${50 + i}`).ok('account.signUp', { email: 'owner@mail.com', password: `squatter pass ${i}x`, confirmPassword: `squatter pass ${i}x` });
    }
    const result = await kit.client().ok('account.signIn', { account: 'owner@mail.com', password: STRONG_PASSWORD });
    expect(result.account.accountId).toBe(accountId);
  });

  it('re-hashes the password at sign-in when the parameters changed', async () => {
    const { accountId } = await createVerifiedAccount(kit, { email: 'rehash@mail.com' });
    // Simulate an older parameter set: store a hash made with t=2 instead of the current t=1.
    const { hash } = await import('@node-rs/argon2');
    kit.services.store.setPasswordHash(accountId, await hash(STRONG_PASSWORD, { memoryCost: 1024, timeCost: 2, parallelism: 1 }), undefined);
    await kit.client().ok('account.signIn', { account: 'rehash@mail.com', password: STRONG_PASSWORD });
    const after = kit.services.store.get(accountId)?.password_hash ?? '';
    expect(after).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
  });
});

describe('changes that need the current password', () => {
  it('changes the password: other sessions end, every verified channel is told, the current session stays', async () => {
    await createVerifiedAccount(kit, { email: 'chg@mail.com', phone: '+628155500011' });
    const a = kit.client();
    const b = kit.client();
    await a.ok('account.signIn', { account: 'chg@mail.com', password: STRONG_PASSWORD });
    await b.ok('account.signIn', { account: 'chg@mail.com', password: STRONG_PASSWORD });
    const wrong = await a.fail('account.changePassword', { currentPassword: 'nope nope nope', newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    expect(wrong.code).toBe('invalid_credentials');
    const result = await a.ok('account.changePassword', { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    expect(result.otherSessionsEnded).toBeGreaterThanOrEqual(2);
    expect((await b.fail('account.me', {})).code).toBe('not_signed_in');
    await a.ok('account.me', {});
    expect(kit.outbox('chg@mail.com').filter((m) => m.subject === 'Your Lifeline password was changed')).toHaveLength(1);
    expect(kit.outbox('+628155500011').filter((m) => m.text.startsWith('Your Lifeline password was changed'))).toHaveLength(1);
    await kit.client().ok('account.signIn', { account: 'chg@mail.com', password: NEW_PASSWORD });
  });

  it('changes email and phone: the old channels are told, the new one gets a code and starts unverified', async () => {
    const { client } = await createVerifiedAccount(kit, { email: 'old@mail.com', phone: '+628155500022' });
    const result = await client.ok('account.changeEmail', { currentPassword: STRONG_PASSWORD, email: 'new@mail.com' });
    expect(result.account).toMatchObject({ email: 'new@mail.com', emailVerified: false });
    expect(kit.outbox('old@mail.com').at(-1)?.text).toMatch(/changed to ne\*\*\*\*@mail\.com/);
    expect(kit.outbox('+628155500022').at(-1)?.text).toMatch(/changed to ne\*\*\*\*@mail\.com/);
    await client.ok('account.verifyChannel', { channel: 'email', code: kit.latestCode('new@mail.com') });

    const phone = await client.ok('account.changePhone', { currentPassword: STRONG_PASSWORD, phone: '+1 202 555 0143' });
    expect(phone.account).toMatchObject({ phone: '+12025550143', phoneVerified: false });
    expect(kit.outbox('+628155500022').at(-1)?.text).toMatch(/phone number of your Lifeline account was changed to \+1\*\*\*\*43/);
    expect((await client.fail('account.changePhone', { currentPassword: 'wrong wrong', phone: '+1 202 555 0199' })).code).toBe('invalid_credentials');
  });

  it('keeps a security log, newest first, without codes or passwords', async () => {
    const { client } = await createVerifiedAccount(kit, { email: 'log@mail.com' });
    await kit.client('192.0.2.3').fail('account.signIn', { account: 'log@mail.com', password: 'Wrong-Password-99' });
    const log = await client.ok('account.securityLog', {});
    expect(log[0]?.event).toBe('sign_in_failed');
    expect(log[0]?.ip).toBe('192.0.2.3');
    expect(log.map((e) => e.event)).toContain('account_created');
    const ids = log.map((e) => e.id);
    expect([...ids].sort((x, y) => y - x)).toEqual(ids);
    const text = JSON.stringify(log);
    expect(text).not.toContain(STRONG_PASSWORD);
    expect(text).not.toContain('Wrong-Password-99');
    expect(text).not.toMatch(/\b\d{6}\b/);
  });
});

describe('password strength for the meter', () => {
  it('scores a password and says whether the policy accepts it', async () => {
    const c = kit.client();
    const weak = await c.ok('account.passwordStrength', { password: 'password1' });
    expect(weak).toMatchObject({ acceptable: false, score: 0 });
    expect(weak.problem).toMatch(/common/);
    const strong = await c.ok('account.passwordStrength', { password: 'correct horse battery staple 9' });
    expect(strong.acceptable).toBe(true);
    expect(strong.score).toBeGreaterThanOrEqual(3);
    const own = await c.ok('account.passwordStrength', { password: 'ekowidodo2024', email: 'ekowidodo@mail.com' });
    expect(own.acceptable).toBe(false);
  });
});
