import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, ROOT, test, type Lifeline } from './fixtures';
import { createVerifiedAccount, latestCode } from './support/account-api';
import { field, signIn } from './support/account-screens';

const PASSWORD = 'orange kite harbour 42';
const NEW_PASSWORD = 'violet canoe meadow 77';
const EMAIL = 'dana@example.test';
const PHONE_NAME = 'Dana test phone';
const only4xx = (errors: readonly string[]) => errors.filter((line) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(line));

/** The agent simulator as a person would run it (`npm run agent -- ...`), talking only HTTP to the host. */
class Simulator {
  private output = '';
  private readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'electron/agent-sim/main.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    this.child.stderr.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** Waits for a line the simulator prints; its whole output is in the failure message. */
  async printed(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpExecArray> {
    await expect.poll(() => pattern.test(this.output), { timeout: timeoutMs, message: `simulator output:\n${this.output}` }).toBe(true);
    return pattern.exec(this.output) as RegExpExecArray;
  }

  type(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}

async function activate(lifeline: Lifeline, body: Record<string, unknown>): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${lifeline.baseUrl}/agent/v1/activate`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Runs the flow only once the host publishes the devices methods (GET /api/methods). */
async function openDevices(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Devices', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Devices' })).toBeVisible();
}

/** Password recovery through the HTTP API (the account spec covers its screens); starts the 24 h device hold. */
async function recoverPassword(lifeline: Lifeline, host: { baseUrl: string; token: string }): Promise<void> {
  const must = async <T>(method: string, input: unknown): Promise<T> => {
    const result = await lifeline.call<T>(method, input);
    if (!result.ok) throw new Error(`${method} failed: ${result.error.code} ${result.error.message}`);
    return result.value;
  };
  const { flowId } = await must<{ flowId: string }>('recovery.start', { identifier: EMAIL });
  await must('recovery.submitPicture', { flowId, answer: await lifeline.hooks!.captchaAnswer() });
  const code = await latestCode(host, EMAIL, /recovery/i);
  const { grant } = await must<{ grant: string }>('recovery.verifyCode', { flowId, code });
  await must('recovery.setPassword', { flowId, grant, password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
}

test('a phone is linked, found on the map, rung, put in lost mode, erased and activated again', async ({ lifeline }) => {
  test.skip(!lifeline.hooks, 'Needs the web host with test hooks (captcha, outbox and clock).');
  test.setTimeout(180_000);
  const { page } = lifeline;
  const host = { baseUrl: lifeline.baseUrl ?? '', token: lifeline.token ?? '' };
  await createVerifiedAccount(host, { email: EMAIL, password: PASSWORD });

  // Signed out, the panel says what to do first.
  await openDevices(page);
  await expect(page.getByRole('main')).toContainText(/no phones linked yet/i);
  await page.getByRole('button', { name: 'Go to Account' }).click();
  await signIn(page, EMAIL, PASSWORD);

  // Add device: the one-time code, its countdown and QR code.
  await openDevices(page);
  await page.getByRole('button', { name: 'Add device' }).click();
  const codeText = (await page.getByLabel('One-time code').textContent()) ?? '';
  expect(codeText).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  await expect(page.getByRole('timer')).toContainText(/Expires in \d+:\d\d/);
  await expect(page.getByRole('img', { name: 'QR code with the link for this phone' })).toBeVisible();
  await expect(page.getByText(`--code ${codeText}`)).toBeVisible();

  const sim = new Simulator(['--url', host.baseUrl, '--code', codeText, '--name', PHONE_NAME, '--at', '-6.9175,107.6191', '--interval', '1', '--serial', 'E2E-SERIAL-1']);
  try {
    const enrolled = await sim.printed(/ENROLLED as (\S+)/);
    const deviceId = enrolled[1] ?? '';

    // The phone appears by itself, with its place on the offline map.
    const card = page.getByRole('article', { name: PHONE_NAME });
    await expect(card).toBeVisible();
    await expect(card).toContainText('Activation lock on');
    await expect(page.getByText(/near Bandung, Indonesia/)).toBeVisible();
    const map = page.getByRole('region', { name: `Map of ${PHONE_NAME}` });
    await expect(map).toBeVisible();
    expect(await map.locator('path.dv-map-land').count()).toBeGreaterThan(100);
    await expect(map.locator('path.dv-map-last')).toHaveCount(1);
    await expect(page.getByRole('slider', { name: 'Time' })).toBeVisible();

    // Ring: queued -> delivered -> done, and the simulator obeys.
    await field(page, 'Seconds').fill('10');
    await page.getByRole('button', { name: 'Ring', exact: true }).click();
    await sim.printed(/RINGING for 10 s/);
    const sent = page.getByRole('list', { name: 'Sent commands' });
    await expect(sent.getByRole('listitem').first()).toContainText('Status: Done');

    // The command list survives a reload.
    await page.reload();
    await openDevices(page);
    await expect(page.getByRole('list', { name: 'Sent commands' }).getByRole('listitem').first()).toContainText(/Ring.*Status: Done/);

    // Lost mode with a message and a number to call.
    await field(page, 'Message on the phone').fill('This phone is lost. Please call me.');
    await field(page, 'Contact number').fill('+62 812 555 0101');
    await page.getByRole('button', { name: 'Turn on lost mode' }).click();
    await sim.printed(/LOST MODE: "This phone is lost\. Please call me\." call \+62 812 555 0101/);
    await expect(card).toContainText('Lost mode on');
    const alerts = page.getByRole('list', { name: 'Alerts' });
    await expect(alerts).toContainText('Lost phone reported in');

    // A new SIM card raises an alert.
    sim.type('sim');
    await sim.printed(/SIM CHANGED/);
    await expect(alerts).toContainText('SIM changed');

    // Erase: needs the password again and the name typed out.
    await page.getByRole('button', { name: 'Erase phone…' }).click();
    const dialog = page.getByRole('dialog', { name: `Erase ${PHONE_NAME}?` });
    const confirm = dialog.getByRole('button', { name: 'Erase phone', exact: true });
    await dialog.getByLabel('Your password').fill(PASSWORD);
    await expect(confirm).toBeDisabled();
    await dialog.getByLabel(`Type the phone's name, ${PHONE_NAME}, to confirm`).fill(PHONE_NAME);
    await confirm.click();
    await expect(dialog).toBeHidden();
    await sim.printed(/ERASED/);
    await expect(card).toContainText('Erased');
    await expect(alerts).toContainText('Erase done');
    await sim.exited;

    // The erased phone cannot be set up without the owner's credentials ...
    const refused = await activate(lifeline, { deviceId, account: EMAIL, password: 'not the password' });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.json).toMatchObject({ ok: false, error: { code: 'invalid_credentials' } });
    expect(JSON.stringify(refused.json)).not.toContain(PHONE_NAME);
    // ... and can with them.
    const accepted = await activate(lifeline, { serial: 'E2E-SERIAL-1', account: EMAIL, password: PASSWORD });
    expect(accepted.status).toBe(200);
    expect(accepted.json).toMatchObject({ deviceId });
    await expect(card).not.toContainText('Erased');

    // After a password recovery the lock holds for 24 hours, even with the right (new) password.
    await recoverPassword(lifeline, host);
    const held = await activate(lifeline, { deviceId, account: EMAIL, password: NEW_PASSWORD });
    expect(held.json).toMatchObject({ ok: false, error: { code: 'recently_recovered' } });
    await lifeline.hooks!.advanceClock(24 * 60 * 60_000 + 60_000);
    const afterHold = await activate(lifeline, { deviceId, account: EMAIL, password: NEW_PASSWORD });
    expect(afterHold.status).toBe(200);
    expect(afterHold.json).toMatchObject({ deviceId });
  } finally {
    await sim.stop();
  }
  expect(only4xx(lifeline.consoleErrors)).toEqual([]);
});

test('the signed-out Devices panel sends people to Account', async ({ lifeline }) => {
  const { page } = lifeline;
  await openDevices(page);
  await expect(page.getByRole('main')).toContainText(/no phones linked yet/i);
  await page.getByRole('button', { name: 'Go to Account' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Account' })).toBeVisible();
  expect(lifeline.consoleErrors).toEqual([]);
});
