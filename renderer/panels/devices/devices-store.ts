import { createStore, type StoreApi } from 'zustand/vanilla';
import type { DeviceAlert, DeviceCommand, DeviceCommandRequest, DeviceSettings, DeviceSummary, HistoryPoint } from '../../../contract/devices';
import type { LifelineClient } from '../../api/client';
import { devicesApi, sessionGone, toError, type DevicesApi, type DevicesError } from './devices-api';
import { localExpiry } from './format';
import { lastIndex } from './map-helpers';

export type { DevicesError } from './devices-api';

/** The enrollment code lives 10 minutes (the devices issue); used when the two clocks disagree. */
export const ENROLL_CODE_LIFETIME_MS = 10 * 60_000;
/** How much of a trail the map asks for: the newest points, enough for weeks of reports every few minutes. */
/** A month of reports every ~26 s: the whole default 30-day history (bench:devices draws it in well under a second). */
export const HISTORY_LIMIT = 100_000;

export type NotificationPermissionState = 'unsupported' | 'default' | 'granted' | 'denied';

/** Desktop notifications, behind an interface so tests (and hosts without the API) can stand in. */
export interface Notifier {
  permission(): NotificationPermissionState;
  /** Must be called from a user gesture: browsers ignore or penalise permission prompts that are not. */
  request(): Promise<NotificationPermissionState>;
  show(title: string, body: string): void;
}

export interface DevicesStoreDeps {
  now: () => number;
  /**
   * Whether this window may have an account session. Asking the host while signed out answers 401, which the
   * browser logs as a console error; the Account panel keeps this hint (localStorage) up to date.
   */
  mayBeSignedIn: () => boolean;
  notifier: Notifier;
}

export interface EnrollTicket {
  code: string;
  /** On this computer's clock. */
  expiresAt: number;
  enrollUrl: string;
  qrDataUrl: string;
  reachableFromPhones: boolean;
}

export type ExportFormat = 'gpx' | 'geojson';
export interface ExportedFile {
  fileName: string;
  mimeType: string;
  content: string;
  points: number;
}

/** The commands a device can get from the panel's buttons; erase goes through its own dialog. */
export type SimpleCommand = Exclude<DeviceCommandRequest, { type: 'erase' }>;

export interface DevicesState {
  session: 'unknown' | 'loading' | 'signedOut' | 'signedIn';
  screen: 'list' | 'add';
  devices: DeviceSummary[];
  listError: DevicesError | undefined;
  selectedId: string | undefined;

  enroll: { busy: boolean; error: DevicesError | undefined; ticket: EnrollTicket | undefined };
  history: { deviceId: string | undefined; points: HistoryPoint[]; truncated: boolean; loading: boolean; error: DevicesError | undefined; index: number };
  commands: { deviceId: string | undefined; items: DeviceCommand[]; error: DevicesError | undefined };
  commandBusy: DeviceCommandRequest['type'] | undefined;
  commandError: DevicesError | undefined;
  dialog: { kind: 'erase' | 'remove'; deviceId: string; busy: boolean; error: DevicesError | undefined } | undefined;
  alerts: { items: DeviceAlert[]; error: DevicesError | undefined };
  notifications: NotificationPermissionState;
  settings: { value: DeviceSettings | undefined; busy: boolean; error: DevicesError | undefined; saved: boolean };
  exported: { busy: boolean; error: DevicesError | undefined; file: ExportedFile | undefined };

  devicesOpened(): Promise<void>;
  refreshChosen(): Promise<void>;
  deviceChosen(deviceId: string): Promise<void>;
  addDeviceChosen(): Promise<void>;
  newCodeChosen(): Promise<void>;
  addDeviceClosed(): void;
  timeMoved(index: number): void;
  commandChosen(command: SimpleCommand): Promise<boolean>;
  eraseChosen(): void;
  removeChosen(): void;
  dialogClosed(): void;
  eraseSubmitted(input: { password: string; confirmName: string }): Promise<boolean>;
  removeSubmitted(input: { password: string }): Promise<boolean>;
  exportChosen(format: ExportFormat): Promise<void>;
  exportClosed(): void;
  settingsSubmitted(input: { historyRetentionDays: number; onlineTileUrl: string | null }): Promise<boolean>;
  notificationsChosen(): Promise<void>;
}

export type DevicesStore = StoreApi<DevicesState>;

const HINT_KEY = 'lifeline.account.signedIn';

/** Reads the Account panel's "may be signed in" hint; without storage, asks the host anyway. */
export function storageSignedInHint(): () => boolean {
  return () => {
    try {
      return typeof localStorage === 'undefined' ? true : localStorage.getItem(HINT_KEY) === '1';
    } catch {
      return true;
    }
  };
}

export function browserNotifier(): Notifier {
  const supported = () => typeof Notification !== 'undefined';
  return {
    permission: () => (supported() ? Notification.permission : 'unsupported'),
    request: async () => (supported() ? Notification.requestPermission() : 'unsupported'),
    show: (title, body) => {
      if (supported() && Notification.permission === 'granted') new Notification(title, { body });
    },
  };
}

const defaultDeps = (): DevicesStoreDeps => ({ now: () => Date.now(), mayBeSignedIn: storageSignedInHint(), notifier: browserNotifier() });

const emptyHistory = (): DevicesState['history'] => ({ deviceId: undefined, points: [], truncated: false, loading: false, error: undefined, index: 0 });

/** Alerts worth a desktop notification; `activation_held` is shown in the list only. */
const notifiedKinds = new Set<DeviceAlert['kind']>(['lost_device_reported', 'sim_changed', 'erase_done']);

/**
 * The Devices panel: the account's phones, the selected one's trail and commands, enrollment, alerts and the
 * panel's settings. Live updates arrive as events carrying ids only; the details are re-read through the methods.
 */
export function createDevicesStore(client: LifelineClient, deps: DevicesStoreDeps = defaultDeps()): DevicesStore {
  const api: DevicesApi = devicesApi(client);

  return createStore<DevicesState>()((set, get) => {
    /** Every failure goes through here: a lost session sends the panel back to "sign in first". */
    function failed(error: DevicesError): DevicesError {
      if (sessionGone(error.code)) set({ session: 'signedOut', devices: [], selectedId: undefined, screen: 'list', dialog: undefined });
      return error;
    }

    async function loadList(): Promise<boolean> {
      const result = await api.call('devices.list', {});
      if (!result.ok) {
        set({ listError: failed(toError(result.error)) });
        return false;
      }
      const devices = result.value.devices;
      const selected = get().selectedId;
      const stillThere = selected !== undefined && devices.some((d) => d.id === selected);
      set({ devices, listError: undefined, session: 'signedIn', selectedId: stillThere ? selected : devices[0]?.id });
      return true;
    }

    /** `quiet` re-reads after a report without the "loading" state, so the map does not flicker. */
    async function loadHistory(deviceId: string, quiet = false): Promise<void> {
      const before = get().history;
      const following = before.deviceId !== deviceId || before.index >= lastIndex(before.points);
      if (!quiet) set({ history: { ...before, deviceId, loading: true, error: undefined } });
      // After a report only the points newer than the last one are fetched and appended, not the whole month again.
      const newest = quiet && before.deviceId === deviceId ? before.points.at(-1)?.at : undefined;
      const result = await api.call('devices.history', newest === undefined ? { deviceId, limit: HISTORY_LIMIT } : { deviceId, from: newest + 1, limit: HISTORY_LIMIT });
      if (get().selectedId !== deviceId) return;
      if (!result.ok) {
        if (!quiet) set({ history: { ...emptyHistory(), deviceId, error: failed(toError(result.error)) } });
        return;
      }
      const latest = get().history;
      const appended = newest !== undefined && latest.deviceId === deviceId && !result.value.truncated;
      const points = appended ? [...latest.points, ...result.value.points].slice(-HISTORY_LIMIT) : result.value.points;
      const truncated = appended ? latest.truncated || latest.points.length + result.value.points.length > HISTORY_LIMIT : result.value.truncated;
      // While the slider sits at "now" it follows new reports; once moved back it stays where the person put it.
      const index = following ? lastIndex(points) : Math.min(get().history.index, lastIndex(points));
      set({ history: { deviceId, points, truncated, loading: false, error: undefined, index } });
    }

    async function loadCommands(deviceId: string): Promise<void> {
      const result = await api.call('devices.commands', { deviceId, limit: 20 });
      if (get().selectedId !== deviceId) return;
      if (result.ok) set({ commands: { deviceId, items: result.value.commands, error: undefined } });
      else set({ commands: { deviceId, items: get().commands.deviceId === deviceId ? get().commands.items : [], error: failed(toError(result.error)) } });
    }

    async function loadAlerts(): Promise<DeviceAlert[]> {
      const result = await api.call('devices.alerts', { limit: 50 });
      if (!result.ok) {
        set({ alerts: { items: get().alerts.items, error: failed(toError(result.error)) } });
        return [];
      }
      set({ alerts: { items: result.value.alerts, error: undefined } });
      return result.value.alerts;
    }

    async function loadSettings(): Promise<void> {
      const result = await api.call('devices.settings', {});
      if (result.ok) set({ settings: { ...get().settings, value: result.value, error: undefined } });
      else set({ settings: { ...get().settings, error: failed(toError(result.error)) } });
    }

    async function loadSelected(): Promise<void> {
      const id = get().selectedId;
      if (id === undefined) {
        set({ history: emptyHistory(), commands: { deviceId: undefined, items: [], error: undefined } });
        return;
      }
      await Promise.all([loadHistory(id), loadCommands(id)]);
    }

    async function requestCode(): Promise<void> {
      set({ enroll: { busy: true, error: undefined, ticket: get().enroll.ticket } });
      const receivedAt = deps.now();
      const result = await api.call('devices.enrollStart', {});
      if (!result.ok) {
        set({ enroll: { busy: false, error: failed(toError(result.error)), ticket: undefined } });
        return;
      }
      const { code, expiresAt, enrollUrl, qrDataUrl, reachableFromPhones } = result.value;
      set({
        enroll: {
          busy: false,
          error: undefined,
          ticket: { code, expiresAt: localExpiry(expiresAt, receivedAt, ENROLL_CODE_LIFETIME_MS), enrollUrl, qrDataUrl, reachableFromPhones },
        },
      });
    }

    async function send(deviceId: string, command: DeviceCommandRequest): Promise<DevicesError | undefined> {
      const result = await api.call('devices.command', { deviceId, command });
      if (!result.ok) return failed(toError(result.error));
      const { commands } = get();
      if (commands.deviceId === deviceId && !commands.items.some((c) => c.id === result.value.id)) {
        set({ commands: { ...commands, items: [result.value, ...commands.items] } });
      }
      return undefined;
    }

    // Events reach every window of the host; they only say what to re-read, and only a signed-in panel re-reads.
    const live = () => get().session === 'signedIn';

    api.on('devices.updated', (payload) => {
      if (live()) void deviceUpdated(payload.deviceId, payload.removed === true);
    });

    async function deviceUpdated(deviceId: string, removed: boolean): Promise<void> {
      const wasKnown = get().devices.some((d) => d.id === deviceId);
      const result = await api.call('devices.list', {});
      if (!result.ok) return;
      const devices = result.value.devices;
      const current = get();
      // A phone linked while "Add device" is open: show it, that is what the person is waiting for.
      const justLinked = !wasKnown && !removed && current.screen === 'add' && devices.some((d) => d.id === deviceId);
      const kept = current.selectedId !== undefined && devices.some((d) => d.id === current.selectedId) ? current.selectedId : devices[0]?.id;
      const selectedId = justLinked ? deviceId : kept;
      set({ devices, listError: undefined, selectedId, ...(justLinked ? { screen: 'list' as const } : {}) });
      if (selectedId !== current.selectedId || get().history.deviceId !== selectedId) await loadSelected();
      else if (selectedId === deviceId) await loadHistory(deviceId, true);
    }

    api.on('devices.commandUpdated', (payload) => {
      if (!live()) return;
      const { commands } = get();
      if (commands.deviceId !== payload.deviceId) return;
      // Show the new status at once, then re-read for the times and the phone's words.
      set({ commands: { ...commands, items: commands.items.map((c) => (c.id === payload.commandId ? { ...c, status: payload.status } : c)) } });
      void loadCommands(payload.deviceId);
    });

    api.on('devices.alert', (payload) => {
      if (live()) void alertArrived(payload.alertId);
    });

    async function alertArrived(alertId: string): Promise<void> {
      const seen = new Set(get().alerts.items.map((a) => a.id));
      const alerts = await loadAlerts();
      const alert = alerts.find((a) => a.id === alertId);
      if (alert && !seen.has(alert.id) && notifiedKinds.has(alert.kind)) deps.notifier.show(alert.deviceName, alert.message);
    }

    return {
      session: 'unknown',
      screen: 'list',
      devices: [],
      listError: undefined,
      selectedId: undefined,
      enroll: { busy: false, error: undefined, ticket: undefined },
      history: emptyHistory(),
      commands: { deviceId: undefined, items: [], error: undefined },
      commandBusy: undefined,
      commandError: undefined,
      dialog: undefined,
      alerts: { items: [], error: undefined },
      notifications: deps.notifier.permission(),
      settings: { value: undefined, busy: false, error: undefined, saved: false },
      exported: { busy: false, error: undefined, file: undefined },

      devicesOpened: async () => {
        set({ notifications: deps.notifier.permission() });
        if (!deps.mayBeSignedIn()) {
          set({ session: 'signedOut' });
          return;
        }
        if (get().session !== 'signedIn') set({ session: 'loading' });
        if (!(await loadList())) {
          if (get().session === 'loading') set({ session: 'signedIn' });
          return;
        }
        await Promise.all([loadSelected(), loadAlerts(), loadSettings()]);
      },

      refreshChosen: async () => {
        if (await loadList()) await Promise.all([loadSelected(), loadAlerts()]);
      },

      deviceChosen: async (deviceId) => {
        if (get().selectedId === deviceId) return;
        set({ selectedId: deviceId, history: emptyHistory(), commands: { deviceId, items: [], error: undefined }, commandError: undefined, exported: { busy: false, error: undefined, file: undefined } });
        await loadSelected();
      },

      addDeviceChosen: async () => {
        set({ screen: 'add', enroll: { busy: false, error: undefined, ticket: undefined } });
        await requestCode();
      },
      newCodeChosen: requestCode,
      addDeviceClosed: () => set({ screen: 'list' }),

      timeMoved: (index) => {
        const { history } = get();
        set({ history: { ...history, index: Math.min(Math.max(0, Math.round(index)), lastIndex(history.points)) } });
      },

      commandChosen: async (command) => {
        const deviceId = get().selectedId;
        if (deviceId === undefined || get().commandBusy) return false;
        set({ commandBusy: command.type, commandError: undefined });
        const error = await send(deviceId, command);
        set({ commandBusy: undefined, commandError: error });
        return error === undefined;
      },

      eraseChosen: () => {
        const deviceId = get().selectedId;
        if (deviceId !== undefined) set({ dialog: { kind: 'erase', deviceId, busy: false, error: undefined } });
      },
      removeChosen: () => {
        const deviceId = get().selectedId;
        if (deviceId !== undefined) set({ dialog: { kind: 'remove', deviceId, busy: false, error: undefined } });
      },
      dialogClosed: () => set({ dialog: undefined }),

      eraseSubmitted: async ({ password, confirmName }) => {
        const dialog = get().dialog;
        if (dialog?.kind !== 'erase' || dialog.busy) return false;
        set({ dialog: { ...dialog, busy: true, error: undefined } });
        const error = await send(dialog.deviceId, { type: 'erase', password, confirmName });
        if (error) {
          if (get().dialog) set({ dialog: { ...dialog, busy: false, error } });
          return false;
        }
        set({ dialog: undefined });
        return true;
      },

      removeSubmitted: async ({ password }) => {
        const dialog = get().dialog;
        if (dialog?.kind !== 'remove' || dialog.busy) return false;
        set({ dialog: { ...dialog, busy: true, error: undefined } });
        const result = await api.call('devices.remove', { deviceId: dialog.deviceId, password });
        if (!result.ok) {
          const error = failed(toError(result.error));
          if (get().dialog) set({ dialog: { ...dialog, busy: false, error } });
          return false;
        }
        set({ dialog: undefined, devices: get().devices.filter((d) => d.id !== dialog.deviceId) });
        if (get().selectedId === dialog.deviceId) {
          set({ selectedId: get().devices[0]?.id });
          await loadSelected();
        }
        return true;
      },

      exportChosen: async (format) => {
        const deviceId = get().selectedId;
        if (deviceId === undefined) return;
        set({ exported: { busy: true, error: undefined, file: undefined } });
        const result = await api.call('devices.exportHistory', { deviceId, format });
        if (result.ok) set({ exported: { busy: false, error: undefined, file: result.value } });
        else set({ exported: { busy: false, error: failed(toError(result.error)), file: undefined } });
      },
      exportClosed: () => set({ exported: { busy: false, error: undefined, file: undefined } }),

      settingsSubmitted: async (input) => {
        set({ settings: { ...get().settings, busy: true, error: undefined, saved: false } });
        const result = await api.call('devices.updateSettings', input);
        if (!result.ok) {
          set({ settings: { ...get().settings, busy: false, error: failed(toError(result.error)) } });
          return false;
        }
        set({ settings: { value: result.value, busy: false, error: undefined, saved: true } });
        // A shorter retention deletes older points at once.
        const id = get().selectedId;
        if (id !== undefined) await loadHistory(id);
        return true;
      },

      notificationsChosen: async () => {
        set({ notifications: await deps.notifier.request() });
      },
    };
  });
}
