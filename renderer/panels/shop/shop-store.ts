import { createStore, type StoreApi } from 'zustand/vanilla';
import type { LifelineClient } from '../../api/client';

export type ShopStep = 'start' | 'newTicket';

export interface ShopState {
  step: ShopStep;
  newTicketChosen(): void;
  backChosen(): void;
}

export type ShopStore = StoreApi<ShopState>;

// The client is injected now so the intake workflow can be added without changing callers.
export function createShopStore(_client: LifelineClient): ShopStore {
  return createStore<ShopState>()((set) => ({
    step: 'start',
    newTicketChosen: () => set({ step: 'newTicket' }),
    backChosen: () => set({ step: 'start' }),
  }));
}
