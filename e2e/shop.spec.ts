import type { Browser, Page } from '@playwright/test';
import { expect, startWebHost, test, type HostHandle } from './fixtures';
import { startShopPhones, type ShopPhones } from './support/shop-phones';
import type { ProfileId } from '../electron/services/phone/fake/profiles';
import type { FakePhone } from '../electron/services/phone/fake/fake-phone';

const PASSPHRASE = 'counter passphrase 2026';

test.describe.configure({ mode: 'serial' });

let phones: ShopPhones;
let host: HostHandle;
let page: Page;

async function openPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  const p = await context.newPage();
  await p.goto(`${host.baseUrl}/#token=${host.token}`);
  await p.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Shop', exact: true }).click();
  await expect(p.getByRole('heading', { level: 1, name: 'Shop' })).toBeVisible();
  return p;
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  phones = await startShopPhones();
  host = await startWebHost(phones.env);
  page = await openPage(browser);
  await page.getByLabel('Operator').fill('Ayu');
  await page.getByLabel('Shop passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Create shop store' }).click();
  await expect(page.getByRole('form', { name: 'Shop backup store' })).toHaveCount(0);
});

test.afterAll(async () => {
  await page?.context().close();
  const code = await host?.stop();
  await phones?.stop();
  expect(code, host?.output()).toBe(0);
});

async function newTicket(name: string): Promise<void> {
  const back = page.getByRole('button', { name: 'All tickets' });
  if (await back.count()) await back.click();
  await page.getByRole('button', { name: 'Create a ticket' }).first().click();
  const form = page.getByRole('form', { name: 'Create a ticket' });
  await form.getByLabel('Customer name').fill(name);
  await form.getByLabel('Customer phone or email').fill('+62 812 0000 1111');
  await form.getByLabel('Phone (as the customer describes it)').fill('Black phone, cracked back');
  await form.getByLabel('Problem').fill('Battery swells; needs a reset after the repair');
  await form.getByLabel('The customer agrees to a backup of the phone\'s data').check();
  await form.getByLabel(/keeps the backup until the retention period ends/).check();
  await form.getByRole('button', { name: 'Create ticket' }).click();
  await expect(page.getByRole('heading', { name: new RegExp(`Ticket S-\\d+: ${name}`) })).toBeVisible();
}

function step(name: string) {
  return page.getByRole('region', { name, exact: true });
}

async function connectIdentifyCheck(phone: FakePhone): Promise<void> {
  const connect = step('Connect');
  await expect(connect.getByText(phone.serialForAdb)).toBeVisible();
  await connect.getByRole('radio', { name: new RegExp(phone.serialForAdb.replace(/\./g, '\\.')) }).check();
  await connect.getByRole('button', { name: 'Connect this phone' }).click();
  await expect(connect.getByText(`Connected to ${phone.serialForAdb}.`)).toBeVisible();
  await step('Identity').getByRole('button', { name: 'Read identity' }).click();
  await expect(step('Identity').getByRole('definition').filter({ hasText: phone.profile.props['ro.product.model'] ?? '' }).first()).toBeVisible();
  await step('Lock readiness').getByRole('button', { name: 'Check lock readiness' }).click();
  await expect(step('Lock readiness').getByRole('status', { name: 'Verdict' })).toBeVisible({ timeout: 30_000 });
}

/** Reads the counts table into { kind label: [on phone, in backup] }. */
async function counts(): Promise<Record<string, [string, string]>> {
  const rows = step('Backup').getByRole('table', { name: 'On the phone and in the backup' }).locator('tbody tr');
  const out: Record<string, [string, string]> = {};
  for (const row of await rows.all()) {
    const cells = await row.locator('th, td').allInnerTexts();
    out[cells[0] ?? ''] = [cells[1] ?? '', cells[2] ?? ''];
  }
  return out;
}

const verdicts: Record<ProfileId, { verdict: string; must: RegExp | null }> = {
  'xiaomi-hyperos': { verdict: 'Not ready', must: /Mi Account > Sign out/ },
  'samsung-oneui': { verdict: 'Not ready', must: /Samsung account > Sign out/ },
  'clean-ready': { verdict: 'Ready for reset', must: null },
  'old-android8': { verdict: 'Not ready', must: /Remove the Google account/ },
};

for (const profile of Object.keys(verdicts) as ProfileId[]) {
  test(`full intake of the ${profile} phone ends with "${verdicts[profile].verdict}" and a receipt matching the phone`, async () => {
    test.setTimeout(180_000);
    // The ticket is open on the connect step before the phone is plugged in: it must show up by itself.
    await newTicket(`Customer ${profile}`);
    await expect(step('Connect').getByText('No phone found yet', { exact: false })).toBeVisible();
    const phone = await phones.add({ profile, sizes: { photos: { count: 5, averageBytes: 60_000 } } });
    try {
      await expect(step('Connect').getByRole('radio', { name: new RegExp(phone.serialForAdb.replace(/\./g, '\\.')) })).toBeVisible({ timeout: 15_000 });
      await connectIdentifyCheck(phone);
      const readiness = step('Lock readiness');
      await expect(readiness.getByRole('status', { name: 'Verdict' })).toHaveText(verdicts[profile].verdict);
      const must = verdicts[profile].must;
      if (must) await expect(readiness.getByRole('list', { name: 'What the customer must do' })).toContainText(must);

      await step('Backup').getByRole('button', { name: 'Back up' }).click();
      await expect(step('Backup').getByText('Backup verified')).toBeVisible({ timeout: 120_000 });
      const c = await counts();
      const sizes = phone.profile.sizes;
      const refused = profile === 'old-android8';
      expect(c['Contacts']?.[0]).toBe(String(sizes.contacts));
      expect(c['Text messages (SMS)']).toEqual(refused ? ['not allowed', 'not allowed'] : [String(sizes.sms), expect.any(String)]);
      expect(c['Call log']).toEqual(refused ? ['not allowed', 'not allowed'] : [String(sizes.calls), String(sizes.calls)]);
      expect(c['Photos and videos']?.[1]).toBe(String(phone.fs.photos.length));

      // The receipt JSON says the same as the screen.
      const [download] = await Promise.all([page.waitForEvent('download'), step('Backup').getByRole('button', { name: 'Receipt (JSON)' }).click()]);
      const text = await (await download.createReadStream()).toArray();
      const receipt = JSON.parse(Buffer.concat(text as Buffer[]).toString('utf8')) as { verified: boolean; counts: { kind: string; status: string; onPhone: number | null; inBackup: number | null }[] };
      expect(receipt.verified).toBe(true);
      const media = receipt.counts.find((k) => k.kind === 'media');
      expect(media?.inBackup).toBe(phone.fs.photos.length);
      const sms = receipt.counts.find((k) => k.kind === 'sms');
      expect(sms).toMatchObject(refused ? { status: 'refused', onPhone: null, inBackup: null } : { status: 'ok', onPhone: sizes.sms });

      const ready = step('Ready for reset');
      if (verdicts[profile].verdict === 'Ready for reset') {
        await ready.getByRole('button', { name: 'Mark ready for reset' }).click();
        await expect(ready.getByRole('status')).toHaveText(/verified backup and green lock check/);
        // After the repair: restore, each kind reported for what it is.
        await step('Restore').getByRole('button', { name: 'Restore to the phone' }).click();
        const results = step('Restore').getByRole('list', { name: 'Restore results' });
        await expect(results).toContainText('Photos and videos: done', { timeout: 60_000 });
        await expect(results).toContainText('Contacts: customer taps Import');
        await expect(results).toContainText('Call log: done');
      } else {
        await ready.getByLabel('Override reason').fill('Customer signs out at the counter, seen by Ayu');
        await ready.getByRole('button', { name: 'Mark ready with override' }).click();
        await expect(ready.getByRole('status')).toContainText('override');
        await expect(page.getByRole('table', { name: 'Audit log' })).toContainText('ready.override');
      }
    } finally {
      await phones.remove(phone);
    }
  });
}

test('an unplug in the middle of a backup, then a resume, loses nothing', async () => {
  test.setTimeout(180_000);
  const phone = await phones.add({ profile: 'samsung-oneui', sizes: { photos: { count: 8, averageBytes: 300_000 } }, faults: { unplugAfterBytes: 900_000 } });
  try {
    await newTicket('Customer unplugged');
    await connectIdentifyCheck(phone);
    const backup = step('Backup');
    await backup.getByRole('button', { name: 'Back up' }).click();
    await expect(page.getByRole('alert').filter({ hasText: /disconnected|sent \d+ of/ })).toBeVisible({ timeout: 60_000 });
    await expect(backup.getByText(/The backup was interrupted\. \d+ files? (is|are) already copied/)).toBeVisible();
    await phones.replug(phone);
    await backup.getByRole('button', { name: 'Resume backup' }).click();
    await expect(backup.getByText('Backup verified')).toBeVisible({ timeout: 120_000 });
    const c = await counts();
    expect(c['Photos and videos']).toEqual([String(phone.fs.photos.length), String(phone.fs.photos.length)]);
    const audit = page.getByRole('table', { name: 'Audit log' });
    await expect(audit).toContainText('backup.interrupted');
    await expect(audit).toContainText('backup.resumed');
    await expect(audit).toContainText('backup.verified');
  } finally {
    await phones.remove(phone);
  }
});
