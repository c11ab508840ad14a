import type { z } from 'zod';
import { backupMethods, type BackupMethodName } from '../../contract/backup';
import type { CallContext } from '../dispatcher';
import type { BackupService } from '../services/backup/backup-service';

type BackupMethods = typeof backupMethods;

/**
 * The same shape as `Pick<Handlers, BackupMethodName>` once contract/index.ts includes backupMethods;
 * typed from the backup contract directly so this file stands on its own until then.
 */
export type BackupHandlers = {
  [M in BackupMethodName]: (
    input: z.output<BackupMethods[M]['input']>,
    ctx: CallContext,
  ) => z.output<BackupMethods[M]['output']> | Promise<z.output<BackupMethods[M]['output']>>;
};

function defined<T extends Record<string, unknown>>(obj: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

export function createBackupHandlers(deps: { backup: BackupService }): BackupHandlers {
  const { backup } = deps;
  return {
    'backup.storeStatus': () => backup.status(),
    'backup.init': ({ passphrase, remember }) => backup.init(passphrase, remember ?? false),
    'backup.unlock': ({ passphrase, remember }) => backup.unlock(passphrase, remember ?? false),
    'backup.run': ({ device, sources }) => backup.run(device, sources),
    'backup.snapshots': ({ device }) => ({ snapshots: backup.snapshots(device) }),
    'backup.ls': ({ snapshot, kinds, query, thread, from, to, limit, offset }) => ({
      items: backup.ls(snapshot, { ...defined({ kinds, query, thread, from, to }), limit, offset }),
    }),
    'backup.restore': ({ snapshot, to, selection, dryRun, overwrite }) => backup.restore(snapshot, to, selection ?? {}, dryRun, overwrite),
    'backup.verify': ({ readData }) => backup.verify(readData),
    'backup.forget': ({ keepLast, keepDaily, keepWeekly, keepMonthly, keepYearly, device, prune, dryRun }) =>
      backup.forget(defined({ keepLast, keepDaily, keepWeekly, keepMonthly, keepYearly }), { prune, dryRun, ...defined({ device }) }),
    'backup.cancel': () => ({ cancelled: backup.cancel() }),
    'backup.unlockRemembered': () => backup.unlockRemembered(),
    'backup.forgetRemembered': () => backup.forgetRemembered(),
    'backup.lock': () => backup.lock(),
    'backup.overview': ({ snapshot }) => backup.overview(snapshot),
    'backup.threads': ({ snapshot, query, limit, offset }) => backup.threads(snapshot, { ...defined({ query }), limit, offset }),
    'backup.conversation': ({ snapshot, thread, limit, offset }) => backup.conversation(snapshot, thread, { limit, offset }),
    'backup.list': ({ snapshot, kind, query, order, limit, offset }) => backup.list(snapshot, kind, { ...defined({ query, order }), limit, offset }),
    'backup.search': ({ snapshot, query, kinds, limit }) => backup.search(snapshot, query, { ...defined({ kinds }), limit }),
    'backup.diff': ({ from, to, limit }) => backup.diff(from, to, limit),
    'backup.item': ({ key }) => backup.detail(key),
    'backup.image': ({ key, part, size }) => backup.image({ key, size, ...defined({ part }) }),
    'backup.receipt': ({ snapshot, format, saveTo }) => backup.receiptFile(snapshot, format, saveTo),
    'backup.retentionGet': () => backup.retention(),
    'backup.retentionSet': (rules) => backup.setRetention(defined(rules)),
    'backup.pruneNow': ({ dryRun }) => backup.pruneNow(dryRun),
  };
}
