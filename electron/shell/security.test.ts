import { describe, expect, it } from 'vitest';
import {
  ALLOWED_PERMISSIONS,
  APP_CONTENT_SECURITY_POLICY,
  APP_ENTRY_URL,
  APP_ORIGIN,
  APP_RESPONSE_HEADERS,
  MAX_EXTERNAL_URL_LENGTH,
  isAllowedDownload,
  isAllowedNavigation,
  isAppUrl,
  isPermissionAllowed,
  isTrustedSender,
  safeExternalUrl,
  shouldOpenExternally,
} from './security';

describe('isAppUrl', () => {
  it.each([APP_ENTRY_URL, 'app://lifeline/', 'app://lifeline', 'app://lifeline/assets/index-abc.js?x=1#frag', 'APP://LIFELINE/index.html'])(
    'accepts %s',
    (url) => expect(isAppUrl(url)).toBe(true),
  );

  it.each([
    'app://evil/index.html',
    'app://lifeline.evil.example/index.html',
    'app://lifeline:8080/index.html',
    'app://user:pass@lifeline/index.html',
    'app://user@lifeline/',
    'file:///etc/passwd',
    'https://lifeline/index.html',
    'http://127.0.0.1:5170/',
    'devtools://devtools/bundled/inspector.html',
    'javascript:alert(1)',
    'data:text/html,<p>x</p>',
    'about:blank',
    '',
    'not a url',
  ])('refuses %s', (url) => expect(isAppUrl(url)).toBe(false));

  it('refuses what is not a string', () => {
    for (const value of [undefined, null, 42, {}, ['app://lifeline/'], new URL('app://lifeline/')]) {
      expect(isAppUrl(value)).toBe(false);
    }
  });
});

describe('isAllowedDownload', () => {
  it('allows only blob URLs the app page made', () => {
    expect(isAllowedDownload('blob:app://lifeline/6f1c1d2e-0000-4000-8000-000000000001')).toBe(true);
    expect(isAllowedDownload('blob:https://evil.example/6f1c1d2e')).toBe(false);
    expect(isAllowedDownload('blob:app://lifeline.evil/6f1c')).toBe(false);
    expect(isAllowedDownload('app://lifeline/receipt.pdf')).toBe(false);
    expect(isAllowedDownload('https://example.com/file.pdf')).toBe(false);
    expect(isAllowedDownload('data:application/pdf;base64,AAAA')).toBe(false);
    expect(isAllowedDownload(undefined)).toBe(false);
  });
});

describe('isAllowedNavigation', () => {
  it('allows staying inside the app', () => {
    expect(isAllowedNavigation('app://lifeline/index.html#/backup')).toBe(true);
  });

  it.each(['https://example.com/', 'http://localhost:5170/', 'file:///C:/Windows/win.ini', 'app://other/', 'about:blank', 'chrome://gpu'])(
    'denies %s',
    (url) => expect(isAllowedNavigation(url)).toBe(false),
  );
});

describe('safeExternalUrl', () => {
  it('passes plain https links, normalised', () => {
    expect(safeExternalUrl('https://example.com/help?q=1#top')).toBe('https://example.com/help?q=1#top');
    expect(safeExternalUrl('https://EXAMPLE.com')).toBe('https://example.com/');
    expect(shouldOpenExternally('https://support.lifeline.example/articles/42')).toBe(true);
  });

  it.each([
    'http://example.com/',
    'file:///etc/passwd',
    'smb://server/share',
    'javascript:alert(1)',
    'data:text/html,x',
    'mailto:someone@example.com',
    'ms-settings:privacy',
    'app://lifeline/index.html',
    'https://user:pass@example.com/',
    'https://bank.example@evil.example/',
    'https:// example.com/',
    'https://example.com/a b',
    'https://example.com/\n',
    'https://example.com/\u0000',
    ' https://example.com/',
    'https://',
    '//example.com/',
    '',
  ])('refuses %j', (url) => {
    expect(safeExternalUrl(url)).toBeUndefined();
    expect(shouldOpenExternally(url)).toBe(false);
  });

  it('refuses URLs longer than the limit and what is not a string', () => {
    const long = `https://example.com/${'a'.repeat(MAX_EXTERNAL_URL_LENGTH)}`;
    expect(safeExternalUrl(long)).toBeUndefined();
    expect(safeExternalUrl(`https://example.com/${'a'.repeat(100)}`)).toBeDefined();
    for (const value of [undefined, null, 1, {}, new URL('https://example.com/')]) expect(safeExternalUrl(value)).toBeUndefined();
  });
});

describe('isPermissionAllowed', () => {
  it('allows only the allow-listed permissions, and only to the app', () => {
    for (const permission of ALLOWED_PERMISSIONS) {
      expect(isPermissionAllowed(permission, APP_ENTRY_URL)).toBe(true);
      expect(isPermissionAllowed(permission, APP_ORIGIN)).toBe(true);
      expect(isPermissionAllowed(permission, 'https://example.com/')).toBe(false);
      expect(isPermissionAllowed(permission, undefined)).toBe(false);
    }
  });

  it.each(['media', 'geolocation', 'openExternal', 'clipboard-read', 'display-capture', 'hid', 'usb', 'serial', 'midiSysex', 'fullscreen', 'pointerLock', 'unknown', ''])(
    'denies %s even to the app',
    (permission) => expect(isPermissionAllowed(permission, APP_ENTRY_URL)).toBe(false),
  );
});

describe('isTrustedSender', () => {
  it('trusts the app page main frame only', () => {
    expect(isTrustedSender({ url: APP_ENTRY_URL, isMainFrame: true })).toBe(true);
    expect(isTrustedSender({ url: APP_ENTRY_URL, isMainFrame: false })).toBe(false);
    expect(isTrustedSender({ url: 'https://example.com/', isMainFrame: true })).toBe(false);
    expect(isTrustedSender({ url: 'file:///tmp/index.html', isMainFrame: true })).toBe(false);
    expect(isTrustedSender({ url: undefined, isMainFrame: true })).toBe(false);
    expect(isTrustedSender(undefined)).toBe(false);
  });
});

describe('the app page policy', () => {
  const directives = new Map(
    APP_CONTENT_SECURITY_POLICY.split(';').map((part) => {
      const [name, ...values] = part.trim().split(/\s+/);
      return [name ?? '', values.join(' ')];
    }),
  );

  it('allows no inline or evaluated script, no plugins, no framing, no foreign origin', () => {
    expect(directives.get('default-src')).toBe("'self'");
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('object-src')).toBe("'none'");
    expect(directives.get('frame-ancestors')).toBe("'none'");
    expect(directives.get('base-uri')).toBe("'none'");
    expect(APP_CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|\*|http:/);
    // https: only for images: the opt-in street-map tiles; no script, style or connection goes off the app origin
    for (const [name, value] of directives) if (name !== 'img-src') expect(value, name).not.toContain('https:');
    expect(directives.get('img-src')).toBe("'self' data: blob: https:");
  });

  it('is sent with nosniff on every app response', () => {
    expect(APP_RESPONSE_HEADERS['Content-Security-Policy']).toBe(APP_CONTENT_SECURITY_POLICY);
    expect(APP_RESPONSE_HEADERS['X-Content-Type-Options']).toBe('nosniff');
  });
});
