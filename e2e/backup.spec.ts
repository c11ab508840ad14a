import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import sharp from 'sharp';
import { makeCorpus, treeFiles, writeExportFolder, writeMedia } from '../electron/services/backup/test-support';
import { expect, test } from './fixtures';

const PASSPHRASE = 'quartz meadow lantern 58';
const DEVICE = 'Rina test phone';

/** A phone export as people have them: vCard, SMS Backup & Restore XML, a photo folder (one real JPEG, the rest not decodable) and notes. */
async function phoneExport(): Promise<string> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-e2e-export-'));
  const corpus = makeCorpus(root, 11, { sms: 80, calls: 25, contacts: 12, photos: 3 });
  corpus.records.push({ kind: 'sms', address: '+628155550199', date: Date.UTC(2024, 4, 2, 9), type: 1, body: 'the zanzibar ferry leaves at nine', contactName: 'Sari', attrs: {} });
  const real = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 30, g: 160, b: 90 } } }).jpeg().toBuffer();
  corpus.media.push(writeMedia(root, 'DCIM/Camera/beach.jpg', real, 'image/jpeg', Date.UTC(2024, 6, 1)));
  await writeExportFolder(corpus);
  return root;
}

async function openBackupPanel(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Backup', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Backup' })).toBeVisible();
}

test('set up a store, back up a phone export, browse and search it, restore a selection, and see damage reported by verify', async ({ lifeline }) => {
  test.setTimeout(240_000);
  const { page } = lifeline;
  const source = await phoneExport();
  const restoreTo = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-e2e-restore-'));
  fs.rmSync(restoreTo, { recursive: true });

  await openBackupPanel(page);
  await page.getByRole('button', { name: 'Set up a backup store' }).click();
  await expect(page.getByText(/nobody can open your backups/)).toBeVisible();
  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await expect(page.getByRole('meter', { name: 'Passphrase strength' })).toHaveAttribute('aria-valuenow', /[2-4]/);
  await page.getByLabel('Type the passphrase again').fill(PASSPHRASE);
  await page.getByRole('checkbox', { name: 'I understand that a lost passphrase cannot be recovered' }).check();
  await expect(page.getByRole('checkbox', { name: 'Remember the passphrase on this computer' })).toBeDisabled();
  await page.getByRole('button', { name: 'Create the store' }).click();

  // Back up now.
  await expect(page.getByRole('tab', { name: 'Back up now' })).toHaveAttribute('aria-selected', 'true', { timeout: 30_000 });
  await page.getByLabel('Device name').fill(DEVICE);
  await page.getByLabel('Folder or files to back up').fill(source);
  await page.getByRole('button', { name: 'Back up now' }).click();
  await expect(page.getByRole('heading', { name: `Backup of ${DEVICE} finished` })).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('row', { name: /^Text messages 81/ })).toBeVisible();
  // What was just written is read back before the summary shows (one pack for an export this small).
  await expect(page.getByText(/^Read back the pack this backup wrote \(.+\): intact\.$/)).toBeVisible();
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download receipt (PDF)' }).click();
  const pdf = await download;
  expect(pdf.suggestedFilename()).toMatch(/^lifeline-receipt-.*\.pdf$/);
  expect(fs.readFileSync(await pdf.path()).subarray(0, 5).toString()).toBe('%PDF-');

  // Browse each kind.
  await page.getByRole('button', { name: 'Browse this snapshot' }).click();
  await expect(page.getByRole('heading', { name: new RegExp(`^${DEVICE}, `) })).toBeVisible();
  const threads = page.getByRole('list', { name: 'Conversations' });
  await threads.getByRole('button').first().click();
  await expect(page.getByRole('list', { name: 'Messages' }).getByRole('listitem').first()).toBeVisible();

  await page.getByRole('tab', { name: /^Contacts/ }).click();
  const contacts = page.getByRole('list', { name: 'Contacts' });
  await contacts.getByRole('button').first().click();
  await expect(page.getByRole('region', { name: /^Details of Contact/ })).toContainText('Phone numbers');

  await page.getByRole('tab', { name: /^Calls/ }).click();
  await expect(page.getByRole('list', { name: 'Call log' }).getByRole('listitem')).not.toHaveCount(0);

  await page.getByRole('tab', { name: /^Photos/ }).click();
  const grid = page.getByRole('list', { name: 'Photos and videos' });
  await expect(grid.getByRole('img', { name: 'beach.jpg', exact: true })).toBeVisible();
  await expect(grid.getByRole('img', { name: 'IMG_0001.jpg cannot be shown' })).toBeVisible();
  await grid.getByRole('button', { name: 'Open beach.jpg' }).click();
  const viewer = page.getByRole('dialog', { name: 'Viewing beach.jpg' });
  await expect(viewer.getByRole('img', { name: 'beach.jpg' })).toBeVisible();
  await viewer.getByRole('button', { name: 'Close' }).click();

  await page.getByRole('tab', { name: /^Notes/ }).click();
  await page.getByRole('list', { name: 'Notes' }).getByRole('button', { name: /todo/ }).click();
  await expect(page.getByRole('region', { name: 'Details of todo' })).toContainText('back up the phone');

  // Search a word that is in exactly one message.
  await page.getByLabel('Search everything in this snapshot').pressSequentially('zanzib', { delay: 40 });
  const results = page.getByRole('region', { name: 'Search results' });
  await expect(results.getByRole('status')).toHaveText('1 result');
  await results.getByRole('button', { name: /zanzibar ferry/ }).click();
  await expect(page.getByRole('region', { name: /^Details of/ })).toContainText('the zanzibar ferry leaves at nine');
  await page.getByLabel('Search everything in this snapshot').fill('');

  // Restore only the contacts into a new folder, after a dry run.
  await page.getByRole('tab', { name: 'Restore' }).click();
  await page.getByRole('radio', { name: 'Only part of it' }).check();
  for (const kind of ['Messages', 'Calls', 'Photos', 'Notes']) await page.getByRole('checkbox', { name: kind, exact: true }).uncheck();
  await page.getByLabel('Restore into folder').fill(restoreTo);
  await page.getByRole('button', { name: 'See what would be restored' }).click();
  const dry = page.getByRole('region', { name: 'What would be restored' });
  await expect(dry).toContainText(/12 items/);
  await dry.getByRole('button', { name: 'Restore', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Restored 12 items' })).toBeVisible({ timeout: 30_000 });
  expect(treeFiles(restoreTo)).toEqual(['contacts.vcf']);
  const vcf = fs.readFileSync(path.join(restoreTo, 'contacts.vcf'), 'utf8');
  expect(vcf.match(/BEGIN:VCARD/g)).toHaveLength(12);

  // The same folder again: the dry run says the files are already there.
  await page.getByRole('button', { name: 'Restore something else' }).click();
  await page.getByRole('radio', { name: 'Only part of it' }).check();
  for (const kind of ['Messages', 'Calls', 'Photos', 'Notes']) await page.getByRole('checkbox', { name: kind, exact: true }).uncheck();
  await page.getByLabel('Restore into folder').fill(restoreTo);
  await page.getByRole('button', { name: 'See what would be restored' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'The folder is not empty.' })).toContainText('already in the folder');

  // Damage a pack on disk; a full check names what is affected.
  const packsDir = path.join(lifeline.dataDir, 'backups', 'packs');
  const packs = treeFiles(packsDir).map((p) => path.join(packsDir, p));
  const biggest = packs.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0] as string;
  const bytes = fs.readFileSync(biggest);
  for (let i = 64; i < Math.min(bytes.length - 64, 4096); i++) bytes[i] = (bytes[i] as number) ^ 0x5a;
  fs.writeFileSync(biggest, bytes);

  await page.getByRole('tab', { name: 'Check backups' }).click();
  await page.getByRole('radio', { name: 'Full check (read back all data)' }).check();
  await page.getByRole('button', { name: 'Check now' }).click();
  const report = page.getByRole('alert').filter({ hasText: /problems? found/ });
  await expect(report).toBeVisible({ timeout: 60_000 });
  await expect(report.getByRole('list', { name: 'Affected items' }).getByRole('listitem')).not.toHaveCount(0);
});

test('a wrong passphrase is refused with a clear message', async ({ lifeline }) => {
  const { page } = lifeline;
  const created = await lifeline.call('backup.init', { passphrase: PASSPHRASE });
  expect(created.ok).toBe(true);
  expect((await lifeline.call('backup.lock', {})).ok).toBe(true);
  await openBackupPanel(page);
  await page.getByLabel('Passphrase', { exact: true }).fill('not the right words');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('alert')).toContainText('Wrong passphrase.');
  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('tab', { name: 'Back up now' })).toBeVisible({ timeout: 30_000 });
});
