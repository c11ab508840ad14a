import fs from 'node:fs';
import path from 'node:path';
import { LifelineError } from '../../../contract';
import type { BackupProgress, BackupStoreStatus } from '../../../contract/backup';
import type { Clock } from '../clock';
import type { BackupReceipt } from './backup-run';
import { SnapshotBrowser, type BrowseKind, type ItemDetail, type Page, type SnapshotDiff, type SnapshotOverview, type ThreadSummary } from './browse';
import { ImageMaker, type ImageAnswer, type ImageRequest } from './images';
import type { ItemKind } from './import/types';
import { scanSource } from './import/scan';
import { noKeychain, type PassphraseKeychain } from './keychain';
import { receiptPdf } from './receipt-pdf';
import { writeFileDurable } from './fs-util';
import { paths } from './layout';
import { restoreToFolder, type RestoreFolderResult } from './restore-folder';
import type { RestoreSelection } from './restore';
import type { ForgetResult, ForgetRules, PruneResult } from './retention';
import { BackupStore, type CatalogItem, type LsOptions, type SnapshotInfo } from './store';
import type { VerifyOptions, VerifyReport } from './verify';

type Operation = NonNullable<BackupStoreStatus['running']>;

/** Keep rules the Settings panel edits; applied by "prune now". Stored beside the store's config. */
export interface RetentionSettings {
  keepLast?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
}

export interface ReceiptFile {
  fileName: string;
  mime: string;
  /** The file's bytes, base64; the window offers them as a download. */
  data: string;
  /** Where the file was also written, when a folder was given. */
  savedTo?: string;
}

const OPERATION_WORDS: Record<Operation, string> = { backup: 'A backup', restore: 'A restore', verify: 'A check of the backups', forget: 'Removing old snapshots' };

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
      /** The desktop shell's OS keychain; absent on the web host. */
      keychain?: PassphraseKeychain;
      /** The account password policy (length, blocklist), applied to new passphrases; an error when refused. */
      checkNewPassphrase?: (passphrase: string) => LifelineError | undefined;
    },
  ) {}

  private views: { browser: SnapshotBrowser; images: ImageMaker } | undefined;

  private get keychain(): PassphraseKeychain {
    return this.deps.keychain ?? noKeychain;
  }

  status(): BackupStoreStatus {
    const exists = fs.existsSync(paths.config(this.deps.dir));
    const keychain = this.keychain;
    return {
      dir: this.deps.dir,
      exists,
      unlocked: this.store !== undefined && exists,
      ...(this.store && exists ? { snapshots: this.store.snapshots().length } : {}),
      ...(this.running ? { running: this.running.op } : {}),
      ...(this.store && !exists ? { missing: true } : {}),
      keychain: {
        available: keychain.available(),
        remembered: exists && keychain.available() && keychain.has(this.deps.dir),
        ...(keychain.available() ? {} : { reason: keychain.unavailableReason() }),
      },
    };
  }

  async init(passphrase: string, remember = false): Promise<BackupStoreStatus> {
    // Refused before anything is created, so asking for the keychain on a host without one changes nothing.
    if (remember && !this.keychain.available()) throw new LifelineError('unavailable', this.keychain.unavailableReason());
    const refused = this.deps.checkNewPassphrase?.(passphrase);
    if (refused) throw refused;
    const store = await BackupStore.init(this.deps.dir, passphrase, {
      clock: this.deps.clock,
      ...(this.deps.kdfLogN !== undefined ? { kdfLogN: this.deps.kdfLogN } : {}),
    });
    this.replaceStore(store);
    if (remember) await this.remember(passphrase);
    return this.status();
  }

  async unlock(passphrase: string, remember = false): Promise<BackupStoreStatus> {
    if (remember && !this.keychain.available()) throw new LifelineError('unavailable', this.keychain.unavailableReason());
    const store = await BackupStore.open(this.deps.dir, passphrase, { clock: this.deps.clock });
    this.replaceStore(store);
    if (remember) await this.remember(passphrase);
    return this.status();
  }

  /** Opens the store with the passphrase the desktop keychain remembers. */
  async unlockRemembered(): Promise<BackupStoreStatus> {
    const passphrase = this.keychain.load(this.deps.dir);
    if (passphrase === undefined) {
      throw new LifelineError('not_found', 'This computer does not remember the passphrase of this store. Type it to unlock.');
    }
    try {
      return await this.unlock(passphrase);
    } catch (error) {
      // The store's passphrase was changed elsewhere: the remembered one is useless, so it is dropped.
      if (error instanceof LifelineError && error.code === 'wrong_passphrase') this.keychain.forget(this.deps.dir);
      throw error;
    }
  }

  forgetRemembered(): BackupStoreStatus {
    this.keychain.forget(this.deps.dir);
    return this.status();
  }

  private async remember(passphrase: string): Promise<void> {
    if (!this.keychain.available()) throw new LifelineError('unavailable', this.keychain.unavailableReason());
    await this.keychain.save(this.deps.dir, passphrase);
  }

  private replaceStore(store: BackupStore): void {
    this.store?.close();
    this.store = store;
    this.views = undefined;
  }

  /** Locks the store for this session: the key leaves memory; the passphrase is needed again. */
  lock(): BackupStoreStatus {
    if (this.running) throw new LifelineError('busy', `${OPERATION_WORDS[this.running.op]} is running. Cancel it or let it finish before locking.`);
    this.store?.close();
    this.store = undefined;
    this.views = undefined;
    return this.status();
  }

  private gone(): LifelineError {
    return new LifelineError(
      'store_missing',
      `The backup store folder ${this.deps.dir} is gone (deleted, renamed, or its drive was removed). Reconnect the drive, or set up a new store; nothing else was changed.`,
    );
  }

  private open(): BackupStore {
    if (this.store && !fs.existsSync(paths.config(this.deps.dir))) {
      if (!this.running) {
        this.store.close();
        this.store = undefined;
        this.views = undefined;
      }
      throw this.gone();
    }
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
    if (this.running) {
      throw new LifelineError(
        'busy',
        op === this.running.op && op === 'restore'
          ? 'Another restore is already running (maybe from another window). Wait for it to finish or cancel it, then try again.'
          : `${OPERATION_WORDS[this.running.op]} is running. Wait for it to finish or cancel it, then try again.`,
      );
    }
    const abort = new AbortController();
    this.running = { op, abort };
    try {
      const result = await fn(store, abort.signal);
      // Writers recreate missing folders, so a store deleted mid-run can "succeed" into a folder without a config.
      if (!fs.existsSync(paths.config(this.deps.dir))) throw this.gone();
      return result;
    } catch (error) {
      // A failure because the folder vanished under the operation is reported as that, not as a raw I/O error.
      if (!fs.existsSync(paths.config(this.deps.dir)) && !(error instanceof LifelineError && error.code === 'cancelled')) throw this.gone();
      throw error;
    } finally {
      this.running = undefined;
    }
  }

  run(device: string, sources: string[]): Promise<BackupReceipt> {
    return this.exclusive('backup', async (store, signal) => {
      const receipt = await store.backup({
        device,
        events: scanSource(sources, { signal, knownMedia: store.knownMedia(device) }),
        signal,
        onProgress: (p) => this.deps.onProgress({ operation: 'backup', ...p }),
      });
      this.prepareForBrowsing(receipt.snapshot);
      return receipt;
    });
  }

  /** Builds the new snapshot's browse cache while the person reads the summary, so opening it is quick. */
  private prepareForBrowsing(snapshot: string): void {
    try {
      this.view().browser.prepare(snapshot);
    } catch {
      // Only a speed-up: the first open builds it otherwise.
    }
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
    return this.exclusive('verify', (store, signal) =>
      store.verify({
        ...(readData !== undefined ? { readData } : {}),
        signal,
        onProgress: (p) => this.deps.onProgress({ operation: 'verify', phase: 'reading', items: p.packsRead, bytes: p.bytesRead, total: p.packsTotal }),
      }),
    );
  }

  forget(rules: ForgetRules, opts: { prune: boolean; dryRun: boolean; device?: string }): Promise<ForgetResult & { prune?: PruneResult }> {
    return this.exclusive('forget', (store) => store.forget(rules, opts));
  }

  private view(): { browser: SnapshotBrowser; images: ImageMaker } {
    const store = this.open();
    if (!this.views) {
      const browser = new SnapshotBrowser(store);
      this.views = { browser, images: new ImageMaker(store.internals, browser, path.join(store.dir, 'cache', 'images')) };
    }
    return this.views;
  }

  overview(ref: string): SnapshotOverview {
    return this.view().browser.overview(ref);
  }

  threads(ref: string, opts: { query?: string; limit: number; offset: number }): Page<ThreadSummary> {
    return this.view().browser.threads(ref, opts);
  }

  conversation(ref: string, thread: string, opts: { limit: number; offset: number }): Page<CatalogItem> {
    return this.view().browser.conversation(ref, thread, opts);
  }

  list(ref: string, kind: BrowseKind, opts: { query?: string; limit: number; offset: number; order?: 'date' | 'name' }): Page<CatalogItem> {
    return this.view().browser.list(ref, kind, opts);
  }

  search(ref: string, query: string, opts: { kinds?: ItemKind[]; limit: number }): { items: CatalogItem[]; more: boolean } {
    return this.view().browser.search(ref, query, opts);
  }

  diff(from: string, to: string, limit: number): SnapshotDiff {
    return this.view().browser.diff(from, to, limit);
  }

  detail(key: string): ItemDetail {
    return this.view().browser.detail(key);
  }

  image(req: ImageRequest): Promise<ImageAnswer> {
    return this.view().images.image(req);
  }

  /** The receipt of a snapshot as JSON or a printable PDF; written to `saveTo` (a folder) as well when given. */
  async receiptFile(ref: string, format: 'json' | 'pdf', saveTo?: string): Promise<ReceiptFile> {
    const receipt = this.open().receipt(ref);
    const stamp = receipt.startedAt.slice(0, 10);
    const safeDevice = receipt.device.replace(/[^\p{L}\p{N}._-]+/gu, '-').slice(0, 60) || 'device';
    const fileName = `lifeline-receipt-${safeDevice}-${stamp}-${receipt.snapshot.slice(0, 8)}.${format}`;
    const bytes = format === 'json' ? Buffer.from(JSON.stringify(receipt, null, 2) + '\n') : await receiptPdf(receipt);
    let savedTo: string | undefined;
    if (saveTo !== undefined) {
      const dir = path.resolve(saveTo);
      if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
        throw new LifelineError('not_found', `The folder ${dir} does not exist. Create it or choose another folder for the receipt.`);
      }
      savedTo = path.join(dir, fileName);
      await writeFileDurable(savedTo, bytes);
    }
    return { fileName, mime: format === 'json' ? 'application/json' : 'application/pdf', data: bytes.toString('base64'), ...(savedTo ? { savedTo } : {}) };
  }

  private retentionFile(): string {
    return path.join(this.deps.dir, 'retention.json');
  }

  retention(): RetentionSettings {
    try {
      const raw = JSON.parse(fs.readFileSync(this.retentionFile(), 'utf8')) as Record<string, unknown>;
      const out: RetentionSettings = {};
      for (const k of ['keepLast', 'keepDaily', 'keepWeekly', 'keepMonthly'] as const) {
        const v = raw[k];
        if (typeof v === 'number' && Number.isInteger(v) && v >= 0) out[k] = v;
      }
      return out;
    } catch {
      return {};
    }
  }

  async setRetention(rules: RetentionSettings): Promise<RetentionSettings> {
    if (!fs.existsSync(paths.config(this.deps.dir))) throw new LifelineError('store_missing', 'There is no backup store yet. Create one first, then set how long to keep backups.');
    if (Object.values(rules).every((v) => v === undefined || v === 0)) {
      throw new LifelineError('invalid_input', 'Keep at least one snapshot: set "keep last" or one of daily, weekly or monthly above 0.');
    }
    await writeFileDurable(this.retentionFile(), Buffer.from(JSON.stringify(rules, null, 2) + '\n'));
    return this.retention();
  }

  /** Applies the saved keep rules now and prunes data only forgotten snapshots used. */
  pruneNow(dryRun: boolean): Promise<ForgetResult & { prune?: PruneResult }> {
    const rules = this.retention();
    if (Object.values(rules).every((v) => v === undefined || v === 0)) {
      return Promise.reject(new LifelineError('invalid_state', 'No keep rules are set yet. Choose how many snapshots to keep, save, then prune.'));
    }
    return this.forget(rules, { prune: !dryRun, dryRun });
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
