import { expect, startWebHost, test } from './fixtures';

test.describe('web host process', () => {
  test.skip(({ lifelineHost }) => lifelineHost !== 'web', 'These tests start the web host process themselves.');

  test('stops cleanly on SIGINT and SIGTERM, and the data dir opens again', async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const host = await startWebHost();
      const res = await fetch(`${host.baseUrl}/api/rpc/settings.update`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ theme: 'dark' }),
      });
      expect(res.status).toBe(200);
      expect(await host.stop(signal)).toBe(0);
      expect(host.output()).toContain('Lifeline stopped.');
      const again = await startWebHost({}, host.dataDir);
      const settings = await fetch(`${again.baseUrl}/api/rpc/settings.get`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${again.token}`, 'Content-Type': 'application/json' },
        body: '{}',
      });
      expect(((await settings.json()) as { value: { theme: string } }).value.theme).toBe('dark');
      expect(await again.stop()).toBe(0);
    }
  });

  test('a second host on the same data dir is refused with a clear message', async () => {
    const first = await startWebHost();
    await expect(startWebHost({}, first.dataDir)).rejects.toThrow(/already in use/);
    expect(await first.stop()).toBe(0);
  });

  test('the page without a token says how to open it', async ({ page }) => {
    const host = await startWebHost();
    await page.goto(`${host.baseUrl}/`);
    await expect(page.getByText(/Open Lifeline from the link the host printed/)).toBeVisible();
    expect(await host.stop()).toBe(0);
  });
});
