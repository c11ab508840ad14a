/**
 * Live phone detection. The adb server's `host:track-devices` pushes the list when a phone arrives or
 * leaves; some servers (Debian's adb 29 among them) do not push the later change from "offline" to
 * "unauthorized" or "device", so every push, and a slow timer, re-read the full list. Listeners hear
 * only real changes.
 */
import type { AdbServerBridge } from './adb-server';
import type { DeviceSummary } from './device';

export interface DeviceWatch {
  stop(): Promise<void>;
}

export async function watchDevices(
  bridge: AdbServerBridge,
  onChange: (devices: DeviceSummary[]) => void,
  onError: (error: Error) => void,
  options: { pollMs?: number } = {},
): Promise<DeviceWatch> {
  await bridge.ensureServer();
  let last = '';
  let stopped = false;
  let reading = false;
  const refresh = async (): Promise<void> => {
    if (stopped || reading) return;
    reading = true;
    try {
      const list = await bridge.listDevices({ timeoutMs: 5000 });
      const key = JSON.stringify(list);
      if (!stopped && key !== last) {
        last = key;
        onChange(list);
      }
    } catch (e) {
      if (!stopped) onError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      reading = false;
    }
  };
  const observer = await bridge.client.trackDevices({ includeStates: ['device', 'unauthorized', 'offline'] });
  const off = observer.onListChange(() => void refresh());
  const offError = observer.onError((e) => {
    if (!stopped) onError(e);
  });
  const timer = setInterval(() => void refresh(), options.pollMs ?? 1500);
  timer.unref();
  await refresh();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      off();
      offError();
      await Promise.resolve(observer.stop()).catch(() => undefined);
    },
  };
}
