import { createStore, type StoreApi } from 'zustand/vanilla';
import type { LifelineClient } from '../../api/client';

/** The first screens of the account panel; the account service fills them in. */
export type AccountStep = 'start' | 'signIn' | 'createAccount' | 'recoverPassword' | 'findAccount';

export interface AccountState {
  step: AccountStep;
  signInChosen(): void;
  createAccountChosen(): void;
  forgotPasswordChosen(): void;
  findAccountChosen(): void;
  backChosen(): void;
}

export type AccountStore = StoreApi<AccountState>;

// The client is injected now so the sign-in and recovery slices can be added without changing callers.
export function createAccountStore(_client: LifelineClient): AccountStore {
  return createStore<AccountState>()((set) => ({
    step: 'start',
    signInChosen: () => set({ step: 'signIn' }),
    createAccountChosen: () => set({ step: 'createAccount' }),
    forgotPasswordChosen: () => set({ step: 'recoverPassword' }),
    findAccountChosen: () => set({ step: 'findAccount' }),
    backChosen: () => set({ step: 'start' }),
  }));
}
