// Proves the Electron security policy (electron/shell/security.ts) in the real app: no Node in the page, a bridge
// of exactly `call` and `on`, no new windows, no navigation away from app://lifeline, permissions denied.
// Electron-only: it drives the main process, so it runs only in the `electron` project (E2E_ELECTRON=1).
import { _electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The repository root; this spec is an ES module (package.json "type": "module"), so there is no __dirname.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const APP_URL = /^app:\/\/lifeline\//;

test.skip(process.env.E2E_ELECTRON !== '1', 'Electron-only spec: set E2E_ELECTRON=1 on a machine with the Electron binary to run it.');
test.describe.configure({ mode: 'serial' });

type Envelope = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };
type Bridge = { call(method: unknown, input?: unknown): Promise<Envelope>; on(event: unknown, handler: unknown): () => void };
type PageGlobals = {
  lifeline: Bridge;
  open(url: string, target?: string): unknown;
  location: { href: string };
  navigator: {
    geolocation: {
      getCurrentPosition(ok: () => void, fail: (error: { code: number; PERMISSION_DENIED: number }) => void): void;
    };
  };
};
const inPage = () => globalThis as unknown as PageGlobals;

let electronApp: ElectronApplication;
let page: Page;
let dataDir: string;

test.beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-e2e-security-'));
  electronApp = await _electron.launch({
    args: [path.join(ROOT, 'dist/electron/main.cjs')],
    env: { ...process.env, LIFELINE_DATA_DIR: dataDir } as Record<string, string>,
  });
  page = await electronApp.firstWindow();
  await page.waitForLoadState('domcontentloaded');
});

test.afterAll(async () => {
  await electronApp?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

test('the window is isolated, sandboxed, without Node, and served from app://', async () => {
  const facts = await electronApp.evaluate(({ BrowserWindow }) => {
    const windows = BrowserWindow.getAllWindows();
    // Undocumented but long-standing (Electron's own tests use it); the page-side checks below do not depend on it.
    const contents = windows[0]?.webContents as unknown as { getLastWebPreferences?: () => Record<string, unknown> | null } | undefined;
    const prefs = contents?.getLastWebPreferences?.() ?? undefined;
    return {
      windows: windows.length,
      url: windows[0]?.webContents.getURL() ?? '',
      prefs: prefs
        ? { contextIsolation: prefs.contextIsolation, sandbox: prefs.sandbox, nodeIntegration: prefs.nodeIntegration, webSecurity: prefs.webSecurity }
        : undefined,
    };
  });
  expect(facts.windows).toBe(1);
  expect(facts.url).toMatch(APP_URL);
  if (facts.prefs) expect(facts.prefs).toEqual({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
});

test('the page has no require or process, and window.lifeline has exactly call and on', async () => {
  const globals = await page.evaluate(() => {
    const scope = globalThis as unknown as Record<string, unknown>;
    const bridge = scope.lifeline as Record<string, unknown> | undefined;
    return {
      require: typeof scope.require,
      process: typeof scope.process,
      module: typeof scope.module,
      Buffer: typeof scope.Buffer,
      bridgeKeys: bridge ? Object.keys(bridge).sort() : [],
      call: typeof bridge?.call,
      on: typeof bridge?.on,
    };
  });
  expect(globals).toEqual({
    require: 'undefined',
    process: 'undefined',
    module: 'undefined',
    Buffer: 'undefined',
    bridgeKeys: ['call', 'on'],
    call: 'function',
    on: 'function',
  });
});

test('calls go through the bridge, and bad ones come back as envelopes', async () => {
  const answers = await page.evaluate(async () => {
    const { lifeline } = globalThis as unknown as { lifeline: Bridge };
    return {
      ping: await lifeline.call('system.ping', { text: 'hi' }),
      unknown: await lifeline.call('constructor.prototype', {}),
      badName: await lifeline.call(42, {}),
      badInput: await lifeline.call('system.ping', ['hi']),
      extraField: await lifeline.call('system.ping', { text: 'hi', admin: true }),
      badHandler: (() => {
        try {
          lifeline.on('settings.changed', 'not a function');
          return 'accepted';
        } catch {
          return 'refused';
        }
      })(),
    };
  });
  expect(answers.ping).toMatchObject({ ok: true, value: { text: 'hi' } });
  expect(answers.unknown).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
  expect(answers.badName).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  expect(answers.badInput).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  expect(answers.extraField).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  expect(answers.badHandler).toBe('refused');
});

test('window.open is denied and no second window appears', async () => {
  // Not https, so the policy does not hand it to the system browser either.
  const opened = await page.evaluate(() => [
    inPage().open('http://example.invalid/') === null,
    inPage().open('app://lifeline/index.html', '_blank') === null,
    inPage().open('file:///etc/passwd') === null,
  ]);
  expect(opened).toEqual([true, true, true]);
  expect(electronApp.windows()).toHaveLength(1);
  expect(await electronApp.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
});

test('navigating to an external URL is prevented and the app stays loaded', async () => {
  // Listen in the main process after the policy's own listener, which runs first and prevents the navigation.
  await electronApp.evaluate(({ BrowserWindow }) => {
    const contents = BrowserWindow.getAllWindows()[0]?.webContents;
    (globalThis as Record<string, unknown>).__lifelineNavigation = new Promise((resolve) => {
      contents?.once('will-navigate', (event) => resolve({ url: event.url, prevented: event.defaultPrevented }));
    });
  });
  await page.evaluate(() => {
    inPage().location.href = 'http://example.invalid/phish';
  });
  const navigation = await electronApp.evaluate(
    () => (globalThis as Record<string, unknown>).__lifelineNavigation as Promise<{ url: string; prevented: boolean }>,
  );
  expect(navigation).toEqual({ url: 'http://example.invalid/phish', prevented: true });
  expect(page.url()).toMatch(APP_URL);
  const ping = await page.evaluate(() => (globalThis as unknown as { lifeline: Bridge }).lifeline.call('system.ping', { text: 'still here' }));
  expect(ping).toMatchObject({ ok: true, value: { text: 'still here' } });
});

test('permissions are denied by default', async () => {
  const geolocation = await page.evaluate(
    () =>
      new Promise<string>((resolve) => {
        inPage().navigator.geolocation.getCurrentPosition(
          () => resolve('granted'),
          (error) => resolve(error.code === error.PERMISSION_DENIED ? 'denied' : `failed with code ${error.code}`),
        );
      }),
  );
  expect(geolocation).toBe('denied');
});
