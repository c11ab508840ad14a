/**
 * Our device interface: the small surface the Shop intake needs from a phone, with a timeout on every
 * step. `AdbPhoneDevice` implements it over @yume-chan/adb (any transport: the adb server in production,
 * a direct daemon connection in tests). The rest of Lifeline depends on `PhoneDevice`, not on the library.
 */
import crypto from 'node:crypto';
import type { Adb, AdbSocket } from '@yume-chan/adb';
import { LifelineError } from '../../../contract/errors';
import { ByteReader, type ChunkReader } from './byte-reader';
import { describeError, disconnectedError, phoneUnreachable, timeoutError, withTimeout } from './errors';
import { SyncSession, type RemoteEntry, type RemotePath, type RemoteStat, type SyncSocket } from './sync-client';

export type { RemoteEntry, RemotePath, RemoteStat } from './sync-client';
export { joinRemote, displayPath } from './sync-client';

export type DeviceState = 'device' | 'unauthorized' | 'offline';

export interface DeviceSummary {
  serial: string;
  state: DeviceState;
  model: string | null;
  product: string | null;
  device: string | null;
}

export interface ShellOptions {
  /** Whole-command limit. Default 30 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ShellResult {
  /** stdout and stderr as the phone printed them (the raw `exec:` service mixes them). */
  output: string;
  exitCode: number;
}

export interface TransferOptions {
  /** Longest silence from the phone before the transfer fails. Default 20 s. */
  idleTimeoutMs?: number;
}

export interface PhoneDevice {
  readonly serial: string;
  readonly model: string | null;
  readonly features: readonly string[];
  /** Runs a command; resolves with its output. Fails with `device_unreachable` on timeout or unplug. */
  shell(command: string, options?: ShellOptions): Promise<string>;
  run(command: string, options?: ShellOptions): Promise<ShellResult>;
  stat(path: RemotePath, options?: TransferOptions): Promise<RemoteStat | null>;
  listDir(path: RemotePath, options?: TransferOptions): Promise<RemoteEntry[]>;
  pull(path: RemotePath, options?: TransferOptions): AsyncIterable<Buffer>;
  push(path: RemotePath, data: AsyncIterable<Uint8Array> | Uint8Array, options?: TransferOptions & { mode?: number; mtime?: number }): Promise<void>;
  close(): Promise<void>;
}

export interface PhoneBridge {
  listDevices(options?: { timeoutMs?: number }): Promise<DeviceSummary[]>;
  /** Opens one phone by serial; with no serial, the only phone attached (fails when there are several). */
  open(serial?: string, options?: { timeoutMs?: number }): Promise<PhoneDevice>;
}

const DEFAULT_SHELL_TIMEOUT = 30_000;
const DEFAULT_IDLE_TIMEOUT = 20_000;

/** Quotes one argument for the phone's /system/bin/sh. */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

function socketReader(socket: AdbSocket): ChunkReader {
  return socket.readable.getReader() as unknown as ChunkReader;
}

export class AdbPhoneDevice implements PhoneDevice {
  private sync: SyncSession | null = null;
  private syncOpening: Promise<SyncSession> | null = null;
  private useExec = true;
  private closed = false;

  constructor(
    private readonly adb: Adb,
    readonly serial: string,
    private readonly defaults: { shellTimeoutMs?: number; idleTimeoutMs?: number } = {},
  ) {}

  get model(): string | null {
    return this.adb.banner.model ?? null;
  }

  get features(): readonly string[] {
    return this.adb.banner.features;
  }

  private async openSocket(service: string, timeoutMs: number, what: string): Promise<AdbSocket> {
    if (this.closed) throw new LifelineError('invalid_state', 'This phone connection was closed; open the phone again.');
    const opening = this.adb.createSocket(service);
    try {
      return await withTimeout(opening, timeoutMs, () => timeoutError(what, timeoutMs));
    } catch (e) {
      // A socket that opens after we gave up must not stay open.
      opening.then((s) => s.close(), () => undefined);
      if (e instanceof LifelineError) throw e;
      const msg = describeError(e);
      if (/unauthorized/i.test(msg)) throw phoneUnreachable('unauthorized', 'The phone has not allowed this computer. Unlock it and tap "Allow" on the USB debugging prompt.');
      if (/offline/i.test(msg)) throw phoneUnreachable('offline', 'The phone is offline. Unplug and reconnect the cable, then unlock the phone.');
      if (/not found|no devices|closed/i.test(msg)) throw disconnectedError(what, { cause: msg });
      throw phoneUnreachable('protocol', `The phone could not start ${what}: ${msg}.`, { cause: msg });
    }
  }

  async run(command: string, options: ShellOptions = {}): Promise<ShellResult> {
    const timeoutMs = options.timeoutMs ?? this.defaults.shellTimeoutMs ?? DEFAULT_SHELL_TIMEOUT;
    const started = Date.now();
    const label = command.length > 60 ? `${command.slice(0, 57)}...` : command;
    const what = `"${label}"`;
    // The end marker tells a complete answer from one cut short by an unplug (both just end the
    // stream), and carries the exit code, which the raw `exec:` service does not report.
    const marker = `__LIFELINE_END_${crypto.randomBytes(6).toString('hex')}__`;
    const full = `${command}; echo "${marker}:$?"`;
    let socket: AdbSocket;
    try {
      socket = await this.openSocket(`${this.useExec ? 'exec' : 'shell'}:${full}`, timeoutMs, what);
    } catch (e) {
      // Android before 5.0 has no `exec:`; fall back once to the PTY shell.
      if (!this.useExec || !(e instanceof LifelineError) || e.details?.reason !== 'protocol') throw e;
      this.useExec = false;
      socket = await this.openSocket(`shell:${full}`, timeoutMs, what);
    }
    // The whole-command deadline below is what limits the wait; the reader's own limit is only a backstop.
    const reader = new ByteReader(socketReader(socket), timeoutMs, options.signal);
    const chunks: Buffer[] = [];
    const total = withTimeout(
      (async () => {
        for (;;) {
          const chunk = await reader.readSome(what);
          if (chunk === null) break;
          chunks.push(chunk);
        }
      })(),
      Math.max(1, timeoutMs - (Date.now() - started)),
      () => timeoutError(what, timeoutMs),
    );
    try {
      await total;
    } finally {
      void reader.cancel();
      void Promise.resolve(socket.close()).catch(() => undefined);
    }
    const text = Buffer.concat(chunks).toString('utf8').replace(/\r\n/g, '\n');
    const re = new RegExp(`${marker}:(\\d+)\\n?$`);
    const m = re.exec(text);
    if (!m) throw disconnectedError(what, { partialOutputBytes: text.length });
    return { output: text.slice(0, m.index), exitCode: Number(m[1]) };
  }

  async shell(command: string, options?: ShellOptions): Promise<string> {
    return (await this.run(command, options)).output;
  }

  private idle(options?: TransferOptions): number {
    return options?.idleTimeoutMs ?? this.defaults.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT;
  }

  private async syncSession(idleMs: number): Promise<SyncSession> {
    if (this.sync && !this.sync.broken) return this.sync;
    if (!this.syncOpening) {
      this.syncOpening = (async () => {
        const socket = await this.openSocket('sync:', idleMs, 'file transfer');
        const session = new SyncSession(socket as unknown as SyncSocket, idleMs);
        this.sync = session;
        return session;
      })().finally(() => (this.syncOpening = null));
    }
    return this.syncOpening;
  }

  async stat(path: RemotePath, options?: TransferOptions): Promise<RemoteStat | null> {
    return (await this.syncSession(this.idle(options))).stat(path, this.idle(options));
  }

  async listDir(path: RemotePath, options?: TransferOptions): Promise<RemoteEntry[]> {
    const entries = await (await this.syncSession(this.idle(options))).list(path, this.idle(options));
    return entries.filter((e) => e.name !== '.' && e.name !== '..');
  }

  async *pull(path: RemotePath, options?: TransferOptions): AsyncGenerator<Buffer, void, void> {
    const session = await this.syncSession(this.idle(options));
    yield* session.pull(path, this.idle(options));
  }

  async push(path: RemotePath, data: AsyncIterable<Uint8Array> | Uint8Array, options: TransferOptions & { mode?: number; mtime?: number } = {}): Promise<void> {
    const session = await this.syncSession(this.idle(options));
    await session.push(path, data, options.mode, options.mtime, this.idle(options));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.sync?.close();
    await withTimeout(Promise.resolve(this.adb.close()), 3000, () => new Error('close timeout')).catch(() => undefined);
  }
}
