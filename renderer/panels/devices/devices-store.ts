import { createStore, type StoreApi } from 'zustand/vanilla';
import type { LifelineClient } from '../../api/client';

export type DevicesStep = 'start' | 'addPhone';

export interface DevicesState {
  step: DevicesStep;
  addPhoneChosen(): void;
  backChosen(): void;
}

export type DevicesStore = StoreApi<DevicesState>;

// The client is injected now so the device list, map and commands can be added without changing callers.
export function createDevicesStore(_client: LifelineClient): DevicesStore {
  return createStore<DevicesState>()((set) => ({
    step: 'start',
    addPhoneChosen: () => set({ step: 'addPhone' }),
    backChosen: () => set({ step: 'start' }),
  }));
}
