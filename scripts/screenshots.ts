// `npm run screenshots`: pictures of each panel for the README (docs/screenshots/), light and dark, taken in
// Chromium against a fresh web host holding a small demo: a verified account, a phone that reported along a route,
// a backup of a generated phone export, and a shop ticket for a fake phone read over adb. Test hooks stay off (no
// banner): verification codes are read from the sandbox outbox on disk, as a person without SMTP would.
import { chromium } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumExecutable } from '../e2e/chromium';
import { startWebHost } from '../e2e/fixtures';
import { startShopPhones } from '../e2e/support/shop-phones';
import { makeCorpus, writeExportFolder } from '../electron/services/backup/test-support';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'docs/screenshots');
const panels = ['Account', 'Backup', 'Devices', 'Shop', 'Settings'];
const PASSWORD = 'violet tractor harbour 42';
const EMAIL = 'ayu.lestari@example.com';
const OPERATOR = 'Dimas';

interface Host {
  baseUrl: string;
  token: string;
}

async function rpc<T>(host: Host, method: string, input: unknown, cookie?: string): Promise<{ value: T; cookie?: string }> {
  const headers: Record<string, string> = { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' };
  if (cookie) headers.Cookie = cookie;
  const res = await fetch(`${host.baseUrl}/api/rpc/${method}`, { method: 'POST', headers, body: JSON.stringify(input) });
  const body = (await res.json()) as { ok: boolean; value?: T; error?: { code: string; message: string } };
  if (!body.ok) throw new Error(`${method}: ${body.error?.code} ${body.error?.message}`);
  const session = /lifeline_session=([^;]*)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  return { value: body.value as T, ...(session ? { cookie: `lifeline_session=${session}` } : {}) };
}

/** The newest verification code sent to `to`, from the sandbox outbox files. */
function codeFromOutbox(dataDir: string, to: string): string {
  const dir = path.join(dataDir, 'outbox');
  const messages = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { to: string; text: string; at: number })
    .filter((m) => m.to === to)
    .sort((a, b) => a.at - b.at);
  const code = /(\d{3}) (\d{3})/.exec(messages.at(-1)?.text ?? '');
  if (!code) throw new Error(`No code for ${to} in ${dir}`);
  return `${code[1]}${code[2]}`;
}

async function agent(host: Host, route: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${host.baseUrl}/agent/v1/${route}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`agent ${route}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

async function demoAccountAndPhone(host: Host, dataDir: string): Promise<string> {
  const signUp = await rpc<unknown>(host, 'account.signUp', { email: EMAIL, password: PASSWORD, confirmPassword: PASSWORD });
  const cookie = signUp.cookie ?? '';
  await rpc(host, 'account.verifyChannel', { channel: 'email', code: codeFromOutbox(dataDir, EMAIL) }, cookie);
  const { value: enrollment } = await rpc<{ code: string }>(host, 'devices.enrollStart', {}, cookie);
  const enrolled = await agent(host, 'enroll', { code: enrollment.code, name: "Ayu's Redmi", model: 'Redmi Note 13', platform: 'android', osVersion: '14' });
  const token = String(enrolled.deviceToken);
  // A morning walk across Bandung, one report every 15 minutes, ending now.
  const route: [number, number][] = [
    [-6.9147, 107.6098], [-6.9121, 107.6135], [-6.9093, 107.6171], [-6.9052, 107.6192], [-6.9011, 107.6204],
    [-6.8975, 107.6213], [-6.8931, 107.6157], [-6.8915, 107.6107], [-6.8948, 107.6082], [-6.9003, 107.6077],
  ];
  const now = Date.now();
  for (const [i, [lat, lon]] of route.entries()) {
    await agent(
      host,
      'reports',
      {
        at: now - (route.length - 1 - i) * 15 * 60_000,
        location: { lat, lon, accuracyM: 12 + (i % 3) * 6, source: 'gps' },
        battery: { percent: 82 - i * 3, charging: false },
        network: { type: 'cellular', operator: 'Telkomsel' },
        sim: { slot: 0, operator: 'Telkomsel', iccidHash: 'a3f1c2d4e5b6a7980112233445566778' },
        screenLocked: true,
      },
      token,
    );
  }
  return cookie;
}

async function demoBackup(host: Host): Promise<void> {
  const corpus = makeCorpus(fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-shots-export-')), 7, { sms: 400, calls: 120, contacts: 60, photos: 12 });
  await writeExportFolder(corpus);
  await rpc(host, 'backup.init', { passphrase: 'river lantern copper 58' });
  await rpc(host, 'backup.run', { device: "Ayu's Redmi", sources: [corpus.root] });
}

async function demoShop(host: Host, phones: Awaited<ReturnType<typeof startShopPhones>>): Promise<void> {
  const phone = await phones.add({ profile: 'xiaomi-hyperos', sizes: { photos: { count: 6, averageBytes: 40_000 } } });
  await rpc(host, 'shop.storeUnlock', { passphrase: 'counter ledger maple 31', create: true });
  const { value: ticket } = await rpc<{ id: string }>(host, 'shop.ticketCreate', {
    operator: OPERATOR,
    customerName: 'Budi Santoso',
    contact: '+62 812 3456 7890',
    device: 'Redmi Note 13, blue',
    problem: 'Cracked screen; phone to be reset after the repair.',
    consentBackup: true,
    consentRetention: true,
  });
  const ref = { ticketId: ticket.id, operator: OPERATOR };
  await rpc(host, 'shop.connect', { ...ref, serial: phone.serialForAdb });
  await rpc(host, 'shop.identify', ref);
  await rpc(host, 'shop.checkReadiness', ref);
  await rpc(host, 'shop.backup', ref);
}

async function main() {
  fs.mkdirSync(out, { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-shots-'));
  const phones = await startShopPhones();
  const host = await startWebHost({ LIFELINE_TEST_HOOKS: '0', ...phones.env }, dataDir);
  const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
  try {
    const session = await demoAccountAndPhone(host, dataDir);
    await demoBackup(host);
    await demoShop(host, phones);
    for (const scheme of ['light', 'dark'] as const) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 820 }, colorScheme: scheme });
      const [name, value] = session.split('=');
      await context.addCookies([{ name: name ?? '', value: value ?? '', url: host.baseUrl, httpOnly: true, sameSite: 'Strict' }]);
      const page = await context.newPage();
      await page.goto(`${host.baseUrl}/#token=${host.token}`);
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      await page.evaluate(() => localStorage.setItem('lifeline.account.signedIn', '1'));
      await page.reload();
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      if (scheme === 'light') await page.screenshot({ path: path.join(out, 'shell.png') });
      for (const panel of panels) {
        const nav = page.getByRole('navigation', { name: 'Main' });
        await nav.getByRole('link', { name: panel, exact: true }).or(nav.getByRole('button', { name: panel, exact: true })).click();
        await page.getByRole('heading', { level: 1, name: panel, exact: true }).waitFor();
        if (panel === 'Shop') {
          await page.getByRole('textbox', { name: 'Operator' }).fill(OPERATOR).catch(() => undefined);
          await page.getByText('Budi Santoso').first().click().catch(() => undefined);
          await page.getByRole('heading', { name: /Lock readiness/ }).first().scrollIntoViewIfNeeded().catch(() => undefined);
        }
        if (panel === 'Backup') {
          await page.getByRole('tab', { name: 'Snapshots' }).click().catch(() => undefined);
          await page.getByRole('button', { name: /^Open the snapshot/ }).first().click().catch(() => undefined);
          await page.getByRole('button', { name: 'Browse this snapshot' }).click({ timeout: 5000 }).catch(() => undefined);
          await page.getByRole('list', { name: 'Conversations' }).getByRole('button').first().click({ timeout: 5000 }).catch(() => undefined);
        }
        if (panel === 'Devices') await page.getByText("Ayu's Redmi").first().click().catch(() => undefined);
        // Let maps, thumbnails and live data settle.
        await page.waitForLoadState('networkidle').catch(() => undefined);
        await page.waitForTimeout(800);
        await page.screenshot({ path: path.join(out, `${panel.toLowerCase()}${scheme === 'dark' ? '-dark' : ''}.png`) });
      }
      await context.close();
    }
  } finally {
    await browser.close();
    await host.stop();
    await phones.stop();
  }
  process.stdout.write(`Screenshots written to ${path.relative(root, out)}/\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`screenshots failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
