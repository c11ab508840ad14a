import { shell, type App, type Session, type WebContents } from 'electron';
import { isAllowedDownload, isAllowedNavigation, isPermissionAllowed, safeExternalUrl } from './security';

/**
 * The one way Lifeline hands a URL to the operating system: only URLs safeExternalUrl accepts (https, no
 * credentials, bounded length). Returns whether it was handed over.
 */
export function openExternalSafely(url: unknown): boolean {
  const safe = safeExternalUrl(url);
  if (!safe) return false;
  shell.openExternal(safe).catch(() => {
    // No browser configured: nothing the page can do about it, and the page must not learn more.
  });
  return true;
}

/** Navigation, new windows and webviews for one webContents: nothing leaves the app. */
export function secureWebContents(contents: WebContents): void {
  const blockForeign = (event: { preventDefault(): void }, url: string) => {
    if (!isAllowedNavigation(url)) event.preventDefault();
  };
  contents.on('will-navigate', (event) => blockForeign(event, event.url));
  contents.on('will-frame-navigate', (event) => blockForeign(event, event.url));
  contents.on('will-redirect', (event) => blockForeign(event, event.url));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // No second window ever; a link meant for a browser (target=_blank) goes to the system browser instead.
  contents.setWindowOpenHandler(({ url }) => {
    openExternalSafely(url);
    return { action: 'deny' };
  });
}

/** Permission answers for a session: deny unless security.ts allows it for the app origin. */
export function secureSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(isPermissionAllowed(permission, details.requestingUrl));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    isPermissionAllowed(permission, details.requestingUrl ?? requestingOrigin),
  );
  session.setDevicePermissionHandler(() => false);
  session.setDisplayMediaRequestHandler((_request, callback) => callback(null));
  // Only files the page made itself (receipts); Electron shows the save dialog for those.
  session.on('will-download', (event, item) => {
    if (!isAllowedDownload(item.getURL())) event.preventDefault();
  });
}

/**
 * Wires the whole policy: every webContents ever created (windows, and anything a bug might create) gets the
 * navigation and window rules, and the default session gets the permission rules. Call before the first window.
 */
export function applySecurityPolicy(app: App, session: Session): void {
  app.on('web-contents-created', (_event, contents) => secureWebContents(contents));
  secureSession(session);
}
