import path from 'node:path';
import { APP_RESPONSE_HEADERS, isAppUrl } from './security';

/**
 * How app:// URLs map to files of the built renderer. Pure (no 'electron') so the traversal rules are tested
 * under Node; shell/protocol.ts does the reading.
 */

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.geojson': 'application/geo+json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
};

export function mimeTypeFor(filePath: string): string {
  return MIME_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file an app:// request URL names inside `root`, or undefined when the URL is not the app's, or its path is
 * malformed, hidden (a dot segment such as ".env"), or would leave `root` in any spelling (%2e%2e, %2f, "\\", NUL).
 * "/" means index.html. Only files of a known type are served: no directory listings, no stray files.
 */
export function resolveAppFile(root: string, requestUrl: string): string | undefined {
  if (!isAppUrl(requestUrl)) return undefined;
  const rawPath = new URL(requestUrl).pathname;
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
  if (decoded === '' || decoded === '/') decoded = '/index.html';
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const segments = decoded.split('/').slice(1);
  // An empty segment ("//", a trailing "/", a decoded %2F) or a dot segment never comes from a real asset link.
  if (segments.some((segment) => segment === '' || segment.startsWith('.'))) return undefined;
  const rootResolved = path.resolve(root);
  const target = path.resolve(rootResolved, ...segments);
  if (!target.startsWith(rootResolved + path.sep)) return undefined;
  if (!(path.extname(target).toLowerCase() in MIME_TYPES)) return undefined;
  return target;
}

/** Response headers for one served file: the security headers, its type, and caching that fits it. */
export function appFileHeaders(filePath: string, root: string): Record<string, string> {
  const relative = path.relative(path.resolve(root), filePath).split(path.sep);
  // Vite puts a content hash in every asset name, so those never change; index.html must always be fresh.
  const immutable = relative[0] === 'assets';
  return {
    ...APP_RESPONSE_HEADERS,
    'Content-Type': mimeTypeFor(filePath),
    'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  };
}

export function notFoundHeaders(): Record<string, string> {
  return { ...APP_RESPONSE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' };
}
