import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type LifelineApp } from '../app';
import { loadConfig } from '../config';
import { memorySessionSlot, type CallContext } from '../dispatcher';

let app: LifelineApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const ctx = (): CallContext => ({ transport: 'internal', ip: '127.0.0.1', userAgent: 'test', session: memorySessionSlot() });

describe('a new backup passphrase', () => {
  it('meets the account password policy before any store is created', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-passphrase-'));
    app = createApp(loadConfig({ LIFELINE_DATA_DIR: dataDir }), { hostKind: 'web' });
    for (const weak of ['short', 'password123', 'qwertyuiop']) {
      const answer = await app.dispatcher.dispatch('backup.init', { passphrase: weak }, ctx());
      expect(answer, weak).toMatchObject({ ok: false, error: { code: 'weak_password' } });
    }
    expect(fs.existsSync(path.join(dataDir, 'backups', 'config'))).toBe(false);
    const ok = await app.dispatcher.dispatch('backup.init', { passphrase: 'lantern copper river 58' }, ctx());
    expect(ok).toMatchObject({ ok: true, value: { exists: true, unlocked: true } });
  });
});
