import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { backupMethods, type BackupMethodName, type BackupProgress } from '../../contract/backup';
import { memorySessionSlot, type CallContext } from '../dispatcher';
import { ManualClock } from '../services/clock';
import { BackupService } from '../services/backup/backup-service';
import { makeCorpus, tempDir, writeExportFolder } from '../services/backup/test-support';
import { createBackupHandlers } from './backup-handlers';

const ctx: CallContext = { transport: 'internal', ip: '127.0.0.1', userAgent: 'test', session: memorySessionSlot() };

describe('backup handlers', () => {
  it('answer what the contract allows, from init to forget, with progress events', async () => {
    const base = tempDir('lifeline-handlers-');
    const progress: BackupProgress[] = [];
    const service = new BackupService({ dir: path.join(base, 'backups'), clock: new ManualClock(), onProgress: (p) => progress.push(p), kdfLogN: 12 });
    const handlers = createBackupHandlers({ backup: service });
    const call = async <M extends BackupMethodName>(m: M, input: unknown): Promise<z.output<(typeof backupMethods)[M]['output']>> => {
      const spec = backupMethods[m];
      const parsed: unknown = spec.input.parse(input);
      const handler = handlers[m] as (i: unknown, c: CallContext) => unknown;
      return spec.output.parse(await handler(parsed, ctx)) as z.output<(typeof backupMethods)[M]['output']>;
    };
    try {
      expect(await call('backup.storeStatus', {})).toMatchObject({ exists: false, unlocked: false });
      await expect(call('backup.snapshots', {})).rejects.toMatchObject({ code: 'store_missing' });
      expect(await call('backup.init', { passphrase: 'handler passphrase' })).toMatchObject({ exists: true, unlocked: true, snapshots: 0 });
      const corpus = makeCorpus(path.join(base, 'src'), 4);
      await writeExportFolder(corpus);
      const receipt = await call('backup.run', { device: 'Ana phone', sources: [corpus.root] });
      expect(receipt.kinds.sms?.items).toBe(60);
      expect(progress.some((p) => p.operation === 'backup')).toBe(true);
      const { snapshots } = await call('backup.snapshots', {});
      expect(snapshots).toHaveLength(1);
      const { items } = await call('backup.ls', { snapshot: 'latest', kinds: ['call'], limit: 5 });
      expect(items).toHaveLength(5);
      const dry = await call('backup.restore', { snapshot: 'latest', to: path.join(base, 'out'), dryRun: true });
      expect(dry.files.map((f) => f.path)).toContain('contacts.vcf');
      expect((await call('backup.verify', { readData: { subsetPercent: 100 } })).ok).toBe(true);
      expect((await call('backup.forget', { keepLast: 1, dryRun: true })).remove).toEqual([]);
      expect(await call('backup.cancel', {})).toEqual({ cancelled: false });
      await expect(call('backup.unlock', { passphrase: 'wrong passphrase' })).rejects.toMatchObject({ code: 'wrong_passphrase' });
      expect(await call('backup.storeStatus', {})).toMatchObject({ unlocked: true, keychain: { available: false, remembered: false } });

      // The panel's methods answer what their output schemas allow.
      const overview = await call('backup.overview', { snapshot: 'latest' });
      expect(overview.counts.messages).toBe(61);
      const threads = await call('backup.threads', { snapshot: 'latest', limit: 10 });
      expect(threads.total).toBe(overview.threads);
      const first = threads.items[0];
      const convo = await call('backup.conversation', { snapshot: 'latest', thread: first?.thread as string, limit: 5, offset: 0 });
      expect(convo.total).toBe(first?.count);
      const contacts = await call('backup.list', { snapshot: 'latest', kind: 'contacts', limit: 3 });
      expect(contacts.items).toHaveLength(3);
      const found = await call('backup.search', { snapshot: 'latest', query: 'look this' });
      const mms = found.items.find((i) => i.kind === 'mms');
      expect(mms).toBeDefined();
      const detail = await call('backup.item', { key: mms?.key as string });
      expect(detail.parts?.some((p) => p.image)).toBe(true);
      expect((await call('backup.image', { key: mms?.key as string, part: 1 })).status).toBe('undecodable');
      expect((await call('backup.diff', { from: 'latest', to: 'latest' })).byKind).toEqual({});
      const pdf = await call('backup.receipt', { snapshot: 'latest', format: 'pdf' });
      expect(pdf.fileName).toMatch(/\.pdf$/);
      expect(await call('backup.retentionSet', { keepLast: 3 })).toEqual({ keepLast: 3 });
      expect(await call('backup.retentionGet', {})).toEqual({ keepLast: 3 });
      expect((await call('backup.pruneNow', { dryRun: true })).remove).toEqual([]);
      await expect(call('backup.unlockRemembered', {})).rejects.toMatchObject({ code: 'not_found' });
      expect(await call('backup.lock', {})).toMatchObject({ unlocked: false });
      await expect(call('backup.overview', { snapshot: 'latest' })).rejects.toMatchObject({ code: 'invalid_state' });
    } finally {
      service.close();
    }
  });
});
