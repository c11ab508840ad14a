import type { Envelope } from '../../../contract';
import type { DeviceAlert, DeviceCommand, DeviceSettings, DeviceSummary, HistoryPoint } from '../../../contract/devices';
import type { MemoryHandler } from '../../api/memory-transport';

export const T0 = Date.UTC(2025, 0, 15, 8, 0, 0);

export function device(overrides: Partial<DeviceSummary> = {}): DeviceSummary {
  return {
    id: 'dev-1',
    name: 'Ana phone',
    model: 'Pixel 8',
    platform: 'android',
    osVersion: '14',
    online: false,
    lastSeenAt: T0 - 2 * 60_000,
    battery: { percent: 64, charging: false },
    network: { type: 'cellular', operator: 'Telkomsel' },
    sim: { slot: 0, operator: 'Telkomsel' },
    screenLocked: true,
    lastLocation: { lat: -6.9175, lon: 107.6191, accuracyM: 25, source: 'gps', at: T0 - 2 * 60_000, place: 'near Bandung, Indonesia' },
    findDevice: true,
    activationLock: true,
    lostMode: { state: 'off', message: null, phone: null },
    erased: false,
    createdAt: T0 - 86_400_000,
    ...overrides,
  };
}

export function trail(count: number, start = T0 - count * 60_000): HistoryPoint[] {
  return Array.from({ length: count }, (_, i) => ({ lat: -6.9 + i * 0.001, lon: 107.6 + i * 0.001, accuracyM: 20, source: 'gps' as const, at: start + i * 60_000, batteryPercent: 80 }));
}

const ok = <T>(value: T): Envelope<T> => ({ ok: true, value });
const fail = (code: string, message: string): Envelope<never> => ({ ok: false, error: { code: code as never, message } });

/** An in-memory devices service answering like the dispatcher would, for store and component tests. */
export function fakeDevices(options: { devices?: DeviceSummary[]; points?: HistoryPoint[]; password?: string; signedIn?: boolean } = {}) {
  const state = {
    signedIn: options.signedIn ?? true,
    devices: options.devices ?? [device()],
    points: options.points ?? trail(5),
    commands: [] as DeviceCommand[],
    alerts: [] as DeviceAlert[],
    settings: { historyRetentionDays: 30, onlineTileUrl: null } as DeviceSettings,
    password: options.password ?? 'correct horse battery staple',
    nextId: 1,
  };
  const guard = (run: (input: Record<string, unknown>) => Envelope<unknown>): MemoryHandler => (input) =>
    state.signedIn ? run(input as Record<string, unknown>) : fail('not_signed_in', 'Sign in to see your devices.');
  const handlers: Record<string, MemoryHandler> = {
    'devices.list': guard(() => ok({ devices: state.devices })),
    // Like the service: points in [from, to], the newest `limit` of them, oldest first.
    'devices.history': guard((input) => {
      const { from = 0, to = Number.MAX_SAFE_INTEGER, limit = 100_000 } = input as { from?: number; to?: number; limit?: number };
      const inRange = state.points.filter((p) => p.at >= from && p.at <= to);
      return ok({ points: inRange.slice(-limit), truncated: inRange.length > limit });
    }),
    'devices.commands': guard((input) => ok({ commands: state.commands.filter((c) => c.deviceId === input.deviceId) })),
    'devices.alerts': guard(() => ok({ alerts: state.alerts })),
    'devices.settings': guard(() => ok(state.settings)),
    'devices.updateSettings': guard((input) => {
      state.settings = { ...state.settings, ...(input as Partial<DeviceSettings>) };
      return ok(state.settings);
    }),
    'devices.enrollStart': guard(() =>
      ok({ code: 'K7QX4MPA', expiresAt: T0 + 600_000, enrollUrl: 'http://127.0.0.1:4321/agent/v1/enroll?code=K7QX4MPA', qrDataUrl: 'data:image/png;base64,AAAA', reachableFromPhones: false }),
    ),
    'devices.exportHistory': guard((input) => ok({ fileName: `trail.${String(input.format)}`, mimeType: 'application/gpx+xml', content: '<gpx/>', points: state.points.length })),
    'devices.command': guard((input) => {
      const command = input.command as Record<string, unknown> & { type: DeviceCommand['type'] };
      const target = state.devices.find((d) => d.id === input.deviceId);
      if (!target) return fail('not_found', 'There is no such device on this account.');
      if (command.type === 'erase') {
        if (command.password !== state.password) return fail('invalid_credentials', 'That password is not right. Type it again.');
        if (command.confirmName !== target.name) return fail('invalid_input', "Type the device's name exactly as shown.");
      }
      const { type, password: _p, confirmName: _c, ...params } = command;
      const created: DeviceCommand = { id: `cmd-${state.nextId++}`, deviceId: target.id, type, params, status: 'queued', createdAt: T0, deliveredAt: null, finishedAt: null, detail: null };
      state.commands.unshift(created);
      return ok(created);
    }),
    'devices.remove': guard((input) => {
      if (input.password !== state.password) return fail('invalid_credentials', 'That password is not right. Type it again.');
      state.devices = state.devices.filter((d) => d.id !== input.deviceId);
      return ok({ removed: true as const });
    }),
  };
  return { state, handlers };
}
