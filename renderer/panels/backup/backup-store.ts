import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  BackupDiff,
  BackupOverview,
  BackupProgress,
  BackupReceipt,
  BackupRetention,
  BackupSnapshot,
  BackupStoreStatus,
  BrowseKind,
  Envelope,
  ErrorBody,
  MethodInput,
  MethodName,
  MethodOutput,
  PasswordStrength,
} from '../../../contract';
import type { LifelineClient } from '../../api/client';

export type BackupStep = 'start' | 'setUpStore' | 'unlock' | 'home';
export type BackupTab = 'backup' | 'snapshots' | 'restore' | 'verify';
export type BrowseTab = BrowseKind | 'search';

export interface BackupError {
  code: string;
  message: string;
}

type RestoreResult = MethodOutput<'backup.restore'>;
type VerifyReport = MethodOutput<'backup.verify'>;
type ForgetResult = MethodOutput<'backup.pruneNow'>;
export type RestoreSelection = NonNullable<MethodInput<'backup.restore'>['selection']>;

export interface RestoreRequest {
  snapshot: string;
  to: string;
  selection: RestoreSelection;
  overwrite: boolean;
}

type Work<T> = { state: 'idle' | 'running' | 'done' | 'failed' | 'cancelled'; progress: BackupProgress | undefined; result: T | undefined; error: BackupError | undefined; startedAt: number };
const idle = <T>(): Work<T> => ({ state: 'idle', progress: undefined, result: undefined, error: undefined, startedAt: 0 });

export interface BackupState {
  step: BackupStep;
  tab: BackupTab;
  status: BackupStoreStatus | undefined;
  statusError: BackupError | undefined;
  busy: boolean;
  error: BackupError | undefined;
  strength: { passphrase: string; result: PasswordStrength } | undefined;

  run: Work<BackupReceipt>;
  snapshots: BackupSnapshot[];
  snapshotsError: BackupError | undefined;
  browsing: { snapshot: string; overview: BackupOverview | undefined; tab: BrowseTab; error: BackupError | undefined; openedMs: number } | undefined;
  compare: { busy: boolean; diff: BackupDiff | undefined; error: BackupError | undefined };
  restore: Work<RestoreResult> & { dryRun: RestoreResult | undefined; request: RestoreRequest | undefined };
  verify: Work<VerifyReport>;
  retention: { rules: BackupRetention; loaded: boolean; busy: boolean; saved: boolean; error: BackupError | undefined; pruned: ForgetResult | undefined };

  panelOpened(): Promise<void>;
  setUpStoreChosen(): void;
  importChosen(): void;
  backChosen(): void;
  tabChosen(tab: BackupTab): void;
  passphraseTyped(passphrase: string): Promise<void>;
  storeCreated(passphrase: string, remember: boolean): Promise<boolean>;
  unlockSubmitted(passphrase: string, remember: boolean): Promise<boolean>;
  rememberedUnlockChosen(): Promise<boolean>;
  forgetRememberedChosen(): Promise<void>;
  lockChosen(): Promise<void>;

  backupStarted(device: string, sources: string[]): Promise<void>;
  cancelChosen(): Promise<void>;
  backupDismissed(): void;
  receiptRequested(snapshot: string, format: 'json' | 'pdf', saveTo?: string): Promise<{ fileName: string; mime: string; data: string; savedTo?: string } | BackupError>;

  snapshotsOpened(): Promise<void>;
  snapshotChosen(snapshot: string): Promise<void>;
  browseTabChosen(tab: BrowseTab): void;
  browsingClosed(): void;
  compareChosen(from: string, to: string): Promise<void>;
  compareClosed(): void;

  restoreDryRunChosen(request: RestoreRequest): Promise<void>;
  restoreConfirmed(): Promise<void>;
  restoreReset(): void;

  verifyStarted(mode: 'quick' | 'full'): Promise<void>;

  retentionOpened(): Promise<void>;
  retentionSaved(rules: BackupRetention): Promise<void>;
  pruneChosen(dryRun: boolean): Promise<void>;

  /** For lists that page themselves (virtualized views): a typed call that answers the value or an error. */
  fetch<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M> | BackupError>;
}

export type BackupStore = StoreApi<BackupState>;

export function isError(value: unknown): value is BackupError {
  return typeof value === 'object' && value !== null && 'code' in value && 'message' in value && Object.keys(value).length === 2;
}

function toError(error: ErrorBody): BackupError {
  return { code: error.code, message: error.message };
}

/** Where the status leaves the panel: no store, locked, or open. */
function stepFor(status: BackupStoreStatus, current: BackupStep): BackupStep {
  if (!status.exists) return current === 'setUpStore' ? 'setUpStore' : 'start';
  if (!status.unlocked) return 'unlock';
  return 'home';
}

export function createBackupStore(client: LifelineClient): BackupStore {
  const call = async <M extends MethodName>(method: M, input: MethodInput<M>): Promise<Envelope<MethodOutput<M>>> => {
    try {
      return await client.call(method, input);
    } catch (error) {
      return { ok: false, error: { code: 'unavailable', message: error instanceof Error ? error.message : 'Lifeline did not answer. Try again.' } };
    }
  };
  let strengthSeq = 0;
  let unsubscribe: (() => void) | undefined;

  return createStore<BackupState>()((set, get) => {
    const applyStatus = (status: BackupStoreStatus): void => {
      set({ status, statusError: undefined, step: stepFor(status, get().step) });
    };
    const refreshStatus = async (): Promise<void> => {
      const r = await call('backup.storeStatus', {});
      if (r.ok) applyStatus(r.value);
      else set({ statusError: toError(r.error) });
    };
    /** A failure that means the store is gone or locked sends the panel back to the right first step. */
    const failed = (error: ErrorBody): BackupError => {
      // The store vanished or was locked elsewhere: the panel goes back to its first step and says why there.
      if (error.code === 'store_missing') set({ error: toError(error) });
      if (error.code === 'store_missing' || error.code === 'invalid_state') void refreshStatus();
      return toError(error);
    };
    const onProgress = (p: BackupProgress): void => {
      if (p.operation === 'backup' && get().run.state === 'running') set({ run: { ...get().run, progress: p } });
      if (p.operation === 'restore' && get().restore.state === 'running') set({ restore: { ...get().restore, progress: p } });
      if (p.operation === 'verify' && get().verify.state === 'running') set({ verify: { ...get().verify, progress: p } });
    };

    return {
      step: 'start',
      tab: 'backup',
      status: undefined,
      statusError: undefined,
      busy: false,
      error: undefined,
      strength: undefined,
      run: idle(),
      snapshots: [],
      snapshotsError: undefined,
      browsing: undefined,
      compare: { busy: false, diff: undefined, error: undefined },
      restore: { ...idle<RestoreResult>(), dryRun: undefined, request: undefined },
      verify: idle(),
      retention: { rules: {}, loaded: false, busy: false, saved: false, error: undefined, pruned: undefined },

      async panelOpened() {
        unsubscribe ??= client.on('backup.progress', onProgress);
        await refreshStatus();
      },
      setUpStoreChosen: () => set({ step: 'setUpStore', error: undefined }),
      importChosen: () => set({ step: get().status?.exists ? 'unlock' : 'setUpStore', error: undefined }),
      backChosen: () => set({ step: get().status?.exists ? 'unlock' : 'start', error: undefined }),
      tabChosen: (tab) => set({ tab }),

      async passphraseTyped(passphrase) {
        const seq = ++strengthSeq;
        if (!passphrase) return set({ strength: undefined });
        const r = await call('account.passwordStrength', { password: passphrase.slice(0, 128) });
        if (seq !== strengthSeq || !r.ok) return;
        set({ strength: { passphrase, result: r.value } });
      },

      async storeCreated(passphrase, remember) {
        set({ busy: true, error: undefined });
        const r = await call('backup.init', { passphrase, ...(remember ? { remember: true } : {}) });
        set({ busy: false });
        if (!r.ok) {
          set({ error: toError(r.error) });
          return false;
        }
        applyStatus(r.value);
        set({ strength: undefined, tab: 'backup' });
        return true;
      },

      async unlockSubmitted(passphrase, remember) {
        set({ busy: true, error: undefined });
        const r = await call('backup.unlock', { passphrase, ...(remember ? { remember: true } : {}) });
        set({ busy: false });
        if (!r.ok) {
          set({ error: toError(r.error) });
          return false;
        }
        applyStatus(r.value);
        return true;
      },

      async rememberedUnlockChosen() {
        set({ busy: true, error: undefined });
        const r = await call('backup.unlockRemembered', {});
        set({ busy: false });
        if (!r.ok) {
          set({ error: toError(r.error) });
          void refreshStatus();
          return false;
        }
        applyStatus(r.value);
        return true;
      },

      async forgetRememberedChosen() {
        const r = await call('backup.forgetRemembered', {});
        if (r.ok) applyStatus(r.value);
        else set({ error: toError(r.error) });
      },

      async lockChosen() {
        const r = await call('backup.lock', {});
        if (r.ok) {
          applyStatus(r.value);
          set({ browsing: undefined, snapshots: [], compare: { busy: false, diff: undefined, error: undefined } });
        } else set({ error: toError(r.error) });
      },

      async backupStarted(device, sources) {
        if (get().run.state === 'running') return;
        set({ run: { ...idle<BackupReceipt>(), state: 'running', startedAt: Date.now() } });
        const r = await call('backup.run', { device, sources });
        if (r.ok) {
          set({ run: { ...get().run, state: 'done', result: r.value } });
          void get().snapshotsOpened();
          void refreshStatus();
        } else {
          set({ run: { ...get().run, state: r.error.code === 'cancelled' ? 'cancelled' : 'failed', error: failed(r.error) } });
        }
      },

      async cancelChosen() {
        await call('backup.cancel', {});
      },

      backupDismissed: () => set({ run: idle() }),

      async receiptRequested(snapshot, format, saveTo) {
        const r = await call('backup.receipt', { snapshot, format, ...(saveTo ? { saveTo } : {}) });
        return r.ok ? r.value : toError(r.error);
      },

      async snapshotsOpened() {
        const r = await call('backup.snapshots', {});
        if (r.ok) set({ snapshots: r.value.snapshots, snapshotsError: undefined });
        else set({ snapshotsError: failed(r.error) });
      },

      async snapshotChosen(snapshot) {
        const started = performance.now();
        set({ browsing: { snapshot, overview: undefined, tab: get().browsing?.tab ?? 'messages', error: undefined, openedMs: 0 } });
        const r = await call('backup.overview', { snapshot });
        if (get().browsing?.snapshot !== snapshot) return;
        if (r.ok) set({ browsing: { snapshot, overview: r.value, tab: get().browsing?.tab ?? 'messages', error: undefined, openedMs: Math.round(performance.now() - started) } });
        else set({ browsing: { snapshot, overview: undefined, tab: 'messages', error: failed(r.error), openedMs: 0 } });
      },

      browseTabChosen(tab) {
        const b = get().browsing;
        if (b) set({ browsing: { ...b, tab } });
      },
      browsingClosed: () => set({ browsing: undefined }),

      async compareChosen(from, to) {
        set({ compare: { busy: true, diff: undefined, error: undefined } });
        const r = await call('backup.diff', { from, to, limit: 100 });
        set({ compare: { busy: false, diff: r.ok ? r.value : undefined, error: r.ok ? undefined : failed(r.error) } });
      },
      compareClosed: () => set({ compare: { busy: false, diff: undefined, error: undefined } }),

      async restoreDryRunChosen(request) {
        set({ restore: { ...idle<RestoreResult>(), dryRun: undefined, request, state: 'running', startedAt: Date.now() } });
        const r = await call('backup.restore', { snapshot: request.snapshot, to: request.to, selection: request.selection, dryRun: true, overwrite: request.overwrite });
        if (r.ok) set({ restore: { ...idle<RestoreResult>(), dryRun: r.value, request } });
        else set({ restore: { ...idle<RestoreResult>(), dryRun: undefined, request, state: 'failed', error: failed(r.error) } });
      },

      async restoreConfirmed() {
        const { request, dryRun } = get().restore;
        if (!request || get().restore.state === 'running') return;
        set({ restore: { ...idle<RestoreResult>(), dryRun, request, state: 'running', startedAt: Date.now() } });
        const r = await call('backup.restore', { snapshot: request.snapshot, to: request.to, selection: request.selection, dryRun: false, overwrite: request.overwrite });
        if (r.ok) set({ restore: { ...get().restore, state: 'done', result: r.value } });
        else set({ restore: { ...get().restore, state: r.error.code === 'cancelled' ? 'cancelled' : 'failed', error: failed(r.error) } });
      },
      restoreReset: () => set({ restore: { ...idle<RestoreResult>(), dryRun: undefined, request: undefined } }),

      async verifyStarted(mode) {
        if (get().verify.state === 'running') return;
        set({ verify: { ...idle<VerifyReport>(), state: 'running', startedAt: Date.now() } });
        const r = await call('backup.verify', { readData: mode === 'full' ? 'all' : 'none' });
        if (r.ok) set({ verify: { ...get().verify, state: 'done', result: r.value } });
        else set({ verify: { ...get().verify, state: r.error.code === 'cancelled' ? 'cancelled' : 'failed', error: failed(r.error) } });
      },

      async retentionOpened() {
        const r = await call('backup.retentionGet', {});
        if (r.ok) set({ retention: { ...get().retention, rules: r.value, loaded: true, error: undefined } });
        else set({ retention: { ...get().retention, loaded: true, error: toError(r.error) } });
      },

      async retentionSaved(rules) {
        set({ retention: { ...get().retention, busy: true, saved: false, error: undefined } });
        const r = await call('backup.retentionSet', rules);
        if (r.ok) set({ retention: { ...get().retention, busy: false, saved: true, rules: r.value } });
        else set({ retention: { ...get().retention, busy: false, error: toError(r.error) } });
      },

      async pruneChosen(dryRun) {
        set({ retention: { ...get().retention, busy: true, pruned: undefined, error: undefined } });
        const r = await call('backup.pruneNow', { dryRun });
        set({ retention: { ...get().retention, busy: false, pruned: r.ok ? r.value : undefined, error: r.ok ? undefined : toError(r.error) } });
        if (r.ok && !dryRun) void get().snapshotsOpened();
      },

      async fetch(method, input) {
        const r = await call(method, input);
        return r.ok ? r.value : failed(r.error);
      },
    };
  });
}
