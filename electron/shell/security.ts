/**
 * The Electron security policy as pure predicates. Everything the shell decides about URLs, senders and
 * permissions is decided here, so it can be unit-tested under plain Node; shell/apply-security.ts only wires
 * these answers into Electron's hooks. This file must never import 'electron'.
 */

export const APP_SCHEME = 'app';
export const APP_HOST = 'lifeline';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** Long enough for any real link, short enough that a page cannot smuggle a payload to another program. */
export const MAX_EXTERNAL_URL_LENGTH = 2048;

/**
 * The page policy for everything served from app://. The same directives as the web host's header, so the
 * renderer behaves alike under both hosts; the renderer talks to the main process over IPC, never the network.
 */
export const APP_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob: https:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "frame-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers on every app:// response. */
export const APP_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': APP_CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function parseUrl(value: unknown): URL | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 8192) return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/**
 * True for URLs of the app itself: app://lifeline/... with no port and no credentials. Node keeps the host of
 * a non-special scheme as written, Chromium lowercases it for a standard scheme, so case is ignored here.
 */
export function isAppUrl(value: unknown): boolean {
  const url = parseUrl(value);
  return (
    url !== undefined &&
    url.protocol === `${APP_SCHEME}:` &&
    url.host.toLowerCase() === APP_HOST &&
    url.port === '' &&
    url.username === '' &&
    url.password === ''
  );
}

/** Navigation (of the page or any frame, including redirects) may only stay inside the app. */
export function isAllowedNavigation(targetUrl: unknown): boolean {
  return isAppUrl(targetUrl);
}

/**
 * Downloads the page itself made (a receipt saved as JSON or PDF): blob URLs of the app origin only. Electron then
 * asks the person where to save; nothing from the network or another origin is ever downloaded.
 */
export function isAllowedDownload(url: unknown): boolean {
  if (typeof url !== 'string' || !url.startsWith('blob:')) return false;
  return isAppUrl(url.slice('blob:'.length));
}

/**
 * The form of a URL that may be handed to the operating system, or undefined when it must not be: only https,
 * a real host name, no user name or password (phishing: "https://bank.com@evil.example"), no whitespace or
 * control characters, and not absurdly long.
 */
export function safeExternalUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_EXTERNAL_URL_LENGTH) return undefined;
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  if (/[\s\u0000-\u001f\u007f]/.test(value)) return undefined;
  const url = parseUrl(value);
  if (!url || url.protocol !== 'https:') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  if (url.hostname === '' || url.hostname.includes('%')) return undefined;
  if (url.href.length > MAX_EXTERNAL_URL_LENGTH) return undefined;
  return url.href;
}

export function shouldOpenExternally(value: unknown): boolean {
  return safeExternalUrl(value) !== undefined;
}

/**
 * Permissions the app page may have. Everything else (camera, microphone, location, devices, MIDI, screen
 * capture, external protocols ...) is denied, whoever asks.
 */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write', 'notifications']);

/**
 * Deny by default: a permission is granted only when it is on the allow list and asked for by the app itself.
 * `requester` is the requesting URL, or the origin ("app://lifeline") when Chromium gives only that.
 */
export function isPermissionAllowed(permission: string, requester: string | undefined): boolean {
  return ALLOWED_PERMISSIONS.has(permission) && isAppUrl(requester);
}

export interface SenderFrameFacts {
  /** The URL of the frame that sent the message; undefined when the frame is gone. */
  readonly url: string | undefined;
  readonly isMainFrame: boolean;
}

/** IPC is answered only for the app page's main frame: never a subframe, never a page that navigated away. */
export function isTrustedSender(frame: SenderFrameFacts | undefined): boolean {
  return frame !== undefined && frame.isMainFrame === true && isAppUrl(frame.url);
}
