/**
 * Test and benchmark support: a private adb server (own port, own HOME for its keys) and fake phones
 * connected to it with `adb connect`, so code under test takes the production path
 * (adb server -> @yume-chan/adb -> our device interface).
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { AdbServerBridge, findAdbBinary } from '../adb-server';
import { FakePhone, type FakePhoneOptions } from './fake-phone';

/** A free loopback port outside 5555-5585, which the adb server scans for emulators. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const p = typeof address === 'object' && address ? address.port : 0;
        server.close(() => resolve(p));
      });
    });
    if (port < 5554 || port > 5586) return port;
  }
}

export interface AdbHarness {
  bridge: AdbServerBridge;
  port: number;
  home: string;
  /** Starts a fake phone and connects the private adb server to it; resolves once adb lists it. */
  addPhone(options?: FakePhoneOptions): Promise<FakePhone>;
  /** Waits until adb lists the serial in one of the given states. */
  waitForState(serial: string, states: string[], timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export function adbAvailable(): boolean {
  return findAdbBinary() !== null;
}

export async function startAdbHarness(options: { shellTimeoutMs?: number; idleTimeoutMs?: number } = {}): Promise<AdbHarness> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-adb-'));
  const port = await freePort();
  const env = { ...process.env, HOME: home, ANDROID_USER_HOME: path.join(home, '.android'), ANDROID_SDK_HOME: home };
  const bridge = new AdbServerBridge({ port, env, ...options });
  await bridge.ensureServer();
  const phones: FakePhone[] = [];

  async function waitForState(serial: string, states: string[], timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let missingSince: number | undefined;
    for (;;) {
      const list = await bridge.listDevices();
      if (list.some((d) => d.serial === serial && states.includes(d.state))) return;
      // On a loaded machine adb can drop a "connect" that races its own "disconnect": ask again, as a person would.
      if (list.some((d) => d.serial === serial)) missingSince = undefined;
      else if (missingSince === undefined) missingSince = Date.now();
      else if (states.includes('device') && Date.now() - missingSince > 2000) {
        missingSince = undefined;
        await bridge.connect(serial).catch(() => undefined);
      }
      if (Date.now() > deadline) throw new Error(`adb did not list ${serial} as ${states.join('/')} within ${timeoutMs} ms: ${JSON.stringify(list)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  return {
    bridge,
    port,
    home,
    waitForState,
    async addPhone(phoneOptions: FakePhoneOptions = {}) {
      const phone = new FakePhone(phoneOptions);
      await phone.start();
      phones.push(phone);
      await bridge.connect(phone.serialForAdb);
      await waitForState(phone.serialForAdb, phoneOptions.auth === 'never' ? ['unauthorized'] : ['device']);
      return phone;
    },
    async stop() {
      await bridge.killServer();
      for (const p of phones) await p.stop();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
