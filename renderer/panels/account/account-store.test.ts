import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../../contract';
import { createClient } from '../../api/client';
import { createMemoryTransport, type MemoryHandler } from '../../api/memory-transport';
import { createAccountStore } from './account-store';

const ok = <T>(value: T): Envelope<T> => ({ ok: true, value });
const fail = (code: string, message: string, details?: Record<string, unknown>) => ({ ok: false as const, error: { code, message, ...(details ? { details } : {}) } }) as Envelope<never>;
const account = { accountId: '4740110051', email: 'ana@example.test', emailVerified: false, phoneVerified: false, language: 'en' as const, createdAt: 1, passwordChangedAt: 1 };
const picture = (id: string, variant: 'standard' | 'clear' = 'standard') => ({ pictureId: id, image: 'data:image/png;base64,AAAA', alt: 'Picture code', width: 200, height: 70, variant, expiresAt: 9 });
const sent = (channel: 'email' | 'sms', masked: string) => ({
  flowId: 'f1',
  state: 'code_sent' as const,
  sentTo: { channel, masked },
  channels: [
    { channel: 'email' as const, masked: 'an****@example.test' },
    { channel: 'sms' as const, masked: '+62****90' },
  ],
  codeExpiresAt: 600_000,
  resendAvailableAt: 60_000,
  sendsLeft: 2,
  expiresAt: 900_000,
  delivery: { sandbox: true, outboxDir: '/data/outbox' },
});

function setUp(handlers: Record<string, MemoryHandler>, options: { hint?: boolean } = {}) {
  const transport = createMemoryTransport(handlers);
  let now = 1_000_000;
  let hint = options.hint ?? false;
  const store = createAccountStore(createClient(transport), { now: () => now, signedInHint: { get: () => hint, set: (v) => (hint = v) } });
  return { store, transport, advance: (ms: number) => (now += ms), hint: () => hint, now: () => now };
}

describe('the account store', () => {
  it('opens on sign-in without asking the host when this window was not signed in', async () => {
    const { store, transport } = setUp({});
    await store.getState().accountOpened();
    expect(store.getState().screen).toBe('signIn');
    expect(transport.calls).toEqual([]);
  });

  it('finds the session again after a reload, and forgets the hint when the session is gone', async () => {
    const signedIn = setUp({ 'account.me': () => ok(account) }, { hint: true });
    await signedIn.store.getState().accountOpened();
    expect(signedIn.store.getState().screen).toBe('overview');
    expect(signedIn.store.getState().account?.accountId).toBe('4740110051');

    const gone = setUp({ 'account.me': () => fail('unauthorized', 'Open Lifeline from the link the host printed.') }, { hint: true });
    await gone.store.getState().accountOpened();
    expect(gone.store.getState().screen).toBe('signIn');
    expect(gone.hint()).toBe(false);
  });

  it('asks for a picture code after three failed sign-ins and sends its answer with the next try', async () => {
    let tries = 0;
    const { store, transport } = setUp({
      // Over HTTP a wrong password (401) arrives as `unauthorized`, without details.
      'account.signIn': () => (++tries < 5 ? fail('unauthorized', 'Open Lifeline from the link the host printed.') : ok({ account, sessionExpiresAt: 5 })),
      'account.signInPicture': () => ok(picture('p1')),
    });
    const attempt = { account: 'ana@example.test', password: 'nope nope nope', keepSignedIn: false };
    await store.getState().signInSubmitted(attempt);
    await store.getState().signInSubmitted(attempt);
    expect(store.getState().signIn.picture).toBeUndefined();
    expect(store.getState().signIn.error).toEqual({ code: 'invalid_credentials', message: '' });
    await store.getState().signInSubmitted(attempt);
    expect(store.getState().signIn.picture?.pictureId).toBe('p1');

    await store.getState().signInSubmitted({ ...attempt, pictureAnswer: 'ABC123' });
    expect(transport.calls.filter((c) => c.method === 'account.signIn').at(-1)?.input).toMatchObject({ pictureId: 'p1', pictureAnswer: 'ABC123' });
    expect(await store.getState().signInSubmitted({ ...attempt, pictureAnswer: 'XYZ789' })).toBe(true);
    expect(store.getState().screen).toBe('overview');
  });

  it('signs up, shows the welcome screen with a code box per channel, and marks a channel verified', async () => {
    const { store, hint, now } = setUp({
      'account.signUp': () => ok({ account, codesSentTo: [{ channel: 'email', masked: 'an****@example.test' }], codesNotSent: [{ channel: 'sms', masked: '+62****90' }], delivery: { sandbox: true } }),
      'account.verifyChannel': () => ok({ ...account, emailVerified: true }),
    });
    await store.getState().signUpSubmitted({ email: ' ana@example.test ', phone: '', password: 'a long phrase', confirmPassword: 'a long phrase', language: 'en' });
    const state = store.getState();
    expect(state.screen).toBe('welcome');
    expect(hint()).toBe(true);
    expect(state.verify.email).toMatchObject({ status: 'sent', resendAt: now() + 60_000 });
    expect(state.verify.sms).toMatchObject({ status: 'notSent' });
    await store.getState().verificationCodeSubmitted('email', '123 456');
    expect(store.getState().verify.email?.status).toBe('verified');
    expect(store.getState().account?.emailVerified).toBe(true);
  });

  it('walks a recovery: a wrong picture brings the new one, the cooldown is local, an expired flow says start again', async () => {
    let answers = 0;
    const { store, now } = setUp({
      'recovery.start': () => ok({ flowId: 'f1', state: 'awaiting_captcha', expiresAt: 9, picture: picture('p1'), delivery: { sandbox: true } }),
      'recovery.submitPicture': () =>
        ++answers === 1 ? fail('invalid_code', 'The characters did not match the picture.', { picture: picture('p2') }) : ok(sent('email', 'an****@example.test')),
      'recovery.switchChannel': () => fail('rate_limited', 'A code was sent a moment ago. Try again in 42 seconds.', { retryAfterMs: 42_000 }),
      'recovery.verifyCode': () => fail('expired', 'This recovery has expired. Start again.'),
    });
    store.getState().forgotPasswordChosen();
    expect(store.getState().recovery.step).toBe('intro');
    store.getState().recoveryStartChosen();
    await store.getState().identifierSubmitted('ana@example.test', 'en');
    expect(store.getState().recovery).toMatchObject({ step: 'picture', flowId: 'f1' });

    await store.getState().pictureAnswerSubmitted('WRONG1');
    expect(store.getState().recovery.picture?.pictureId).toBe('p2');
    expect(store.getState().recovery.error?.code).toBe('invalid_code');

    await store.getState().pictureAnswerSubmitted('RIGHT1');
    expect(store.getState().recovery).toMatchObject({ step: 'code', resendAt: now() + 60_000, error: undefined });

    await store.getState().channelChosen('sms');
    expect(store.getState().recovery).toMatchObject({ step: 'code', resendAt: now() + 42_000 });

    await store.getState().codeSubmitted('123456');
    expect(store.getState().recovery.step).toBe('expired');
    store.getState().recoveryRestartChosen();
    expect(store.getState().recovery).toMatchObject({ step: 'identifier', flowId: undefined });
  });

  it('ends the recovery with the count of ended sessions and forgets this window\'s session', async () => {
    const { store, hint } = setUp(
      {
        'recovery.start': () => ok({ flowId: 'f1', state: 'awaiting_captcha', expiresAt: 9, picture: picture('p1'), delivery: { sandbox: true } }),
        'recovery.submitPicture': () => ok(sent('sms', '+62****90')),
        'recovery.verifyCode': () => ok({ flowId: 'f1', state: 'code_verified', grant: 'g1', grantExpiresAt: 9 }),
        'recovery.setPassword': (input) => ((input as { grant: string }).grant === 'g1' ? ok({ state: 'password_set', sessionsEnded: 2, deviceHoldUntil: 9 }) : fail('forbidden', 'no')),
      },
      { hint: true },
    );
    store.getState().forgotPasswordChosen();
    await store.getState().identifierSubmitted('+6281234567890', 'en');
    await store.getState().pictureAnswerSubmitted('RIGHT1');
    await store.getState().codeSubmitted('123456');
    expect(store.getState().recovery.step).toBe('password');
    await store.getState().newPasswordSubmitted('a new long phrase', 'a new long phrase');
    expect(store.getState().recovery).toMatchObject({ step: 'done', result: { sessionsEnded: 2 }, grant: undefined });
    expect(hint()).toBe(false);
  });

  it('shows only the newest strength answer when answers come back out of order', async () => {
    const pending: ((value: Envelope<unknown>) => void)[] = [];
    const { store } = setUp({ 'account.passwordStrength': () => new Promise((resolve) => pending.push(resolve)) });
    const first = store.getState().passwordTyped('signUp', 'pass');
    const second = store.getState().passwordTyped('signUp', 'passage of time');
    pending[1]?.(ok({ score: 3, suggestions: [], acceptable: true }));
    pending[0]?.(ok({ score: 0, suggestions: [], acceptable: false, problem: 'too short' }));
    await Promise.all([first, second]);
    expect(store.getState().strength).toMatchObject({ form: 'signUp', password: 'passage of time', result: { score: 3 } });
  });

  it('the same masked confirmation for a forgotten account, and a fresh picture after a wrong answer', async () => {
    let n = 0;
    const { store } = setUp({
      'recovery.lookupPicture': () => ok(picture(`p${++n}`)),
      'recovery.lookupAccount': (input) =>
        (input as { answer: string }).answer === 'RIGHT1'
          ? ok({ sentTo: { channel: 'email', masked: 'no****@example.test' }, delivery: { sandbox: true } })
          : fail('invalid_code', 'The characters did not match the picture.', { picture: picture('p9') }),
    });
    store.getState().findAccountChosen();
    await Promise.resolve();
    await store.getState().lookupOpened();
    await store.getState().lookupSubmitted({ identifier: 'nobody@example.test', answer: 'WRONG1', language: 'en' });
    expect(store.getState().lookup.picture?.pictureId).toBe('p9');
    await store.getState().lookupSubmitted({ identifier: 'nobody@example.test', answer: 'RIGHT1', language: 'en' });
    expect(store.getState().lookup.sentTo).toEqual({ channel: 'email', masked: 'no****@example.test' });
  });
});
