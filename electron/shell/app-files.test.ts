import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appFileHeaders, mimeTypeFor, notFoundHeaders, resolveAppFile } from './app-files';
import { APP_CONTENT_SECURITY_POLICY } from './security';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-app-files-'));
const renderer = path.join(root, 'renderer');
fs.mkdirSync(path.join(renderer, 'assets'), { recursive: true });
fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html>');
fs.writeFileSync(path.join(renderer, 'assets', 'index-abc123.js'), 'export {};');
fs.writeFileSync(path.join(root, 'secret.txt'), 'outside');

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('resolveAppFile', () => {
  it('maps app URLs to files inside the renderer dir', () => {
    expect(resolveAppFile(renderer, 'app://lifeline/')).toBe(path.join(renderer, 'index.html'));
    expect(resolveAppFile(renderer, 'app://lifeline')).toBe(path.join(renderer, 'index.html'));
    expect(resolveAppFile(renderer, 'app://lifeline/index.html?x=1#/account')).toBe(path.join(renderer, 'index.html'));
    expect(resolveAppFile(renderer, 'app://lifeline/assets/index-abc123.js')).toBe(path.join(renderer, 'assets', 'index-abc123.js'));
    expect(resolveAppFile(renderer, 'app://lifeline/assets/a%20b.png')).toBe(path.join(renderer, 'assets', 'a b.png'));
  });

  it.each(['app://lifeline/../secret.txt', 'app://lifeline/%2e%2e/secret.txt', 'app://lifeline/%2E%2E/secret.txt', 'app://lifeline/assets/%2e%2e/%2e%2e/secret.txt'])(
    'keeps %s inside the root (URL parsing removes the dot segments, as Chromium does)',
    (url) => expect(resolveAppFile(renderer, url)).toBe(path.join(renderer, 'secret.txt')),
  );

  it.each([
    'app://lifeline/..%2fsecret.txt',
    'app://lifeline/assets%2f..%2f..%2fsecret.txt',
    'app://lifeline/..%5csecret.txt',
    'app://lifeline/%5c..%5csecret.txt',
    'app://lifeline/index.html%00.png',
    'app://lifeline/%E0%A4%A',
    'app://lifeline/.env',
    'app://lifeline/assets/',
    'app://lifeline/assets',
    'app://lifeline/LICENSE',
    'app://lifeline/server.key',
    'app://lifeline/assets/.hidden',
    'app://lifeline//etc/passwd',
    'app://lifeline/%2fetc%2fpasswd',
    'app://other/index.html',
    'file:///etc/passwd',
    'https://lifeline/index.html',
  ])('refuses %s', (url) => {
    const file = resolveAppFile(renderer, url);
    expect(file).toBeUndefined();
  });

  it('never answers with a path outside the root, whatever the URL', () => {
    const samples = ['..', '%2e%2e', '%2e.', '.%2e', '%252e%252e', '....', '%c0%ae%c0%ae', '%5c', '%2f', '~', '%00'];
    for (const a of samples) {
      for (const b of samples) {
        const file = resolveAppFile(renderer, `app://lifeline/${a}/${b}/secret.txt`);
        if (file !== undefined) expect(file.startsWith(renderer + path.sep)).toBe(true);
      }
    }
  });
});

describe('headers', () => {
  it('names the right content types', () => {
    expect(mimeTypeFor('index.html')).toBe('text/html; charset=utf-8');
    expect(mimeTypeFor('a/b/app.JS')).toBe('text/javascript; charset=utf-8');
    expect(mimeTypeFor('style.css')).toBe('text/css; charset=utf-8');
    expect(mimeTypeFor('font.woff2')).toBe('font/woff2');
    expect(mimeTypeFor('logo.svg')).toBe('image/svg+xml');
    expect(mimeTypeFor('module.wasm')).toBe('application/wasm');
    expect(mimeTypeFor('unknown.bin')).toBe('application/octet-stream');
    expect(mimeTypeFor('Makefile')).toBe('application/octet-stream');
  });

  it('sends the policy, nosniff and fitting caching with every file', () => {
    const page = appFileHeaders(path.join(renderer, 'index.html'), renderer);
    expect(page['Content-Security-Policy']).toBe(APP_CONTENT_SECURITY_POLICY);
    expect(page['X-Content-Type-Options']).toBe('nosniff');
    expect(page['Cache-Control']).toBe('no-cache');
    const asset = appFileHeaders(path.join(renderer, 'assets', 'index-abc123.js'), renderer);
    expect(asset['Content-Type']).toBe('text/javascript; charset=utf-8');
    expect(asset['Cache-Control']).toContain('immutable');
    expect(notFoundHeaders()['Content-Security-Policy']).toBe(APP_CONTENT_SECURITY_POLICY);
  });
});
