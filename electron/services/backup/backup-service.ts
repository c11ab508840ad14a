import fs from 'node:fs';
import { LifelineError } from '../../../contract';
import type { BackupProgress, BackupStoreStatus } from '../../../contract/backup';
import type { Clock } from '../clock';
import type { BackupReceipt } from './backup-run';
import { scanSource } from './import/scan';
import { paths } from './layout';
import { restoreToFolder, type RestoreFolderResult } from './restore-folder';
import type { RestoreSelection } from './restore';
import type { ForgetResult, ForgetRules, PruneResult } from './retention';
import { BackupStore, type CatalogItem, type LsOptions, type SnapshotInfo } from './store';
import type { VerifyOptions, VerifyReport } from './verify';

type Operation = NonNullable<BackupStoreStatus['running']>;

/**
 * The app's view of one backup store (default `<data dir>/backups`): unlocked once per app session,
 * one long operation at a time, progress reported through `onProgress` (wired to the event bus).
 */
export class BackupService {
  private store: BackupStore | undefined;
  private running: { op: Operation; abort: AbortController } | undefined;

  constructor(
    private readonly deps: {
      dir: string;
      clock: Clock;
      onProgress: (p: BackupProgress) => void;
      /** Test stores use cheap key derivation; real ones leave this unset. */
      kdfLogN?: number;
    },
  ) {}

  status(): BackupStoreStatus {
    return {
      dir: this.deps.dir,
      exists: fs.existsSync(paths.config(this.deps.dir)),
      unlocked: this.store !== undefined,
      ...(this.store ? { snapshots: this.store.snapshots().length } : {}),
      ...(this.running ? { running: this.running.op } : {}),
    };
  }

  async init(passphrase: string): Promise<BackupStoreStatus> {
    this.store?.close();
    this.store = await BackupStore.init(this.deps.dir, passphrase, {
      clock: this.deps.clock,
      ...(this.deps.kdfLogN !== undefined ? { kdfLogN: this.deps.kdfLogN } : {}),
    });
    return this.status();
  }

  async unlock(passphrase: string): Promise<BackupStoreStatus> {
    const store = await BackupStore.open(this.deps.dir, passphrase, { clock: this.deps.clock });
    this.store?.close();
    this.store = store;
    return this.status();
  }

  private open(): BackupStore {
    if (!this.store) {
      throw new LifelineError(
        fs.existsSync(paths.config(this.deps.dir)) ? 'invalid_state' : 'store_missing',
        fs.existsSync(paths.config(this.deps.dir)) ? 'The backup store is locked. Unlock it with its passphrase first.' : 'There is no backup store yet. Create one first.',
      );
    }
    return this.store;
  }

  private async exclusive<T>(op: Operation, fn: (store: BackupStore, signal: AbortSignal) => Promise<T>): Promise<T> {
    const store = this.open();
    if (this.running) throw new LifelineError('busy', `A ${this.running.op} is running. Wait for it to finish or cancel it.`);
    const abort = new AbortController();
    this.running = { op, abort };
    try {
      return await fn(store, abort.signal);
    } finally {
      this.running = undefined;
    }
  }

  run(device: string, sources: string[]): Promise<BackupReceipt> {
    return this.exclusive('backup', (store, signal) =>
      store.backup({
        device,
        events: scanSource(sources, { signal }),
        signal,
        onProgress: (p) => this.deps.onProgress({ operation: 'backup', ...p }),
      }),
    );
  }

  snapshots(device?: string): SnapshotInfo[] {
    return this.open().snapshots(device);
  }

  ls(ref: string, opts: LsOptions): CatalogItem[] {
    return this.open().ls(ref, opts);
  }

  restore(ref: string, to: string, selection: RestoreSelection, dryRun: boolean, overwrite: boolean): Promise<RestoreFolderResult> {
    return this.exclusive('restore', (store, signal) =>
      restoreToFolder(store, ref, {
        to,
        selection,
        dryRun,
        overwrite,
        signal,
        onProgress: (p) => this.deps.onProgress({ operation: 'restore', phase: 'writing', items: p.items, bytes: p.bytes }),
      }),
    );
  }

  verify(readData: VerifyOptions['readData']): Promise<VerifyReport> {
    return this.exclusive('verify', (store) =>
      store.verify({
        ...(readData !== undefined ? { readData } : {}),
        onProgress: (p) => this.deps.onProgress({ operation: 'verify', phase: 'reading', items: p.packsRead, bytes: p.bytesRead }),
      }),
    );
  }

  forget(rules: ForgetRules, opts: { prune: boolean; dryRun: boolean; device?: string }): Promise<ForgetResult & { prune?: PruneResult }> {
    return this.exclusive('forget', (store) => store.forget(rules, opts));
  }

  cancel(): boolean {
    if (!this.running) return false;
    this.running.abort.abort();
    return true;
  }

  close(): void {
    this.running?.abort.abort();
    this.store?.close();
    this.store = undefined;
  }
}
