import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_PORT, defaultDataDir, isLoopbackHost, loadConfig } from './config';

describe('loadConfig', () => {
  it('uses safe defaults: loopback, fixed port, random token, sandbox delivery', () => {
    const a = loadConfig({});
    const b = loadConfig({});
    expect(a.host).toBe('127.0.0.1');
    expect(a.port).toBe(DEFAULT_PORT);
    expect(a.token).not.toBe(b.token);
    expect(a.token.length).toBeGreaterThanOrEqual(16);
    expect(a.smtpUrl).toBeUndefined();
    expect(a.testHooks).toBe(false);
  });

  it('reads every LIFELINE_ variable', () => {
    const c = loadConfig({
      LIFELINE_DATA_DIR: '/tmp/x',
      LIFELINE_PORT: '0',
      LIFELINE_HOST: '0.0.0.0',
      LIFELINE_TOKEN: 'abcdefghijklmnop',
      LIFELINE_PUBLIC_URL: 'https://shop.example/',
      LIFELINE_SMTP_URL: 'smtp://127.0.0.1:2525',
      LIFELINE_MAIL_FROM: 'Shop <a@b.c>',
      LIFELINE_SMS_WEBHOOK_URL: 'http://127.0.0.1:9/sms',
      LIFELINE_SANDBOX: '1',
      LIFELINE_TEST_HOOKS: '1',
      LIFELINE_PHONE_REGION: 'gb',
    });
    expect(c).toMatchObject({
      dataDir: path.resolve('/tmp/x'),
      port: 0,
      host: '0.0.0.0',
      token: 'abcdefghijklmnop',
      publicUrl: 'https://shop.example',
      smtpUrl: 'smtp://127.0.0.1:2525',
      mailFrom: 'Shop <a@b.c>',
      smsWebhookUrl: 'http://127.0.0.1:9/sms',
      sandbox: true,
      testHooks: true,
      phoneRegion: 'GB',
    });
  });

  it('lets command-line flags win over the environment', () => {
    expect(loadConfig({ LIFELINE_PORT: '8000' }, { port: 0, dataDir: '/d', host: '::1' })).toMatchObject({ port: 0, dataDir: path.resolve('/d'), host: '::1' });
  });

  it('says what is wrong with bad values', () => {
    expect(() => loadConfig({ LIFELINE_PORT: '70000' })).toThrow(ConfigError);
    expect(() => loadConfig({ LIFELINE_PORT: 'abc' })).toThrow(/LIFELINE_PORT/);
    expect(() => loadConfig({ LIFELINE_TOKEN: 'short' })).toThrow(/LIFELINE_TOKEN/);
    expect(() => loadConfig({ LIFELINE_PUBLIC_URL: 'javascript:alert(1)' })).toThrow(/LIFELINE_PUBLIC_URL/);
    expect(() => loadConfig({ LIFELINE_SMTP_URL: 'http://x' })).toThrow(/smtp/);
    expect(() => loadConfig({ LIFELINE_PHONE_REGION: 'Indonesia' })).toThrow(/LIFELINE_PHONE_REGION/);
  });

  it('puts the default data dir where each platform keeps app data', () => {
    expect(defaultDataDir({ XDG_DATA_HOME: '/xdg' }, 'linux')).toBe(path.join('/xdg', 'lifeline'));
    expect(defaultDataDir({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32')).toContain('Lifeline');
    expect(defaultDataDir({}, 'darwin')).toContain(path.join('Library', 'Application Support', 'Lifeline'));
  });

  it('knows loopback hosts', () => {
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '192.168.1.2', 'example.com', '::'].some(isLoopbackHost)).toBe(false);
  });
});
