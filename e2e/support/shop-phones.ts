/**
 * Fake phones for the Shop e2e: a private adb server (own port and HOME) with fake phones connected by
 * `adb connect`, so the web host under test reads them the production way. Stops only its own server.
 */
import { startAdbHarness, type AdbHarness } from '../../electron/services/phone/fake/adb-harness';
import type { FakePhone, FakePhoneOptions } from '../../electron/services/phone/fake/fake-phone';

export interface ShopPhones {
  harness: AdbHarness;
  /** What the web host needs to reach this adb server. */
  env: Record<string, string>;
  add(options: FakePhoneOptions): Promise<FakePhone>;
  remove(phone: FakePhone): Promise<void>;
  /** Drops the phone as a pulled cable, then plugs it back and lets adb see it again. */
  replug(phone: FakePhone): Promise<void>;
  stop(): Promise<void>;
}

export async function startShopPhones(): Promise<ShopPhones> {
  const harness = await startAdbHarness({ shellTimeoutMs: 20_000, idleTimeoutMs: 10_000 });
  return {
    harness,
    env: { LIFELINE_ADB_SERVER: `127.0.0.1:${harness.port}`, HOME: harness.home },
    add: (options) => harness.addPhone(options),
    async remove(phone) {
      await harness.bridge.disconnect(phone.serialForAdb);
      await phone.stop();
    },
    async replug(phone) {
      phone.setFaults({});
      phone.plug();
      await harness.bridge.disconnect(phone.serialForAdb);
      await harness.bridge.connect(phone.serialForAdb);
      await harness.waitForState(phone.serialForAdb, ['device']);
    },
    stop: () => harness.stop(),
  };
}
