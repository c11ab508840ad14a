import { expect, test } from './fixtures';
import { createVerifiedAccount, latestCode } from './support/account-api';
import { answerPicture, field, openRecovery, signIn } from './support/account-screens';

const PASSWORD = 'orange kite harbour 42';
const only4xx = (errors: readonly string[]) => errors.filter((line) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(line));

test('sign up with email, verify it, see the account ID, sign out and sign in again', async ({ lifeline }) => {
  test.skip(!lifeline.hooks, 'Codes are read through the test hooks of the web host.');
  const { page } = lifeline;
  const host = { baseUrl: lifeline.baseUrl ?? '', token: lifeline.token ?? '' };

  await page.getByRole('link', { name: 'Create account' }).click();
  await field(page, 'Email').fill('ana.putri@example.test');
  await field(page, 'Password').fill(PASSWORD);
  await expect(page.getByRole('meter', { name: 'Password strength' })).toHaveAttribute('aria-valuenow', /[3-4]/);
  await field(page, 'Confirm password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();

  const idText = await page.locator('.account-id').textContent();
  const accountId = (idText ?? '').replace(/\D/g, '');
  expect(accountId).toMatch(/^\d{10}$/);
  await expect(page.getByText(/Write it down/)).toBeVisible();
  await expect(page.getByRole('main').getByText(/Sandbox delivery/)).toContainText(lifeline.dataDir);

  await field(page, 'Verification code').fill(await latestCode(host, 'ana.putri@example.test', /verification/i));
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'is confirmed' })).toBeVisible();
  await page.getByRole('button', { name: 'Continue to your account' }).click();

  await expect(page.getByRole('heading', { name: 'Your account', exact: true })).toBeVisible();
  await expect(page.getByRole('main')).toContainText('Confirmed');
  await expect(page.getByRole('list', { name: 'Security log' })).toContainText('Recovery channel confirmed');
  await page.getByRole('button', { name: 'Sign out' }).click();

  await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
  await signIn(page, accountId, PASSWORD);
  await expect(page.getByRole('list', { name: 'Where you are signed in' }).getByRole('button', { name: 'End session' })).toHaveCount(1);
  // newest first: the sign-in just made is on top
  await expect(page.getByRole('list', { name: 'Security log' }).getByRole('listitem').first()).toContainText('Signed in');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, ' ana.putri@EXAMPLE.TEST ', PASSWORD);
  expect(lifeline.consoleErrors).toEqual([]);
});

test('a wrong password says so once, and the page keeps the typed account', async ({ lifeline }) => {
  test.skip(!lifeline.hooks, 'Needs the web host.');
  const { page } = lifeline;
  await createVerifiedAccount({ baseUrl: lifeline.baseUrl ?? '', token: lifeline.token ?? '' }, { email: 'budi@example.test', password: PASSWORD });
  await field(page, 'Account').fill('budi@example.test');
  await field(page, 'Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(field(page, 'Account')).toHaveValue('budi@example.test');
  expect(only4xx(lifeline.consoleErrors)).toEqual([]);
});

test('an expired recovery says to start again (clock hook)', async ({ lifeline }) => {
  test.skip(!lifeline.hooks, 'Needs the clock hook.');
  const hooks = lifeline.hooks!;
  const { page } = lifeline;
  const host = { baseUrl: lifeline.baseUrl ?? '', token: lifeline.token ?? '' };
  await createVerifiedAccount(host, { email: 'citra@example.test', password: PASSWORD });

  await openRecovery(page, 'citra@example.test');
  await answerPicture(page, await hooks.captchaAnswer());
  await expect(page.getByText(/we sent a 6-digit code to ci\*+@example\.test/i)).toBeVisible();
  await expect(page.getByRole('main').getByText(/Sandbox delivery/)).toContainText(lifeline.dataDir);
  const code = await latestCode(host, 'citra@example.test', /recovery/i);

  await hooks.advanceClock(16 * 60_000);
  await field(page, 'Verification code').fill(code);
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'This recovery has ended' })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText(/start again/i);
  await page.getByRole('button', { name: 'Start again' }).click();
  await expect(field(page, 'Phone number, email or account ID')).toBeVisible();
  expect(only4xx(lifeline.consoleErrors)).toEqual([]);
});

test('forgot account: the same masked confirmation whether or not an account uses the address', async ({ lifeline }) => {
  test.skip(!lifeline.hooks, 'Needs the test hooks.');
  const hooks = lifeline.hooks!;
  const { page } = lifeline;
  const host = { baseUrl: lifeline.baseUrl ?? '', token: lifeline.token ?? '' };
  const { accountId } = await createVerifiedAccount(host, { email: 'dewi@example.test', password: PASSWORD });

  const lookUp = async (address: string) => {
    await field(page, 'Phone number or email').fill(address);
    await expect(page.getByRole('img', { name: 'Picture code', exact: true })).toBeVisible();
    await field(page, 'Characters in the picture').fill(await hooks.captchaAnswer());
    await page.getByRole('button', { name: 'Send my account IDs' }).click();
    const status = page.getByRole('status').filter({ hasText: 'Check your messages' });
    await expect(status).toBeVisible();
    return ((await status.locator('.step-lead').textContent()) ?? '').replace(/\S+@\S+/, '<masked>');
  };

  await page.getByRole('link', { name: 'Forgot account?' }).click();
  const known = await lookUp('dewi@example.test');
  await page.getByRole('button', { name: 'Try another phone number or email' }).click();
  const unknown = await lookUp('nobody@example.test');
  expect(unknown).toBe(known);
  await expect(page.getByRole('main').getByText(/Sandbox delivery/)).toContainText(lifeline.dataDir);

  const messages = await hooks.outbox('dewi@example.test');
  expect(messages.some((m) => m.text.replace(/\D/g, '').includes(accountId))).toBe(true);
  expect(await hooks.outbox('nobody@example.test')).toEqual([]);
  expect(lifeline.consoleErrors).toEqual([]);
});

test('sessions: end another session, then change the password with the current one', async ({ lifeline, browser }) => {
  test.skip(!lifeline.hooks, 'Needs the web host.');
  const { page } = lifeline;
  const host = { baseUrl: lifeline.baseUrl ?? '', token: lifeline.token ?? '' };
  await createVerifiedAccount(host, { email: 'gita@example.test', password: PASSWORD });

  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await otherPage.goto(`${host.baseUrl}/#token=${host.token}`);
  await signIn(otherPage, 'gita@example.test', PASSWORD);

  await signIn(page, 'gita@example.test', PASSWORD);
  const sessions = page.getByRole('list', { name: 'Where you are signed in' });
  await expect(sessions.getByRole('listitem')).toHaveCount(2);
  await expect(page.getByRole('main')).toContainText('gi****@example.test');
  const notThisOne = sessions.getByRole('listitem').filter({ hasNotText: 'This computer' });
  await notThisOne.getByRole('button', { name: 'End session' }).click();
  await expect(sessions.getByRole('listitem')).toHaveCount(1);
  await expect(sessions.getByRole('listitem')).toContainText('This computer');
  await other.close();

  await page.getByRole('button', { name: 'Change password' }).click();
  await field(page, 'Current password').fill('not it at all');
  await field(page, 'New password').fill('violet lantern meadow 77');
  await field(page, 'Confirm new password').fill('violet lantern meadow 77');
  await page.getByRole('form', { name: 'Change password' }).getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('alert')).toContainText('current password is not right');
  await field(page, 'Current password').fill(PASSWORD);
  await page.getByRole('form', { name: 'Change password' }).getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Password changed' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Security log' }).locator('[data-event="password_changed"]')).toHaveCount(1);
  expect(only4xx(lifeline.consoleErrors)).toEqual([]);
});
