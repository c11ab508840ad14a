import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Envelope } from '../../../contract';
import type { ShopEventPayload, ShopKind, ShopPhones, ShopSettings, ShopStatus, ShopTicket, ShopTicketSummary } from '../../../contract/shop';
import type { LifelineClient } from '../../api/client';

export type ShopScreen = 'list' | 'newTicket' | 'ticket';

export interface ShopError {
  code: string;
  message: string;
}

export interface NewTicketForm {
  customerName: string;
  contact: string;
  device: string;
  problem: string;
  consentBackup: boolean;
  consentRetention: boolean;
}

export type ShopAction = 'connect' | 'identify' | 'readiness' | 'backup' | 'ready' | 'restore' | 'close' | 'delete' | 'receipt';

export interface ShopState {
  screen: ShopScreen;
  /** Who is at the counter; every step in the audit log carries it. Kept on this computer only. */
  operator: string;
  status: ShopStatus | undefined;
  loadError: ShopError | undefined;
  unlock: { busy: boolean; error: ShopError | undefined };
  query: string;
  tickets: ShopTicketSummary[];
  form: NewTicketForm;
  formError: ShopError | undefined;
  ticket: ShopTicket | undefined;
  phones: ShopPhones | undefined;
  selectedSerial: string | undefined;
  busy: ShopAction | undefined;
  error: ShopError | undefined;
  progress: ShopEventPayload<'shop.progress'> | undefined;
  /** When the current progress phase began (this computer's clock), for the time left. */
  progressPhaseStartedAt: number | undefined;
  settingsSaved: boolean;
  settingsError: ShopError | undefined;

  shopOpened(): Promise<void>;
  operatorChanged(name: string): void;
  unlockSubmitted(passphrase: string): Promise<void>;
  queryChanged(query: string): Promise<void>;
  newTicketChosen(): void;
  backChosen(): void;
  formChanged(patch: Partial<NewTicketForm>): void;
  ticketSubmitted(): Promise<void>;
  ticketChosen(ticketId: string): Promise<void>;
  phonesRefreshed(): Promise<void>;
  phoneSelected(serial: string): void;
  connectChosen(): Promise<void>;
  identifyChosen(): Promise<void>;
  readinessChosen(): Promise<void>;
  backupChosen(): Promise<void>;
  stopChosen(): Promise<void>;
  readyChosen(overrideReason?: string): Promise<void>;
  restoreChosen(kinds?: ShopKind[]): Promise<void>;
  closeChosen(): Promise<void>;
  deleteChosen(reason: string): Promise<void>;
  receiptChosen(format: 'json' | 'pdf'): Promise<{ fileName: string; mimeType: string; base64: string } | undefined>;
  settingsSubmitted(patch: Partial<ShopSettings>): Promise<void>;
}

export type ShopStore = StoreApi<ShopState>;

const OPERATOR_KEY = 'lifeline.shop.operator';

const emptyForm: NewTicketForm = { customerName: '', contact: '', device: '', problem: '', consentBackup: false, consentRetention: false };

function readOperator(): string {
  try {
    return globalThis.localStorage?.getItem(OPERATOR_KEY) ?? '';
  } catch {
    return '';
  }
}

function saveOperator(name: string): void {
  try {
    globalThis.localStorage?.setItem(OPERATOR_KEY, name);
  } catch {
    // Private windows may refuse storage; the name then lasts for this page only.
  }
}

export function createShopStore(client: LifelineClient): ShopStore {
  let phonesOff: (() => void) | undefined;
  let progressOff: (() => void) | undefined;

  return createStore<ShopState>()((set, get) => {
    const fail = (e: { code: string; message: string }): ShopError => ({ code: e.code, message: e.message });

    const refreshList = async (): Promise<void> => {
      const res = await client.call('shop.ticketsList', { query: get().query || undefined });
      if (res.ok) set({ tickets: res.value.tickets });
      else set({ loadError: fail(res.error) });
    };

    const refreshStatus = async (): Promise<void> => {
      const res = await client.call('shop.status', {});
      if (res.ok) set({ status: res.value, loadError: undefined });
      else set({ loadError: fail(res.error) });
    };

    /** Runs one step on the open ticket; the answer is the updated ticket. */
    const step = async (action: ShopAction, run: (ticketId: string, operator: string) => Promise<Envelope<ShopTicket>>): Promise<void> => {
      const ticket = get().ticket;
      if (!ticket || get().busy) return;
      const operator = get().operator.trim();
      if (!operator) {
        set({ error: { code: 'invalid_input', message: 'Type your name as operator first; every step is logged with it.' } });
        return;
      }
      set({ busy: action, error: undefined, progress: undefined });
      const res = await run(ticket.id, operator);
      if (res.ok) set({ ticket: res.value, busy: undefined });
      else {
        set({ busy: undefined, error: fail(res.error) });
        // The step failed but may have logged or saved something (an interrupted backup); show it.
        const fresh = await client.call('shop.ticketGet', { ticketId: ticket.id });
        if (fresh.ok) set({ ticket: fresh.value });
      }
      void refreshList();
    };

    return {
      screen: 'list',
      operator: readOperator(),
      status: undefined,
      loadError: undefined,
      unlock: { busy: false, error: undefined },
      query: '',
      tickets: [],
      form: emptyForm,
      formError: undefined,
      ticket: undefined,
      phones: undefined,
      selectedSerial: undefined,
      busy: undefined,
      error: undefined,
      progress: undefined,
      progressPhaseStartedAt: undefined,
      settingsSaved: false,
      settingsError: undefined,

      async shopOpened() {
        if (!progressOff) {
          progressOff = client.on('shop.progress', (p) => {
            if (p.ticketId !== get().ticket?.id) return;
            const samePhase = get().progress?.phase === p.phase;
            set({ progress: p, ...(samePhase ? {} : { progressPhaseStartedAt: Date.now() }) });
          });
        }
        if (!phonesOff) phonesOff = client.on('shop.phonesChanged', (phones) => set({ phones }));
        await refreshStatus();
        if (!get().loadError) await refreshList();
      },

      operatorChanged(name) {
        saveOperator(name);
        set({ operator: name });
      },

      async unlockSubmitted(passphrase) {
        set({ unlock: { busy: true, error: undefined } });
        const res = await client.call('shop.storeUnlock', { passphrase, create: !get().status?.store.exists });
        if (res.ok) set({ status: res.value, unlock: { busy: false, error: undefined } });
        else set({ unlock: { busy: false, error: fail(res.error) } });
      },

      async queryChanged(query) {
        set({ query });
        await refreshList();
      },

      newTicketChosen: () => set({ screen: 'newTicket', form: emptyForm, formError: undefined }),
      backChosen: () => {
        set({ screen: 'list', ticket: undefined, error: undefined, progress: undefined });
        void refreshList();
      },
      formChanged: (patch) => set({ form: { ...get().form, ...patch } }),

      async ticketSubmitted() {
        const operator = get().operator.trim();
        if (!operator) {
          set({ formError: { code: 'invalid_input', message: 'Type your name as operator first; every step is logged with it.' } });
          return;
        }
        const res = await client.call('shop.ticketCreate', { operator, ...get().form });
        if (!res.ok) {
          set({ formError: fail(res.error) });
          return;
        }
        set({ screen: 'ticket', ticket: res.value, formError: undefined, error: undefined });
        void refreshList();
        void get().phonesRefreshed();
      },

      async ticketChosen(ticketId) {
        const res = await client.call('shop.ticketGet', { ticketId });
        if (!res.ok) {
          set({ loadError: fail(res.error) });
          return;
        }
        set({ screen: 'ticket', ticket: res.value, error: undefined, progress: undefined, selectedSerial: res.value.serial ?? undefined });
        if (res.value.step !== 'closed') void get().phonesRefreshed();
      },

      async phonesRefreshed() {
        const res = await client.call('shop.phones', {});
        if (res.ok) set({ phones: res.value });
        else set({ error: fail(res.error) });
      },

      phoneSelected: (serial) => set({ selectedSerial: serial }),

      connectChosen: () => {
        const phones = get().phones?.phones ?? [];
        const serial = get().selectedSerial ?? (phones.length === 1 ? phones[0]?.serial : undefined);
        return step('connect', (ticketId, operator) => client.call('shop.connect', { ticketId, operator, ...(serial ? { serial } : {}) }));
      },
      identifyChosen: () => step('identify', (ticketId, operator) => client.call('shop.identify', { ticketId, operator })),
      readinessChosen: () => step('readiness', (ticketId, operator) => client.call('shop.checkReadiness', { ticketId, operator })),
      backupChosen: () => step('backup', (ticketId, operator) => client.call('shop.backup', { ticketId, operator })),
      async stopChosen() {
        await client.call('shop.cancel', {});
      },
      readyChosen: (overrideReason) => step('ready', (ticketId, operator) => client.call('shop.markReady', { ticketId, operator, ...(overrideReason ? { overrideReason } : {}) })),
      restoreChosen: (kinds) => step('restore', (ticketId, operator) => client.call('shop.restore', { ticketId, operator, ...(kinds ? { kinds } : {}) })),
      closeChosen: () => step('close', (ticketId, operator) => client.call('shop.close', { ticketId, operator })),
      deleteChosen: (reason) => step('delete', (ticketId, operator) => client.call('shop.deleteBackup', { ticketId, operator, reason })),

      async receiptChosen(format) {
        const ticket = get().ticket;
        if (!ticket) return undefined;
        const res = await client.call('shop.receipt', { ticketId: ticket.id, format });
        if (res.ok) return res.value;
        set({ error: fail(res.error) });
        return undefined;
      },

      async settingsSubmitted(patch) {
        set({ settingsSaved: false, settingsError: undefined });
        const res = await client.call('shop.settingsUpdate', patch);
        if (!res.ok) {
          set({ settingsError: fail(res.error) });
          return;
        }
        const status = get().status;
        set({ settingsSaved: true, ...(status ? { status: { ...status, settings: res.value } } : {}) });
      },
    };
  });
}
