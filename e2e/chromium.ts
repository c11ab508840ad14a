import fs from 'node:fs';

/**
 * The Chromium the tests drive: PLAYWRIGHT_CHROMIUM_PATH, then Debian's /usr/bin/chromium, then Playwright's own
 * download (undefined here means "Playwright's default"). Says what is missing instead of failing obscurely.
 */
export function chromiumExecutable(): string | undefined {
  const fromEnv = process.env.PLAYWRIGHT_CHROMIUM_PATH;
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) throw new Error(`PLAYWRIGHT_CHROMIUM_PATH points to ${fromEnv}, which does not exist.`);
    return fromEnv;
  }
  if (fs.existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  if (process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD === '1') {
    throw new Error('No Chromium found: install it (Debian: apt-get install -y chromium) or set PLAYWRIGHT_CHROMIUM_PATH.');
  }
  return undefined;
}
