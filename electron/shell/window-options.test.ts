import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appMenuTemplate } from './menu';
import { shellPaths } from './paths';
import { mainWindowOptions, WINDOW_BACKGROUND } from './window-options';

describe('mainWindowOptions', () => {
  const base = {
    placement: { x: 10, y: 20, width: 1000, height: 700, maximized: false },
    dark: false,
    preloadPath: '/app/dist/electron/preload.cjs',
    iconPath: '/app/resources/icon.png',
    devTools: false,
  };

  it('locks the page down: isolated, sandboxed, no Node, web security on', () => {
    const prefs = mainWindowOptions(base).webPreferences;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: false,
      preload: path.resolve('/app/dist/electron/preload.cjs'),
    });
  });

  it('is titled Lifeline, hidden until painted, placed where asked, in the theme colour', () => {
    const light = mainWindowOptions(base);
    expect(light).toMatchObject({ title: 'Lifeline', show: false, x: 10, y: 20, width: 1000, height: 700, icon: '/app/resources/icon.png' });
    expect(light.backgroundColor).toBe(WINDOW_BACKGROUND.light);
    expect(mainWindowOptions({ ...base, dark: true }).backgroundColor).toBe(WINDOW_BACKGROUND.dark);
  });

  it('centres the window when there is no saved position and leaves out a missing icon', () => {
    const options = mainWindowOptions({ ...base, placement: { width: 1200, height: 800, maximized: false }, iconPath: undefined });
    expect(options.center).toBe(true);
    expect(options.x).toBeUndefined();
    expect('icon' in options).toBe(false);
  });
});

describe('appMenuTemplate', () => {
  const roles = (template: ReturnType<typeof appMenuTemplate>): string[] =>
    template.flatMap((item) => [item.role ?? item.label ?? '', ...(Array.isArray(item.submenu) ? item.submenu.map((sub) => sub.role ?? '') : [])]);

  it('has no reload or DevTools in a packaged app', () => {
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      const all = roles(appMenuTemplate(platform, false));
      expect(all).not.toContain('toggleDevTools');
      expect(all).not.toContain('reload');
      expect(all).toContain('editMenu');
    }
    expect(roles(appMenuTemplate('linux', true))).toContain('toggleDevTools');
  });

  it('has the application menu on macOS only', () => {
    expect(roles(appMenuTemplate('darwin', false))).toContain('appMenu');
    expect(roles(appMenuTemplate('win32', false))).not.toContain('appMenu');
  });
});

describe('shellPaths', () => {
  it('finds the renderer, preload and resources next to the bundled main in development', () => {
    const mainDir = path.join('/repo', 'dist', 'electron');
    expect(shellPaths(mainDir, undefined)).toEqual({
      rendererDir: path.join('/repo', 'dist', 'renderer'),
      preload: path.join('/repo', 'dist', 'electron', 'preload.cjs'),
      resourcesDir: path.join('/repo', 'resources'),
      icon: path.join('/repo', 'resources', 'icon.png'),
    });
  });

  it('uses the packaged resources dir when packaged', () => {
    const mainDir = path.join('/opt', 'Lifeline', 'resources', 'app.asar', 'dist', 'electron');
    const paths = shellPaths(mainDir, { resourcesPath: path.join('/opt', 'Lifeline', 'resources') });
    expect(paths.resourcesDir).toBe(path.join('/opt', 'Lifeline', 'resources'));
    expect(paths.rendererDir).toBe(path.join(mainDir, '..', 'renderer'));
  });
});
