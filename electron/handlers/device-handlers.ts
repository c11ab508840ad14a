import type { z } from 'zod';
import type { deviceMethods, DeviceMethodName } from '../../contract/devices';
import type { CallContext } from '../dispatcher';
import type { DeviceAccountGate } from '../services/devices/account-gate';
import type { DevicesService } from '../services/devices/devices-service';

type DeviceMethods = typeof deviceMethods;

/**
 * The same shape as `Pick<Handlers, DeviceMethodName>` once contract/index.ts includes deviceMethods;
 * typed from the device contract directly so this file stands on its own until then.
 */
export type DeviceHandlers = {
  [M in DeviceMethodName]: (
    input: z.output<DeviceMethods[M]['input']>,
    ctx: CallContext,
  ) => z.output<DeviceMethods[M]['output']> | Promise<z.output<DeviceMethods[M]['output']>>;
};

export function createDeviceHandlers(deps: { devices: DevicesService; gate: DeviceAccountGate }): DeviceHandlers {
  const { devices, gate } = deps;
  const owner = (ctx: CallContext) => gate.currentAccountId(ctx);
  return {
    'devices.list': (_input, ctx) => ({ devices: devices.list(owner(ctx)) }),
    'devices.enrollStart': (_input, ctx) => devices.startEnrollment(owner(ctx)),
    'devices.history': ({ deviceId, from, to, limit }, ctx) => devices.history(owner(ctx), deviceId, { from, to, limit }),
    'devices.exportHistory': ({ deviceId, format, from, to }, ctx) => devices.exportHistory(owner(ctx), deviceId, format, { from, to }),
    'devices.command': ({ deviceId, command }, ctx) => devices.command(owner(ctx), deviceId, command, ctx),
    'devices.commands': ({ deviceId, limit }, ctx) => ({ commands: devices.commands(owner(ctx), deviceId, limit) }),
    'devices.remove': async ({ deviceId, password }, ctx) => {
      await devices.remove(owner(ctx), deviceId, password, ctx);
      return { removed: true as const };
    },
    'devices.alerts': ({ deviceId, limit }, ctx) => ({ alerts: devices.alerts(owner(ctx), { deviceId, limit }) }),
    'devices.settings': (_input, ctx) => {
      owner(ctx);
      return devices.settings();
    },
    'devices.updateSettings': (patch, ctx) => {
      owner(ctx);
      return devices.updateSettings(patch);
    },
  };
}
