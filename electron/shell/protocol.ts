import { net, protocol, type Session } from 'electron';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { appFileHeaders, notFoundHeaders, resolveAppFile } from './app-files';
import { APP_SCHEME } from './security';

/**
 * Makes app:// behave like https for the page (its own origin, secure context, fetch and CSP work) instead of
 * file://, which would give every page access to the whole disk. Must run before the app is ready.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
    },
  ]);
}

/** Serves the built renderer from `rendererDir` on app://lifeline/ in the given session. Call after ready. */
export function serveAppProtocol(session: Session, rendererDir: string): void {
  const root = path.resolve(rendererDir);
  const notFound = () => new Response('Not found', { status: 404, headers: notFoundHeaders() });

  session.protocol.handle(APP_SCHEME, async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response('Method not allowed', { status: 405, headers: { ...notFoundHeaders(), Allow: 'GET, HEAD' } });
    }
    const file = resolveAppFile(root, request.url);
    if (!file) return notFound();
    try {
      // Sync stat and net.fetch of a file: URL both read inside app.asar, where the renderer lives when packaged.
      if (!fs.statSync(file).isFile()) return notFound();
      const upstream = await net.fetch(pathToFileURL(file).toString());
      if (!upstream.ok) return notFound();
      const headers = appFileHeaders(file, root);
      return new Response(request.method === 'HEAD' ? null : upstream.body, { status: 200, headers });
    } catch {
      return notFound();
    }
  });
}
