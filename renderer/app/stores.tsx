import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { LifelineClient } from '../api/client';
import { createAccountStore, type AccountState, type AccountStore } from '../panels/account/account-store';
import { createBackupStore, type BackupState, type BackupStore } from '../panels/backup/backup-store';
import { createDevicesStore, type DevicesState, type DevicesStore } from '../panels/devices/devices-store';
import { createSettingsStore, type SettingsState, type SettingsStore } from '../panels/settings/settings-store';
import { createShopStore, type ShopState, type ShopStore } from '../panels/shop/shop-store';
import { createShellStore, type ShellState, type ShellStore } from './shell-store';

/** One store per panel plus the shell's, all around the same client. */
export interface Stores {
  shell: ShellStore;
  account: AccountStore;
  backup: BackupStore;
  devices: DevicesStore;
  shop: ShopStore;
  settings: SettingsStore;
}

export function createStores(client: LifelineClient): Stores {
  return {
    shell: createShellStore(client),
    account: createAccountStore(client),
    backup: createBackupStore(client),
    devices: createDevicesStore(client),
    shop: createShopStore(client),
    settings: createSettingsStore(client),
  };
}

const StoresContext = createContext<Stores | null>(null);

export function StoresProvider({ stores, children }: { stores: Stores; children: ReactNode }) {
  return <StoresContext.Provider value={stores}>{children}</StoresContext.Provider>;
}

function useStores(): Stores {
  const stores = useContext(StoresContext);
  if (!stores) throw new Error('Panels must be rendered inside <StoresProvider>.');
  return stores;
}

export const useShell = <T,>(select: (state: ShellState) => T): T => useStore(useStores().shell, select);
export const useAccount = <T,>(select: (state: AccountState) => T): T => useStore(useStores().account, select);
export const useBackup = <T,>(select: (state: BackupState) => T): T => useStore(useStores().backup, select);
export const useDevices = <T,>(select: (state: DevicesState) => T): T => useStore(useStores().devices, select);
export const useShop = <T,>(select: (state: ShopState) => T): T => useStore(useStores().shop, select);
export const useSettings = <T,>(select: (state: SettingsState) => T): T => useStore(useStores().settings, select);
