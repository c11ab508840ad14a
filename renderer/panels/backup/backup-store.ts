import { createStore, type StoreApi } from 'zustand/vanilla';
import type { LifelineClient } from '../../api/client';

export type BackupStep = 'start' | 'setUpStore' | 'importBackup';

export interface BackupState {
  step: BackupStep;
  setUpStoreChosen(): void;
  importChosen(): void;
  backChosen(): void;
}

export type BackupStore = StoreApi<BackupState>;

// The client is injected now so the store, snapshot and restore slices can be added without changing callers.
export function createBackupStore(_client: LifelineClient): BackupStore {
  return createStore<BackupState>()((set) => ({
    step: 'start',
    setUpStoreChosen: () => set({ step: 'setUpStore' }),
    importChosen: () => set({ step: 'importBackup' }),
    backChosen: () => set({ step: 'start' }),
  }));
}
