// `npm run screenshots`: pictures of each panel for the README (docs/screenshots/), light and dark,
// taken in Chromium against a fresh web host. Run after `npm run build`.
import { chromium } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumExecutable } from '../e2e/chromium';
import { startWebHost } from '../e2e/fixtures';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'docs/screenshots');
const panels = ['Account', 'Backup', 'Devices', 'Shop', 'Settings'];

async function main() {
  fs.mkdirSync(out, { recursive: true });
  const host = await startWebHost({ LIFELINE_TEST_HOOKS: '0' });
  const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
  try {
    for (const scheme of ['light', 'dark'] as const) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: scheme });
      await page.goto(`${host.baseUrl}/#token=${host.token}`);
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      if (scheme === 'light') await page.screenshot({ path: path.join(out, 'shell.png') });
      for (const name of panels) {
        const nav = page.getByRole('navigation', { name: 'Main' });
        await nav.getByRole('link', { name, exact: true }).or(nav.getByRole('button', { name, exact: true })).click();
        await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
        await page.screenshot({ path: path.join(out, `${name.toLowerCase()}${scheme === 'dark' ? '-dark' : ''}.png`) });
      }
      await page.close();
    }
  } finally {
    await browser.close();
    await host.stop();
  }
  process.stdout.write(`Screenshots written to ${path.relative(root, out)}/\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`screenshots failed: ${(error as Error).message}\n`);
  process.exit(1);
});
