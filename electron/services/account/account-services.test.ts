import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LifelineConfig } from '../../config';
import { ManualClock } from '../clock';
import { currentVersion } from '../db/migrate';
import { closeDatabase, openDatabase } from '../db/open';
import { EventBus } from '../events';
import { createAccountServices } from './account-services';
import { accountMigrations } from './migrations';
import { loadOrCreateSecret, SECRET_FILE } from './secrets';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function config(dir: string, extra: Partial<LifelineConfig> = {}): LifelineConfig {
  return {
    dataDir: dir,
    host: '127.0.0.1',
    port: 0,
    token: 'a'.repeat(20),
    publicUrl: undefined,
    smtpUrl: undefined,
    mailFrom: 'x@y.z',
    smsWebhookUrl: undefined,
    sandbox: false,
    testHooks: false,
    phoneRegion: 'ID',
    ...extra,
  };
}

describe('the account secret', () => {
  it('is created at first start with mode 0600 and read back unchanged afterwards', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-secret-'));
    dirs.push(dir);
    const first = loadOrCreateSecret(dir);
    expect(first.length).toBe(32);
    if (process.platform !== 'win32') expect(fs.statSync(path.join(dir, SECRET_FILE)).mode & 0o777).toBe(0o600);
    expect(loadOrCreateSecret(dir).equals(first)).toBe(true);
  });

  it('refuses a damaged secret instead of silently making a new one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-secret-'));
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, SECRET_FILE), 'short');
    expect(() => loadOrCreateSecret(dir)).toThrow(/damaged/);
  });
});

describe('createAccountServices', () => {
  it('migrates the account scope, creates the secret, loads the blocklist, and keeps test hooks empty unless asked', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-services-'));
    dirs.push(dir);
    const db = openDatabase(dir);
    try {
      const services = createAccountServices(config(dir), db, new ManualClock(), new EventBus(), { hashParams: { memoryCost: 1024, timeCost: 1, parallelism: 1 } });
      expect(currentVersion(db, 'account')).toBe(accountMigrations.length);
      expect(fs.existsSync(path.join(dir, SECRET_FILE))).toBe(true);
      expect(services.policy.blocklistSize).toBeGreaterThanOrEqual(3000);
      expect(services.delivery.info()).toEqual({ sandbox: true, outboxDir: path.join(dir, 'outbox') });
      await services.delivery.send({ channel: 'email', to: 'a@mail.com', message: { kind: 'verify_code', code: '123456' }, language: 'en', idempotencyKey: 'x' });
      expect(fs.readdirSync(path.join(dir, 'outbox'))).toHaveLength(1);
      expect(services.testHooks.outbox('a@mail.com')).toEqual([]);
      expect(services.testHooks.latestCaptchaAnswer()).toBeUndefined();
      expect(services.isRecoveryHoldActive('1234567890')).toBe(false);
      services.close();
    } finally {
      closeDatabase(db, dir);
    }
  });

  it('refuses an unknown default phone region', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-services-'));
    dirs.push(dir);
    const db = openDatabase(dir);
    try {
      expect(() => createAccountServices(config(dir), db, new ManualClock(), new EventBus(), { defaultRegion: 'XX' })).toThrow(/region/);
    } finally {
      closeDatabase(db, dir);
    }
  });
});
