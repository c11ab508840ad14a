import { createStore, type StateCreator, type StoreApi } from 'zustand/vanilla';
import type { SystemInfo } from '../../contract';
import type { LifelineClient } from '../api/client';

export const panelIds = ['account', 'backup', 'devices', 'shop', 'settings'] as const;
export type PanelId = (typeof panelIds)[number];

export interface NavigationSlice {
  panel: PanelId;
  panelChosen(panel: PanelId): void;
}

export type SystemStatus =
  | { kind: 'loading' }
  | { kind: 'ready'; info: SystemInfo }
  | { kind: 'unauthorized' }
  | { kind: 'unreachable'; message: string };

export interface SystemSlice {
  system: SystemStatus;
  appStarted(): Promise<void>;
  retryChosen(): Promise<void>;
}

export type ShellState = NavigationSlice & SystemSlice;
export type ShellStore = StoreApi<ShellState>;

const createNavigationSlice: StateCreator<ShellState, [], [], NavigationSlice> = (set) => ({
  panel: 'account',
  panelChosen: (panel) => set({ panel }),
});

function createSystemSlice(client: LifelineClient): StateCreator<ShellState, [], [], SystemSlice> {
  return (set, get) => {
    async function load(): Promise<void> {
      set({ system: { kind: 'loading' } });
      const result = await client.call('system.info', {});
      if (result.ok) set({ system: { kind: 'ready', info: result.value } });
      else if (result.error.code === 'unauthorized') set({ system: { kind: 'unauthorized' } });
      else set({ system: { kind: 'unreachable', message: result.error.message } });
    }
    return {
      system: { kind: 'loading' },
      appStarted: load,
      retryChosen: async () => {
        if (get().system.kind !== 'loading') await load();
      },
    };
  };
}

/** The window around the panels: which panel is open, and what the status bar says about this copy. */
export function createShellStore(client: LifelineClient): ShellStore {
  return createStore<ShellState>()((...args) => ({
    ...createNavigationSlice(...args),
    ...createSystemSlice(client)(...args),
  }));
}
