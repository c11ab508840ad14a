import { defineConfig } from '@playwright/test';
import { chromiumExecutable } from './e2e/chromium';
import type { Options } from './e2e/fixtures';

const electron = process.env.E2E_ELECTRON === '1';

export default defineConfig<Options>({
  testDir: 'e2e',
  outputDir: 'test-results/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: process.env.CI ? 1 : 2,
  retries: 0,
  reporter: [['list']],
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'web',
      testIgnore: ['electron/**'],
      use: {
        browserName: 'chromium',
        launchOptions: { executablePath: chromiumExecutable(), args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] },
      },
    },
    ...(electron ? [{ name: 'electron', use: { lifelineHost: 'electron' as const } }] : []),
  ],
});
