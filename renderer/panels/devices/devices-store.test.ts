import { describe, expect, it } from 'vitest';
import { createClient } from '../../api/client';
import { createMemoryTransport } from '../../api/memory-transport';
import { createDevicesStore, ENROLL_CODE_LIFETIME_MS, type Notifier, type NotificationPermissionState } from './devices-store';
import { device, fakeDevices, T0 } from './test-fixtures';

function setUp(options: Parameters<typeof fakeDevices>[0] & { hint?: boolean; now?: number } = {}) {
  const far = fakeDevices(options);
  const transport = createMemoryTransport(far.handlers);
  const shown: { title: string; body: string }[] = [];
  let permission: NotificationPermissionState = 'default';
  const notifier: Notifier = {
    permission: () => permission,
    request: async () => (permission = 'granted'),
    show: (title, body) => shown.push({ title, body }),
  };
  const store = createDevicesStore(createClient(transport), { now: () => options.now ?? T0, mayBeSignedIn: () => options.hint ?? true, notifier });
  return { far, transport, store, shown };
}

/** Lets the fire-and-forget re-reads that events start finish. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the devices store', () => {
  it('does not ask the host while this window has no session hint, and says to sign in', async () => {
    const { store, transport } = setUp({ hint: false });
    await store.getState().devicesOpened();
    expect(store.getState().session).toBe('signedOut');
    expect(transport.calls).toEqual([]);
  });

  it('goes to "signed out" when the host says the session is gone', async () => {
    const { store } = setUp({ signedIn: false });
    await store.getState().devicesOpened();
    expect(store.getState().session).toBe('signedOut');
    expect(store.getState().devices).toEqual([]);
  });

  it('loads the phones, selects the first and reads its trail, commands, alerts and settings', async () => {
    const { store } = setUp({ devices: [device(), device({ id: 'dev-2', name: 'Tablet' })] });
    await store.getState().devicesOpened();
    const state = store.getState();
    expect(state.session).toBe('signedIn');
    expect(state.devices.map((d) => d.name)).toEqual(['Ana phone', 'Tablet']);
    expect(state.selectedId).toBe('dev-1');
    expect(state.history.points).toHaveLength(5);
    expect(state.history.index).toBe(4);
    expect(state.settings.value).toEqual({ historyRetentionDays: 30, onlineTileUrl: null });
  });

  it('keeps the slider where the person put it when a new report arrives, and follows when it was at the end', async () => {
    const { store, far, transport } = setUp();
    await store.getState().devicesOpened();
    store.getState().timeMoved(1);
    far.state.points = [...far.state.points, { ...far.state.points[0]!, at: T0 }];
    const calls = transport.calls.length;
    transport.emit('devices.updated', { deviceId: 'dev-1' });
    await settle();
    await settle();
    expect(store.getState().history.points).toHaveLength(6);
    expect(store.getState().history.index).toBe(1);
    // Only what is newer than the last point was asked for.
    expect(transport.calls.slice(calls).find((c) => c.method === 'devices.history')?.input).toMatchObject({ deviceId: 'dev-1', from: expect.any(Number) });

    store.getState().timeMoved(99);
    expect(store.getState().history.index).toBe(5);
    far.state.points = [...far.state.points, { ...far.state.points[0]!, at: T0 + 1 }];
    transport.emit('devices.updated', { deviceId: 'dev-1' });
    await settle();
    await settle();
    expect(store.getState().history.index).toBe(6);
  });

  it('shows the enrollment code with its expiry on this clock, and the new phone once it links', async () => {
    const { store, far, transport } = setUp({ devices: [], now: T0 });
    await store.getState().devicesOpened();
    await store.getState().addDeviceChosen();
    expect(store.getState().screen).toBe('add');
    expect(store.getState().enroll.ticket).toMatchObject({ code: 'K7QX4MPA', expiresAt: T0 + ENROLL_CODE_LIFETIME_MS, reachableFromPhones: false });

    far.state.devices = [device({ id: 'dev-new', name: 'New phone' })];
    transport.emit('devices.updated', { deviceId: 'dev-new' });
    await settle();
    await settle();
    expect(store.getState().screen).toBe('list');
    expect(store.getState().selectedId).toBe('dev-new');
  });

  it('tracks a command from queued to delivered to done through events', async () => {
    const { store, far, transport } = setUp();
    await store.getState().devicesOpened();
    expect(await store.getState().commandChosen({ type: 'ring', seconds: 20 })).toBe(true);
    const [queued] = store.getState().commands.items;
    expect(queued).toMatchObject({ type: 'ring', status: 'queued', params: { seconds: 20 } });

    far.state.commands[0] = { ...far.state.commands[0]!, status: 'delivered', deliveredAt: T0 + 1000 };
    transport.emit('devices.commandUpdated', { deviceId: 'dev-1', commandId: queued!.id, type: 'ring', status: 'delivered' });
    expect(store.getState().commands.items[0]?.status).toBe('delivered');
    await settle();
    expect(store.getState().commands.items[0]?.deliveredAt).toBe(T0 + 1000);

    far.state.commands[0] = { ...far.state.commands[0]!, status: 'done', finishedAt: T0 + 2000, detail: 'Rang for 20 s' };
    transport.emit('devices.commandUpdated', { deviceId: 'dev-1', commandId: queued!.id, type: 'ring', status: 'done' });
    await settle();
    expect(store.getState().commands.items[0]).toMatchObject({ status: 'done', detail: 'Rang for 20 s' });
  });

  it('keeps the erase dialog open with the reason when the password is wrong, and closes it when right', async () => {
    const { store, far } = setUp();
    await store.getState().devicesOpened();
    store.getState().eraseChosen();
    expect(await store.getState().eraseSubmitted({ password: 'wrong', confirmName: 'Ana phone' })).toBe(false);
    expect(store.getState().dialog?.error?.code).toBe('invalid_credentials');
    expect(far.state.commands).toEqual([]);

    expect(await store.getState().eraseSubmitted({ password: far.state.password, confirmName: 'Ana phone' })).toBe(true);
    expect(store.getState().dialog).toBeUndefined();
    expect(far.state.commands[0]).toMatchObject({ type: 'erase', params: {} });
  });

  it('removes a phone from the account with the password and selects the next one', async () => {
    const { store, far } = setUp({ devices: [device(), device({ id: 'dev-2', name: 'Tablet', activationLock: false })] });
    await store.getState().devicesOpened();
    store.getState().removeChosen();
    expect(await store.getState().removeSubmitted({ password: far.state.password })).toBe(true);
    expect(store.getState().devices.map((d) => d.id)).toEqual(['dev-2']);
    expect(store.getState().selectedId).toBe('dev-2');
  });

  it('lists a new alert and shows a desktop notification for it, once', async () => {
    const { store, far, transport, shown } = setUp();
    await store.getState().devicesOpened();
    await store.getState().notificationsChosen();
    expect(store.getState().notifications).toBe('granted');
    far.state.alerts = [{ id: 'al-1', deviceId: 'dev-1', deviceName: 'Ana phone', kind: 'sim_changed', message: 'The SIM card in Ana phone changed.', at: T0 }];
    transport.emit('devices.alert', { deviceId: 'dev-1', alertId: 'al-1', kind: 'sim_changed' });
    await settle();
    transport.emit('devices.alert', { deviceId: 'dev-1', alertId: 'al-1', kind: 'sim_changed' });
    await settle();
    expect(store.getState().alerts.items).toHaveLength(1);
    expect(shown).toEqual([{ title: 'Ana phone', body: 'The SIM card in Ana phone changed.' }]);
  });

  it('ignores events while signed out', async () => {
    const { store, transport } = setUp({ hint: false });
    await store.getState().devicesOpened();
    transport.emit('devices.updated', { deviceId: 'dev-1' });
    await settle();
    expect(transport.calls).toEqual([]);
  });

  it('saves the settings and reports the service refusing a bad tile address', async () => {
    const { store, far } = setUp();
    await store.getState().devicesOpened();
    expect(await store.getState().settingsSubmitted({ historyRetentionDays: 7, onlineTileUrl: 'https://tile.example/{z}/{x}/{y}.png' })).toBe(true);
    expect(far.state.settings).toEqual({ historyRetentionDays: 7, onlineTileUrl: 'https://tile.example/{z}/{x}/{y}.png' });
    expect(store.getState().settings.saved).toBe(true);

    far.handlers['devices.updateSettings'] = () => ({ ok: false, error: { code: 'invalid_input', message: 'Use an https:// address.' } });
    expect(await store.getState().settingsSubmitted({ historyRetentionDays: 7, onlineTileUrl: 'http://x' })).toBe(false);
    expect(store.getState().settings.error?.message).toBe('Use an https:// address.');
    expect(store.getState().settings.value?.historyRetentionDays).toBe(7);
  });
});
