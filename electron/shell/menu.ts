import type { MenuItemConstructorOptions } from 'electron';

/**
 * A minimal menu: the standard edit roles (so copy, paste and undo work in text fields, above all on macOS),
 * window controls and quit. Reload and DevTools only in development, where they help and risk nothing.
 * Pure (type-only electron import) so it is unit-tested.
 */
export function appMenuTemplate(platform: NodeJS.Platform, development: boolean): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [];
  if (mac) template.push({ role: 'appMenu' });
  template.push({ label: 'File', submenu: [mac ? { role: 'close' } : { role: 'quit' }] });
  template.push({ role: 'editMenu' });
  const view: MenuItemConstructorOptions[] = [
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' },
  ];
  if (development) view.unshift({ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' });
  template.push({ label: 'View', submenu: view });
  template.push({ role: 'windowMenu' });
  return template;
}
