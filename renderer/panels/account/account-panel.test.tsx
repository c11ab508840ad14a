// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Envelope } from '../../../contract';
import { renderLifeline } from '../../app/test-support';

afterEach(() => {
  cleanup();
  localStorage.clear();
});

const ok = <T,>(value: T): Envelope<T> => ({ ok: true, value });
const fail = (code: string, message: string, details?: Record<string, unknown>) => ({ ok: false as const, error: { code, message, ...(details ? { details } : {}) } }) as Envelope<never>;
const picture = (id: string) => ({ pictureId: id, image: 'data:image/png;base64,AAAA', alt: 'x', width: 200, height: 70, variant: 'standard' as const, expiresAt: 9 });
const codeSent = {
  flowId: 'f1',
  state: 'code_sent' as const,
  sentTo: { channel: 'email' as const, masked: 'an****@example.test' },
  channels: [
    { channel: 'email' as const, masked: 'an****@example.test' },
    { channel: 'sms' as const, masked: '+62****90' },
  ],
  codeExpiresAt: 600_000,
  resendAvailableAt: 60_000,
  sendsLeft: 2,
  expiresAt: 900_000,
  delivery: { sandbox: true, outboxDir: '/home/ana/.local/share/lifeline/outbox' },
};

const type = (label: string, value: string) => fireEvent.change(screen.getByLabelText(label, { selector: 'input' }), { target: { value } });
const click = async (name: string, role: 'button' | 'link' = 'button') => {
  await act(async () => {
    fireEvent.click(screen.getByRole(role, { name }));
  });
};

describe('the Account panel, signed out', () => {
  it('offers sign-in with the names people and tests look for', async () => {
    await renderLifeline();
    expect(screen.getByLabelText('Account', { selector: 'input' })).toBeTruthy();
    expect(screen.getByLabelText('Password', { selector: 'input' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeTruthy();
    for (const name of ['Forgot password?', 'Forgot account?', 'Create account']) expect(screen.getByRole('link', { name })).toBeTruthy();
  });

  it('says plainly when the account or password is wrong', async () => {
    await renderLifeline({ handlers: { 'account.signIn': () => fail('unauthorized', 'Open Lifeline from the link the host printed.') } });
    type('Account', 'ana@example.test');
    type('Password', 'wrong wrong wrong');
    await click('Sign in');
    expect(screen.getByRole('alert').textContent).toContain('The account or the password is not right');
  });

  it('creates an account and shows its ID to write down, with a code box and sandbox delivery', async () => {
    await renderLifeline({
      handlers: {
        'account.passwordStrength': () => ok({ score: 4, suggestions: [], acceptable: true }),
        'account.signUp': () =>
          ok({
            account: { accountId: '4740110051', email: 'ana@example.test', emailVerified: false, phoneVerified: false, language: 'en', createdAt: 1, passwordChangedAt: 1 },
            codesSentTo: [{ channel: 'email', masked: 'an****@example.test' }],
            codesNotSent: [],
            delivery: { sandbox: true, outboxDir: '/home/ana/.local/share/lifeline/outbox' },
          }),
      },
    });
    await click('Create account', 'link');
    type('Email', 'ana@example.test');
    type('Password', 'orange kite harbour');
    type('Confirm password', 'orange kite harbour');
    await click('Create account');
    const main = screen.getByRole('main');
    expect(main.textContent).toContain('474 011 0051');
    expect(main.textContent).toContain('Write it down');
    expect(main.textContent).toContain('Sandbox delivery: messages are not really sent. Open the outbox folder to read them: /home/ana/.local/share/lifeline/outbox');
    expect(screen.getByLabelText('Verification code', { selector: 'input' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Verify' })).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Resend code' }) as HTMLButtonElement).disabled).toBe(true);
  });
});

describe('password recovery screens', () => {
  async function toCodeStep(handlers: Parameters<typeof renderLifeline>[0] = {}) {
    const harness = await renderLifeline({
      ...handlers,
      handlers: {
        'recovery.start': () => ok({ flowId: 'f1', state: 'awaiting_captcha', expiresAt: 9, picture: picture('p1'), delivery: { sandbox: true } }),
        'recovery.submitPicture': () => ok(codeSent),
        ...handlers.handlers,
      },
    });
    await click('Forgot password?', 'link');
    expect(screen.getByRole('main').textContent).toContain('cannot be unlocked with the new password for 24 hours');
    await click('Start');
    type('Phone number, email or account ID', 'ana@example.test');
    await click('Next');
    expect(screen.getByRole('img', { name: 'Picture code' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'New picture' })).toBeTruthy();
    expect(screen.getByRole('button', { name: /clearer picture/ })).toBeTruthy();
    type('Characters in the picture', 'ABC123');
    await click('Send code');
    return harness;
  }

  it('goes from the checklist to "Password changed" and says what happens next', async () => {
    await toCodeStep({
      handlers: {
        'recovery.verifyCode': () => ok({ flowId: 'f1', state: 'code_verified', grant: 'g1', grantExpiresAt: 9 }),
        'recovery.setPassword': () => ok({ state: 'password_set', sessionsEnded: 3, deviceHoldUntil: 9 }),
        'account.passwordStrength': () => ok({ score: 3, suggestions: [], acceptable: true }),
      },
    });
    const main = screen.getByRole('main');
    expect(main.textContent).toContain('If an account matches, we sent a 6-digit code to an****@example.test');
    expect(main.textContent).toContain('Sandbox delivery');
    expect(main.textContent).toMatch(/You can resend the code in \d+ s/);
    type('Verification code', '123 456');
    await click('Verify');
    type('New password', 'violet lantern meadow');
    type('Confirm new password', 'violet lantern meadow');
    await click('Change password');
    const done = screen.getByRole('status');
    expect(within(done).getByRole('heading', { name: 'Password changed' })).toBeTruthy();
    expect(done.textContent).toContain('(3 sessions)');
    expect(done.textContent).toContain('notice');
    expect(done.textContent).toContain('24 hours');
  });

  it('lists the other masked channel under "Not working?"', async () => {
    await toCodeStep();
    await click('Not working?');
    const use = screen.getByRole('button', { name: 'Use phone +62****90 instead' }) as HTMLButtonElement;
    expect(use.disabled).toBe(true);
  });

  it('says what to do when the code could not be sent', async () => {
    await renderLifeline({
      handlers: {
        'recovery.start': () => ok({ flowId: 'f1', state: 'awaiting_captcha', expiresAt: 9, picture: picture('p1'), delivery: { sandbox: true } }),
        'recovery.submitPicture': () => fail('delivery_failed', 'Sending failed.'),
      },
    });
    await click('Forgot password?', 'link');
    await click('Start');
    type('Phone number, email or account ID', 'ana@example.test');
    await click('Next');
    type('Characters in the picture', 'ABC123');
    await click('Send code');
    expect(screen.getByRole('alert').textContent).toBe('We could not send the code. Try again or use another channel.');
  });

  it('offers "Start again" when the flow has expired', async () => {
    await toCodeStep({ handlers: { 'recovery.verifyCode': () => fail('expired', 'This recovery has expired. Start again.') } });
    type('Verification code', '123456');
    await click('Verify');
    expect(screen.getByRole('heading', { name: 'This recovery has ended' })).toBeTruthy();
    await click('Start again');
    expect(screen.getByLabelText('Phone number, email or account ID', { selector: 'input' })).toBeTruthy();
  });
});

describe('forgot account', () => {
  it('shows the masked confirmation', async () => {
    await renderLifeline({
      handlers: {
        'recovery.lookupPicture': () => ok(picture('p1')),
        'recovery.lookupAccount': () => ok({ sentTo: { channel: 'sms', masked: '+62****90' }, delivery: { sandbox: true } }),
      },
    });
    await click('Forgot account?', 'link');
    type('Phone number or email', '0812 3456 7890');
    type('Characters in the picture', 'ABC123');
    await click('Send my account IDs');
    expect(screen.getByRole('status').textContent).toContain('If any account uses +62****90, we sent its account ID there.');
  });
});
