// Steps through the account screens as a person would, by role and accessible name.
import { expect, type Page } from '@playwright/test';

export function field(page: Page, name: string) {
  return page.getByLabel(name, { exact: true });
}

export async function openRecovery(page: Page, identifier: string): Promise<void> {
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await expect(page.getByText(/cannot be unlocked with the new password for 24 hours/)).toBeVisible();
  await page.getByRole('button', { name: 'Start' }).click();
  await field(page, 'Phone number, email or account ID').fill(identifier);
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('img', { name: 'Picture code', exact: true })).toBeVisible();
}

export async function answerPicture(page: Page, answer: string): Promise<void> {
  await field(page, 'Characters in the picture').fill(answer);
  await page.getByRole('button', { name: 'Send code' }).click();
  await expect(field(page, 'Verification code')).toBeVisible();
}

export async function enterCode(page: Page, code: string): Promise<void> {
  await field(page, 'Verification code').fill(code);
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
}

export async function chooseNewPassword(page: Page, password: string): Promise<void> {
  await field(page, 'New password').fill(password);
  await expect(page.getByRole('meter', { name: 'Password strength' })).toBeVisible();
  await field(page, 'Confirm new password').fill(password);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('heading', { name: 'Password changed' })).toBeVisible();
}

export async function signIn(page: Page, account: string, password: string): Promise<void> {
  await field(page, 'Account').fill(account);
  await field(page, 'Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Your account', exact: true })).toBeVisible();
}
