/**
 * A client for the ADB `sync:` service (AOSP file_sync_protocol.h, v1 requests only: STAT, LIST, RECV,
 * SEND, QUIT, which every Android version serves). Written here rather than using the library's AdbSync
 * so that names stay raw bytes (a name that is not valid UTF-8 can still be pulled), every read has an
 * idle timeout, and a cancelled pull closes the socket instead of draining the whole file.
 */
import { LifelineError } from '../../../contract/errors';
import { ByteReader, type ChunkReader } from './byte-reader';
import { describeError, disconnectedError, timeoutError, withTimeout } from './errors';

export interface SyncSocket {
  readonly readable: { getReader(): ChunkReader };
  readonly writable: { getWriter(): { write(chunk: Uint8Array): Promise<void>; releaseLock(): void } };
  close(): unknown;
}

export interface RemoteStat {
  mode: number;
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
  isDirectory: boolean;
  isFile: boolean;
}

export interface RemoteEntry extends RemoteStat {
  /** The name as printed text; invalid UTF-8 becomes U+FFFD, so use `nameBytes` to address the file. */
  name: string;
  nameBytes: Buffer;
  nameIsUtf8: boolean;
}

export type RemotePath = string | Uint8Array;

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
/** Sync DATA packets carry at most 64 KiB (SYNC_DATA_MAX). */
export const SYNC_DATA_MAX = 64 * 1024;
/** Longest path adbd accepts in a request. */
const MAX_PATH = 1024;

export function pathBytes(path: RemotePath): Buffer {
  const b = typeof path === 'string' ? Buffer.from(path, 'utf8') : Buffer.from(path);
  if (b.length === 0 || b.length > MAX_PATH) throw new LifelineError('invalid_input', `A phone path must be 1 to ${MAX_PATH} bytes long.`);
  if (b.includes(0)) throw new LifelineError('invalid_input', 'A phone path cannot contain a NUL byte.');
  return b;
}

export function joinRemote(dir: RemotePath, name: Uint8Array): Buffer {
  const d = pathBytes(dir);
  const slash = d[d.length - 1] === 0x2f ? Buffer.alloc(0) : Buffer.from('/');
  return Buffer.concat([d, slash, Buffer.from(name)]);
}

export function displayPath(path: RemotePath): string {
  return typeof path === 'string' ? path : new TextDecoder('utf-8').decode(path);
}

function statFrom(mode: number, size: number, mtime: number): RemoteStat {
  return { mode, size, mtime, isDirectory: (mode & S_IFMT) === S_IFDIR, isFile: (mode & S_IFMT) === S_IFREG };
}

function request(id: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

function decodeName(bytes: Buffer): { name: string; ok: boolean } {
  try {
    return { name: strictUtf8.decode(bytes), ok: true };
  } catch {
    return { name: lenientUtf8.decode(bytes), ok: false };
  }
}

export class RemoteFailure extends LifelineError {}

function remoteFailure(what: string, message: string): LifelineError {
  const lower = message.toLowerCase();
  if (lower.includes('no such file')) return new RemoteFailure('not_found', `${what}: the file is not on the phone (${message}).`, { remoteMessage: message });
  if (lower.includes('permission denied') || lower.includes('read-only')) return new RemoteFailure('forbidden', `${what}: the phone refused access (${message}).`, { remoteMessage: message });
  return new RemoteFailure('unavailable', `${what}: the phone reported an error (${message}).`, { remoteMessage: message });
}

/**
 * One sync session on one socket. Operations run one at a time; any timeout or protocol error leaves
 * the session `broken` and the socket closed, and the owner opens a new one.
 */
export class SyncSession {
  private readonly bytes: ByteReader;
  private readonly writer: { write(chunk: Uint8Array): Promise<void>; releaseLock(): void };
  broken = false;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly socket: SyncSocket,
    private readonly defaultIdleMs: number,
  ) {
    this.bytes = new ByteReader(socket.readable.getReader(), defaultIdleMs);
    this.writer = socket.writable.getWriter();
  }

  /** Serialises operations: the sync protocol has no request ids. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    if (this.broken) throw disconnectedError('a file operation');
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof RemoteFailure)) this.breakSession();
      throw e;
    }
  }

  private breakSession(): void {
    this.broken = true;
    void this.bytes.cancel();
    try {
      void Promise.resolve(this.socket.close()).catch(() => undefined);
    } catch {
      // already closed
    }
  }

  /** Sets the silence limit for the operation that is starting (operations never overlap). */
  private limit(idleMs: number | undefined): void {
    this.bytes.idleTimeoutMs = idleMs ?? this.defaultIdleMs;
  }

  private async send(data: Uint8Array, what: string): Promise<void> {
    const ms = this.bytes.idleTimeoutMs;
    await withTimeout(this.writer.write(data), ms, () => timeoutError(what, ms)).catch((e: unknown) => {
      if (e instanceof LifelineError) throw e;
      throw disconnectedError(what, { cause: describeError(e) });
    });
  }

  private async readFail(what: string): Promise<never> {
    const len = (await this.bytes.readExactly(4, what)).readUInt32LE(0);
    const msg = (await this.bytes.readExactly(Math.min(len, 65536), what)).toString('utf8');
    throw remoteFailure(what, msg);
  }

  stat(path: RemotePath, idleMs?: number): Promise<RemoteStat | null> {
    const p = pathBytes(path);
    const what = `reading file details of ${displayPath(p)}`;
    return this.exclusive(() =>
      this.guard(async () => {
        this.limit(idleMs);
        await this.send(request('STAT', p), what);
        const reply = await this.bytes.readExactly(16, what);
        const id = reply.toString('latin1', 0, 4);
        if (id !== 'STAT') throw new LifelineError('device_unreachable', `Unexpected sync reply ${JSON.stringify(id)} while ${what}.`, { reason: 'protocol' });
        const mode = reply.readUInt32LE(4);
        const size = reply.readUInt32LE(8);
        const mtime = reply.readUInt32LE(12);
        // STAT v1 answers all zeros for a missing path.
        if (mode === 0 && size === 0 && mtime === 0) return null;
        return statFrom(mode, size, mtime);
      }),
    );
  }

  list(path: RemotePath, idleMs?: number): Promise<RemoteEntry[]> {
    const p = pathBytes(path);
    const what = `listing ${displayPath(p)}`;
    return this.exclusive(() =>
      this.guard(async () => {
        this.limit(idleMs);
        await this.send(request('LIST', p), what);
        const out: RemoteEntry[] = [];
        for (;;) {
          const head = await this.bytes.readExactly(4, what);
          const id = head.toString('latin1');
          if (id === 'FAIL') return this.readFail(what);
          const rest = await this.bytes.readExactly(16, what);
          if (id === 'DONE') return out;
          if (id !== 'DENT') throw new LifelineError('device_unreachable', `Unexpected sync reply ${JSON.stringify(id)} while ${what}.`, { reason: 'protocol' });
          const namelen = rest.readUInt32LE(12);
          if (namelen > 4096) throw new LifelineError('device_unreachable', `The phone sent an entry name of ${namelen} bytes while ${what}.`, { reason: 'protocol' });
          const nameBytes = Buffer.from(await this.bytes.readExactly(namelen, what));
          const { name, ok } = decodeName(nameBytes);
          out.push({ ...statFrom(rest.readUInt32LE(0), rest.readUInt32LE(4), rest.readUInt32LE(8)), name, nameBytes, nameIsUtf8: ok });
        }
      }),
    );
  }

  /**
   * Streams a file. Breaking out of the loop early closes the session (the protocol cannot cancel a
   * RECV), so the owner opens a fresh one for the next operation.
   */
  async *pull(path: RemotePath, idleMs?: number): AsyncGenerator<Buffer, void, void> {
    const p = pathBytes(path);
    const what = `copying ${displayPath(p)} from the phone`;
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const previous = this.tail;
    this.tail = previous.then(() => mine);
    await previous.catch(() => undefined);
    let finished = false;
    let received = 0;
    try {
      if (this.broken) throw disconnectedError(what);
      this.limit(idleMs);
      await this.guard(() => this.send(request('RECV', p), what));
      for (;;) {
        const head = await this.guard(() => this.bytes.readExactly(8, what));
        const id = head.toString('latin1', 0, 4);
        const len = head.readUInt32LE(4);
        if (id === 'DONE') break;
        if (id === 'FAIL') {
          const msg = await this.guard(() => this.bytes.readExactly(Math.min(len, 65536), what));
          throw remoteFailure(what, msg.toString('utf8'));
        }
        if (id !== 'DATA' || len > SYNC_DATA_MAX) {
          this.breakSession();
          throw new LifelineError('device_unreachable', `Unexpected sync reply ${JSON.stringify(id)} while ${what}.`, { reason: 'protocol' });
        }
        const data = await this.guard(() => this.bytes.readExactly(len, what)).catch((e: unknown) => {
          if (e instanceof LifelineError && e.details) e.details.receivedFileBytes = received;
          throw e;
        });
        received += len;
        yield data;
      }
      finished = true;
    } catch (e) {
      finished = true;
      if (e instanceof LifelineError && e.details && e.code === 'device_unreachable') e.details.receivedFileBytes = received;
      throw e;
    } finally {
      if (!finished) this.breakSession();
      release();
    }
  }

  push(path: RemotePath, data: AsyncIterable<Uint8Array> | Uint8Array, mode = 0o644, mtime = Math.floor(Date.now() / 1000), idleMs?: number): Promise<void> {
    const p = pathBytes(path);
    const what = `copying ${displayPath(p)} to the phone`;
    return this.exclusive(() =>
      this.guard(async () => {
        this.limit(idleMs);
        await this.send(request('SEND', Buffer.concat([p, Buffer.from(`,${S_IFREG | (mode & 0o7777)}`)])), what);
        const sendPiece = async (piece: Uint8Array): Promise<void> => {
          for (let o = 0; o < piece.length; o += SYNC_DATA_MAX) await this.send(request('DATA', piece.subarray(o, o + SYNC_DATA_MAX)), what);
        };
        if (data instanceof Uint8Array) await sendPiece(data);
        else for await (const piece of data) await sendPiece(piece);
        const done = Buffer.alloc(8);
        done.write('DONE', 0, 'latin1');
        done.writeUInt32LE(mtime >>> 0, 4);
        await this.send(done, what);
        const reply = await this.bytes.readExactly(8, what);
        const id = reply.toString('latin1', 0, 4);
        if (id === 'OKAY') return;
        if (id === 'FAIL') {
          const msg = await this.bytes.readExactly(Math.min(reply.readUInt32LE(4), 65536), what);
          throw remoteFailure(what, msg.toString('utf8'));
        }
        throw new LifelineError('device_unreachable', `Unexpected sync reply ${JSON.stringify(id)} while ${what}.`, { reason: 'protocol' });
      }),
    );
  }

  async close(): Promise<void> {
    if (this.broken) return;
    this.broken = true;
    try {
      await withTimeout(this.writer.write(request('QUIT', Buffer.alloc(0))), 2000, () => new Error('quit timeout'));
    } catch {
      // closing anyway
    }
    this.breakSession();
  }
}
