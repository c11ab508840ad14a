import { expect, test } from './fixtures';

const panels = ['Account', 'Backup', 'Devices', 'Shop', 'Settings'] as const;

test('the app loads with its status bar and no console errors', async ({ lifeline }) => {
  const { page } = lifeline;
  await expect(page).toHaveTitle(/Lifeline/);
  const status = page.getByRole('contentinfo');
  await expect(status).toContainText(lifeline.dataDir);
  await expect(status).toContainText(/sandbox delivery/i);
  // give late errors (event stream, lazy chunks) a moment to surface
  await page.waitForLoadState('networkidle');
  expect(lifeline.consoleErrors).toEqual([]);
});

test('navigation reaches every panel by role and name', async ({ lifeline }) => {
  const { page } = lifeline;
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const name of panels) {
    const item = nav.getByRole('link', { name, exact: true }).or(nav.getByRole('button', { name, exact: true }));
    await item.click();
    await expect(page.getByRole('heading', { level: 1, name, exact: true })).toBeVisible();
  }
  expect(lifeline.consoleErrors).toEqual([]);
});

test('every panel explains its first step when empty', async ({ lifeline }) => {
  const { page } = lifeline;
  const nav = page.getByRole('navigation', { name: 'Main' });
  const firstSteps: Record<(typeof panels)[number], RegExp> = {
    Account: /sign in|create an account/i,
    Backup: /no backups yet/i,
    Devices: /no phones linked yet/i,
    Shop: /no tickets yet/i,
    Settings: /language/i,
  };
  for (const name of panels) {
    await nav.getByRole('link', { name, exact: true }).or(nav.getByRole('button', { name, exact: true })).click();
    await expect(page.getByRole('main')).toContainText(firstSteps[name]);
  }
});

test('the page is served with the security headers', async ({ lifeline }) => {
  test.skip(lifeline.host !== 'web', 'The desktop app serves pages over app://, covered by the Electron security spec.');
  const res = await fetch(`${lifeline.baseUrl}/`);
  expect(res.status).toBe(200);
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
});

test('the test-hooks banner is visible when hooks are on', async ({ lifeline }) => {
  test.skip(lifeline.host !== 'web', 'Hooks are a web-host feature.');
  await expect(lifeline.page.getByText(/test hooks are on/i)).toBeVisible();
});
