/**
 * The production path to phones: the standard adb server (Debian's `adb`, or Android SDK platform-tools)
 * on 127.0.0.1:5037, reached through @yume-chan/adb's server client. Finds the adb binary, starts the
 * server when it is not running, and refuses servers too old for the library.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AdbServerClient } from '@yume-chan/adb';
import { AdbServerNodeTcpConnector } from '@yume-chan/adb-server-node-tcp';
import { LifelineError } from '../../../contract/errors';
import { AdbPhoneDevice, type DeviceState, type DeviceSummary, type PhoneBridge, type PhoneDevice } from './device';
import { describeError, phoneUnreachable, withTimeout } from './errors';

/** adb 1.0.41 (platform-tools 29, Debian's 1:29) added the `host:tport` services the library uses. */
export const MIN_ADB_SERVER_VERSION = 41;

export const INSTALL_HELP =
  'Install adb: on Debian or Ubuntu run "sudo apt-get install adb"; on Windows or macOS download Android SDK Platform-Tools from developer.android.com/tools/releases/platform-tools and set the path to adb in Settings.';

export interface AdbServerBridgeOptions {
  /** Where the adb server listens. Default: ADB_SERVER_SOCKET / ANDROID_ADB_SERVER_PORT, else 127.0.0.1:5037. */
  host?: string;
  port?: number;
  /** The adb binary from Settings; otherwise PATH and the usual SDK folders are searched. */
  adbPath?: string | null;
  /** Start the server with `adb start-server` when it is not running (default true). */
  startServer?: boolean;
  /** Environment for the adb binary (tests give it a private HOME so keys stay in a temp dir). */
  env?: NodeJS.ProcessEnv;
  /** Per-step limits for the phone (forwarded to AdbPhoneDevice). */
  shellTimeoutMs?: number;
  idleTimeoutMs?: number;
}

export function serverAddressFromEnv(env: NodeJS.ProcessEnv = process.env): { host: string; port: number } {
  const socket = env.ADB_SERVER_SOCKET;
  const m = socket ? /^tcp:(?:([^:]+):)?(\d+)$/.exec(socket) : null;
  if (m) return { host: m[1] ?? '127.0.0.1', port: Number(m[2]) };
  const port = Number(env.ANDROID_ADB_SERVER_PORT);
  return { host: '127.0.0.1', port: Number.isInteger(port) && port > 0 ? port : 5037 };
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Finds adb: the configured path, then PATH, then the usual SDK locations. Null when there is none. */
export function findAdbBinary(configured?: string | null, env: NodeJS.ProcessEnv = process.env): string | null {
  const exe = process.platform === 'win32' ? 'adb.exe' : 'adb';
  if (configured) {
    const candidate = fs.existsSync(configured) && fs.statSync(configured).isDirectory() ? path.join(configured, exe) : configured;
    return isExecutable(candidate) ? candidate : null;
  }
  const dirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const sdkRoots = [env.ANDROID_HOME, env.ANDROID_SDK_ROOT, path.join(os.homedir(), 'Android', 'Sdk'), path.join(os.homedir(), 'Library', 'Android', 'sdk'), env.LOCALAPPDATA ? path.join(env.LOCALAPPDATA, 'Android', 'Sdk') : undefined, '/usr/lib/android-sdk'];
  for (const root of sdkRoots) if (root) dirs.push(path.join(root, 'platform-tools'));
  for (const dir of dirs) {
    const candidate = path.join(dir, exe);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, timeout: timeoutMs, windowsHide: true }, (error, stdout, stderr) => {
      if (error) reject(Object.assign(error, { stdout, stderr }));
      else resolve({ stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** "Android Debug Bridge version 1.0.41" -> 41. */
export function parseAdbBinaryVersion(text: string): { protocol: number | null; release: string | null } {
  const m = /Android Debug Bridge version 1\.0\.(\d+)/.exec(text);
  const r = /^Version ([\w.-]+)/m.exec(text);
  return { protocol: m ? Number(m[1]) : null, release: r?.[1] ?? null };
}

export class AdbServerBridge implements PhoneBridge {
  readonly host: string;
  readonly port: number;
  readonly client: AdbServerClient;
  private ready: Promise<void> | null = null;

  constructor(private readonly options: AdbServerBridgeOptions = {}) {
    const fromEnv = serverAddressFromEnv(options.env ?? process.env);
    this.host = options.host ?? fromEnv.host;
    this.port = options.port ?? fromEnv.port;
    this.client = new AdbServerClient(new AdbServerNodeTcpConnector({ host: this.host, port: this.port }));
  }

  private env(): NodeJS.ProcessEnv {
    const env = { ...(this.options.env ?? process.env) };
    // We pass -P ourselves; a stray socket variable would point the binary somewhere else.
    delete env.ADB_SERVER_SOCKET;
    delete env.ANDROID_ADB_SERVER_PORT;
    return env;
  }

  /** The adb binary, or an `adb_missing` error saying what to install. */
  adbBinary(): string {
    const found = findAdbBinary(this.options.adbPath, this.options.env ?? process.env);
    if (found) return found;
    if (this.options.adbPath) throw new LifelineError('adb_missing', `No adb program at ${this.options.adbPath}. Check the adb path in Settings. ${INSTALL_HELP}`);
    throw new LifelineError('adb_missing', `adb was not found on this computer. ${INSTALL_HELP}`);
  }

  private async serverVersion(timeoutMs: number): Promise<number> {
    return withTimeout(this.client.getVersion(), timeoutMs, () => new Error('ADB server did not answer host:version'));
  }

  /** Connects to the adb server, starting it when needed; checks its version. Cached once it succeeds. */
  ensureServer(): Promise<void> {
    if (!this.ready) {
      this.ready = this.connectOrStart().catch((e: unknown) => {
        this.ready = null;
        throw e;
      });
    }
    return this.ready;
  }

  private async connectOrStart(): Promise<void> {
    let version: number;
    try {
      version = await this.serverVersion(5000);
    } catch (first) {
      if (this.options.startServer === false) {
        throw new LifelineError('adb_missing', `No adb server is running on ${this.host}:${this.port} (${describeError(first)}). Start it with "adb start-server". ${INSTALL_HELP}`);
      }
      const adb = this.adbBinary();
      const binVersion = await this.binaryVersion(adb);
      if (binVersion.protocol !== null && binVersion.protocol < MIN_ADB_SERVER_VERSION) throw this.tooOld(`${adb} is version 1.0.${binVersion.protocol}`);
      try {
        await run(adb, ['-P', String(this.port), 'start-server'], this.env(), 30_000);
      } catch (e) {
        const stderr = (e as { stderr?: string }).stderr ?? '';
        throw new LifelineError('adb_missing', `Could not start the adb server with ${adb}: ${stderr.trim() || describeError(e)}. Close other Android tools that use port ${this.port} and try again.`);
      }
      try {
        version = await this.serverVersion(10_000);
      } catch (e) {
        throw new LifelineError('adb_missing', `The adb server was started but does not answer on ${this.host}:${this.port} (${describeError(e)}).`);
      }
    }
    if (version < MIN_ADB_SERVER_VERSION) throw this.tooOld(`the running adb server is version ${version}`);
  }

  private tooOld(what: string): LifelineError {
    return new LifelineError('unsupported_version', `${what[0]?.toUpperCase() ?? ''}${what.slice(1)}; Lifeline needs adb 1.0.${MIN_ADB_SERVER_VERSION} (platform-tools 29) or newer. Stop the old server with "adb kill-server", then update adb. ${INSTALL_HELP}`, { minimum: MIN_ADB_SERVER_VERSION });
  }

  async binaryVersion(adb: string): Promise<{ protocol: number | null; release: string | null }> {
    try {
      const { stdout } = await run(adb, ['version'], this.env(), 10_000);
      return parseAdbBinaryVersion(stdout);
    } catch (e) {
      throw new LifelineError('adb_missing', `${adb} does not run (${describeError(e)}). ${INSTALL_HELP}`);
    }
  }

  async listDevices(options: { timeoutMs?: number } = {}): Promise<DeviceSummary[]> {
    await this.ensureServer();
    const timeoutMs = options.timeoutMs ?? 10_000;
    const devices = await withTimeout(this.client.getDevices(['device', 'unauthorized', 'offline']), timeoutMs, () => new LifelineError('unavailable', `The adb server did not list devices within ${timeoutMs / 1000} s. Restart it with "adb kill-server" and try again.`));
    return devices.map((d) => ({ serial: d.serial, state: d.state as DeviceState, model: d.model?.replace(/_/g, ' ').trim() || null, product: d.product ?? null, device: d.device ?? null }));
  }

  async open(serial?: string, options: { timeoutMs?: number } = {}): Promise<PhoneDevice> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const devices = await this.listDevices({ timeoutMs });
    let target: DeviceSummary | undefined;
    if (serial === undefined) {
      if (devices.length === 0) throw phoneUnreachable('not_found', 'No phone is connected. Connect it by USB, turn on USB debugging in Developer options, and unlock it.');
      if (devices.length > 1) throw phoneUnreachable('several_devices', `${devices.length} phones are connected. Pick one, or unplug the others.`, { serials: devices.map((d) => d.serial) });
      target = devices[0];
    } else {
      target = devices.find((d) => d.serial === serial);
      if (!target) throw phoneUnreachable('not_found', `The phone ${serial} is not connected. Check the cable and that USB debugging is on.`, { serial });
    }
    if (!target) throw phoneUnreachable('not_found', 'No phone is connected.');
    if (target.state === 'unauthorized') {
      throw phoneUnreachable('unauthorized', 'The phone has not allowed this computer yet. Unlock the phone and tap "Allow" on "Allow USB debugging?" (tick "Always allow from this computer").', { serial: target.serial });
    }
    if (target.state === 'offline') throw phoneUnreachable('offline', 'The phone is connected but offline. Unplug and reconnect the cable, unlock the phone, and try again.', { serial: target.serial });
    const adb = await withTimeout(this.client.createAdb({ serial: target.serial }), timeoutMs, () => phoneUnreachable('timeout', `The phone ${target.serial} did not answer within ${timeoutMs / 1000} s. Reconnect the cable and unlock it.`)).catch((e: unknown) => {
      if (e instanceof LifelineError) throw e;
      throw phoneUnreachable('disconnected', `Could not open the phone ${target.serial}: ${describeError(e)}. Reconnect it and try again.`, { serial: target.serial });
    });
    return new AdbPhoneDevice(adb, target.serial, { shellTimeoutMs: this.options.shellTimeoutMs, idleTimeoutMs: this.options.idleTimeoutMs });
  }

  /** `adb connect host:port` (network phones; the fake phone in tests). */
  async connect(address: string, timeoutMs = 10_000): Promise<void> {
    await this.ensureServer();
    await withTimeout(this.client.wireless.connect(address), timeoutMs, () => phoneUnreachable('timeout', `Connecting to ${address} took longer than ${timeoutMs / 1000} s.`)).catch((e: unknown) => {
      if (e instanceof LifelineError) throw e;
      // An unauthorized phone still appears in the list; the caller sees its state there.
      if (/authenticate|unauthorized|already connected/i.test(describeError(e))) return;
      throw phoneUnreachable('not_found', `Could not connect to ${address}: ${describeError(e)}.`);
    });
  }

  async disconnect(address: string): Promise<void> {
    await this.ensureServer();
    await withTimeout(this.client.wireless.disconnect(address), 10_000, () => new Error('disconnect timeout')).catch(() => undefined);
  }

  /** Stops the adb server this bridge talks to (tests use a private one). */
  async killServer(): Promise<void> {
    try {
      await withTimeout(this.client.killServer(), 5000, () => new Error('kill timeout'));
    } catch {
      // already gone
    }
    this.ready = null;
  }
}
