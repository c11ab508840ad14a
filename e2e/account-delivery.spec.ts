import { createVerifiedAccount } from './support/account-api';
import { answerPicture, chooseNewPassword, enterCode, openRecovery, signIn } from './support/account-screens';
import { codeIn } from './support/delivery-receivers';
import { expect, test, unexpectedErrors } from './support/delivery-fixture';

const OLD = 'orange kite harbour 42';
const NEW = 'violet lantern meadow 77';

test('recovery by email through SMTP, then sign in with the new password', async ({ delivered }) => {
  const { page, mail, hooks } = delivered;
  await createVerifiedAccount(delivered, { email: 'eka@example.test', password: OLD });

  await openRecovery(page, '  eka@EXAMPLE.test ');
  await answerPicture(page, await hooks.captchaAnswer());
  await expect(page.getByRole('main').getByText(/sandbox delivery/i)).toHaveCount(0);
  const message = await delivered.mail.next('eka@example.test', (m) => /recovery code/i.test(m.subject));
  expect(message.text).toMatch(/\b\d{3} \d{3}\b/);
  await enterCode(page, codeIn(message.text));
  await chooseNewPassword(page, NEW);
  await expect(page.getByRole('status').filter({ hasText: 'Password changed' })).toContainText('24 hours');
  await mail.next('eka@example.test', (m) => /password/i.test(m.subject) && !/code/i.test(m.subject));

  await page.getByRole('button', { name: 'Go to sign in' }).click();
  await signIn(page, 'eka@example.test', NEW);
  expect(delivered.consoleErrors).toEqual([]);
});

test('recovery by SMS through the webhook, with the phone typed in local form', async ({ delivered }) => {
  const { page, sms, hooks } = delivered;
  await createVerifiedAccount(delivered, { phone: '+6281234567890', password: OLD });

  await openRecovery(page, '+62 812-3456-7890');
  await answerPicture(page, await hooks.captchaAnswer());
  await expect(page.getByText(/we sent a 6-digit code to \+62\*+90/i)).toBeVisible();
  const message = await sms.next('+6281234567890', (m) => /recovery code/i.test(m.text));
  await enterCode(page, codeIn(message.text));
  await chooseNewPassword(page, NEW);
  expect(delivered.consoleErrors).toEqual([]);
});

test('"Not working?" switches the code to the other verified channel, shown masked', async ({ delivered }) => {
  const { page, mail, sms, hooks } = delivered;
  await page.clock.install();
  await createVerifiedAccount(delivered, { email: 'fajar@example.test', phone: '+6281298765432', password: OLD });

  await openRecovery(page, 'fajar@example.test');
  await answerPicture(page, await hooks.captchaAnswer());
  const first = await mail.next('fajar@example.test', (m) => /recovery code/i.test(m.subject));
  await expect(page.getByText(/You can resend the code in \d+ s/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Resend code' })).toBeDisabled();

  await page.getByRole('button', { name: 'Not working?' }).click();
  const useSms = page.getByRole('button', { name: /Use phone \+62\*+32 instead/ });
  await expect(useSms).toBeDisabled();
  // The 60 s cooldown, on both clocks.
  await hooks.advanceClock(61_000);
  await page.clock.fastForward(61_000);
  await expect(useSms).toBeEnabled();
  await useSms.click();
  await expect(page.getByText(/We sent a new code to \+62\*+32/)).toBeVisible();
  const second = await sms.next('+6281298765432', (m) => /recovery code/i.test(m.text));

  // The email code was superseded by the switch.
  await enterCode(page, codeIn(first.text));
  await expect(page.getByRole('alert')).toBeVisible();
  await enterCode(page, codeIn(second.text));
  await chooseNewPassword(page, NEW);
  expect(unexpectedErrors(delivered.consoleErrors)).toEqual([]);
});
