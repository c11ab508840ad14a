/**
 * A fake Android phone for tests and benchmarks: a TCP server on loopback that speaks the ADB wire
 * protocol as a device does over TCP (what `adb connect 127.0.0.1:PORT` talks to). It serves `shell:`,
 * `exec:` and `sync:` from a profile, and can misbehave on request (unplug, stall, slow, unauthorized).
 *
 * Features advertised are deliberately minimal (no shell_v2, no stat_v2/ls_v2, no delayed_ack) so every
 * client falls back to the protocol paths every Android version supports.
 */
import crypto from 'node:crypto';
import net from 'node:net';
import { FakeFileSystem, S_IFREG, bufferFile, entryName, type FsFile } from './files';
import { makeProfile, type PhoneProfile, type ProfileId, type ProfileSizes } from './profiles';
import { FakeShell } from './shell';
import {
  A_AUTH, A_CLSE, A_CNXN, A_OKAY, A_OPEN, A_VERSION_SKIP_CHECKSUM, A_WRTE, AUTH_RSAPUBLICKEY, AUTH_SIGNATURE, AUTH_TOKEN,
  MessageReader, encodeMessage, type AdbMessage,
} from './wire';

export interface FakeFaults {
  /** Drop the connection (as a pulled cable does) after this many file-data bytes went out through sync. */
  unplugAfterBytes?: number;
  /** Stop sending anything (connection stays open) after this many file-data bytes went out. */
  stallAfterBytes?: number;
  /** Shell commands matching this are accepted but never answered. */
  stallShell?: RegExp;
  /** Wait this long before answering any shell command. */
  shellDelayMs?: number;
  /** Wait this long between sync DATA packets. */
  dataDelayMs?: number;
  /** Lines printed before every shell answer, as linker or vendor warnings are on some phones. */
  extraShellLines?: string[];
}

export type FakeAuthMode =
  /** Answer CNXN at once, as a phone with `ro.adb.secure=0`. */
  | 'none'
  /** Ask for AUTH and accept any signature or public key (as a phone where "Always allow" was ticked). */
  | 'accept-any'
  /** Ask for AUTH and never accept: the host shows the phone as "unauthorized" until `authorize()`. */
  | 'never';

export interface FakePhoneOptions {
  profile?: PhoneProfile | ProfileId;
  sizes?: Partial<ProfileSizes>;
  auth?: FakeAuthMode;
  /** Our max payload; old devices use 4096, modern ones 256 KiB or 1 MiB. */
  maxPayload?: number;
  faults?: FakeFaults;
  host?: string;
}

const SYNC_DATA_MAX = 64 * 1024;

interface Stream {
  localId: number;
  remoteId: number;
  service: string;
  closed: boolean;
  ackWaiter: (() => void) | null;
  onData: ((data: Buffer) => Promise<void> | void) | null;
}

export class FakePhone {
  readonly profile: PhoneProfile;
  readonly fs: FakeFileSystem;
  readonly shell: FakeShell;
  auth: FakeAuthMode;
  faults: FakeFaults;
  /** Every shell command the phone was asked to run, for tests that check what was sent. */
  readonly commands: string[] = [];
  private server: net.Server | null = null;
  private readonly connections = new Set<Connection>();
  private unplugged = false;
  /** Set by the stall fault: the phone keeps the connection but sends nothing more. */
  muted = false;
  fileBytesSent = 0;
  readonly maxPayload: number;
  readonly host: string;

  constructor(options: FakePhoneOptions = {}) {
    const p = options.profile ?? 'clean-ready';
    this.profile = typeof p === 'string' ? makeProfile(p, options.sizes) : p;
    this.fs = FakeFileSystem.forProfile(this.profile);
    this.shell = new FakeShell(this.profile, this.fs);
    this.auth = options.auth ?? 'none';
    this.faults = options.faults ?? {};
    // 1 MiB as Android 9+ uses; the adb server acks each WRTE, so bigger payloads mean fewer round trips.
    this.maxPayload = options.maxPayload ?? 1024 * 1024;
    this.host = options.host ?? '127.0.0.1';
  }

  async start(port = 0): Promise<number> {
    const server = net.createServer((socket) => {
      if (this.unplugged) {
        socket.destroy();
        return;
      }
      const conn = new Connection(this, socket);
      this.connections.add(conn);
      socket.on('close', () => this.connections.delete(conn));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.host, () => resolve());
    });
    return this.port;
  }

  get port(): number {
    const address = this.server?.address();
    if (!address || typeof address === 'string') throw new Error('The fake phone is not listening.');
    return address.port;
  }

  get serialForAdb(): string {
    return `${this.host}:${this.port}`;
  }

  /** Replaces the faults and restarts the byte counters they use. */
  setFaults(faults: FakeFaults): void {
    this.faults = faults;
    this.fileBytesSent = 0;
    this.muted = false;
  }

  /** Drops every connection and refuses new ones until `plug()`, as a pulled cable. */
  unplug(): void {
    this.unplugged = true;
    for (const c of this.connections) c.socket.destroy();
  }

  plug(): void {
    this.unplugged = false;
  }

  /** The person taps "Allow" on the phone: connections waiting in AUTH get their CNXN. */
  authorize(): void {
    this.auth = 'accept-any';
    for (const c of this.connections) c.acceptAuth();
  }

  async stop(): Promise<void> {
    for (const c of this.connections) c.socket.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  banner(): string {
    const p = this.profile.props;
    return `device::ro.product.name=${p['ro.product.name'] ?? ''};ro.product.model=${p['ro.product.model'] ?? ''};ro.product.device=${p['ro.product.device'] ?? ''};features=fixed_push_mkdir`;
  }
}

class Connection {
  private readonly reader: MessageReader;
  private readonly streams = new Map<number, Stream>();
  private nextId = 1;
  private connected = false;
  private awaitingAuth = false;
  private version = A_VERSION_SKIP_CHECKSUM;
  private peerMaxPayload = 4096;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly phone: FakePhone,
    readonly socket: net.Socket,
  ) {
    this.reader = new MessageReader(phone.maxPayload);
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      let messages: AdbMessage[];
      try {
        messages = this.reader.push(chunk);
      } catch {
        // A real adbd drops a transport that sends garbage.
        socket.destroy();
        return;
      }
      for (const m of messages) {
        // Messages are handled in order; a slow handler (flow control) holds the ones behind it, as adbd does.
        this.queue = this.queue.then(() => this.handle(m)).catch(() => {
            socket.destroy();
          });
      }
    });
    socket.on('close', () => {
      for (const s of this.streams.values()) {
        s.closed = true;
        s.ackWaiter?.();
      }
    });
  }

  private send(command: number, arg0: number, arg1: number, payload?: Uint8Array): void {
    if (this.socket.destroyed || this.phone.muted) return;
    this.socket.write(encodeMessage(command, arg0, arg1, payload));
  }

  get maxData(): number {
    return Math.min(this.phone.maxPayload, this.peerMaxPayload);
  }

  acceptAuth(): void {
    if (!this.awaitingAuth) return;
    this.awaitingAuth = false;
    this.sendCnxn();
  }

  private sendCnxn(): void {
    this.connected = true;
    this.send(A_CNXN, this.version, this.phone.maxPayload, Buffer.from(this.phone.banner()));
  }

  private async handle(m: AdbMessage): Promise<void> {
    switch (m.command) {
      case A_CNXN: {
        // A new CNXN resets the transport, as on a real device.
        for (const s of this.streams.values()) s.closed = true;
        this.streams.clear();
        this.version = Math.min(m.arg0, A_VERSION_SKIP_CHECKSUM);
        this.reader.checkChecksums = this.version < A_VERSION_SKIP_CHECKSUM;
        this.peerMaxPayload = m.arg1;
        if (this.phone.auth === 'none') this.sendCnxn();
        else {
          this.awaitingAuth = true;
          this.send(A_AUTH, AUTH_TOKEN, 0, crypto.randomBytes(20));
        }
        return;
      }
      case A_AUTH: {
        if (!this.awaitingAuth) return;
        if (this.phone.auth === 'accept-any') {
          this.acceptAuth();
        } else if (m.arg0 === AUTH_SIGNATURE) {
          // Signature not accepted: ask again; the host then offers its public key.
          this.send(A_AUTH, AUTH_TOKEN, 0, crypto.randomBytes(20));
        } else if (m.arg0 === AUTH_RSAPUBLICKEY) {
          // The "Allow USB debugging?" dialog is now up on the phone; nobody taps it.
        }
        return;
      }
      default:
        break;
    }
    if (!this.connected) return;
    switch (m.command) {
      case A_OPEN:
        this.open(m.arg0, m.payload);
        return;
      case A_OKAY: {
        const s = this.streams.get(m.arg1);
        if (!s) return;
        if (s.remoteId === 0) s.remoteId = m.arg0;
        const waiter = s.ackWaiter;
        s.ackWaiter = null;
        waiter?.();
        return;
      }
      case A_WRTE: {
        const s = this.streams.get(m.arg1);
        if (!s || s.closed) return;
        await s.onData?.(m.payload);
        if (!s.closed) this.send(A_OKAY, s.localId, s.remoteId);
        return;
      }
      case A_CLSE: {
        const s = this.streams.get(m.arg1);
        if (!s) return;
        this.streams.delete(s.localId);
        if (!s.closed) {
          s.closed = true;
          s.ackWaiter?.();
          this.send(A_CLSE, s.localId, s.remoteId);
        }
        return;
      }
      default:
        return;
    }
  }

  private open(remoteId: number, payload: Buffer): void {
    const service = payload.toString('utf8').replace(/\0+$/, '');
    const localId = this.nextId++;
    const stream: Stream = { localId, remoteId, service, closed: false, ackWaiter: null, onData: null };
    let handler: (() => Promise<void>) | null = null;
    const shellMatch = /^(shell|exec):(.*)$/s.exec(service);
    if (shellMatch) handler = () => this.runShell(stream, shellMatch[2] ?? '');
    else if (service === 'sync:') handler = () => this.runSync(stream);
    if (!handler) {
      this.send(A_CLSE, 0, remoteId);
      return;
    }
    this.streams.set(localId, stream);
    this.send(A_OKAY, localId, remoteId);
    // Runs beside the message loop: the handler waits for OKAYs that loop delivers.
    void handler().catch(() => this.close(stream));
  }

  /** Sends data in max-payload pieces, one outstanding WRTE at a time (ADB flow control). */
  private async write(stream: Stream, data: Buffer): Promise<void> {
    for (let offset = 0; offset < data.length; offset += this.maxData) {
      if (stream.closed || this.socket.destroyed) throw new Error('stream closed');
      const piece = data.subarray(offset, offset + this.maxData);
      const acked = new Promise<void>((resolve) => (stream.ackWaiter = resolve));
      this.send(A_WRTE, stream.localId, stream.remoteId, piece);
      await acked;
    }
  }

  private close(stream: Stream): void {
    if (stream.closed) return;
    stream.closed = true;
    this.streams.delete(stream.localId);
    this.send(A_CLSE, stream.localId, stream.remoteId);
  }

  private async runShell(stream: Stream, command: string): Promise<void> {
    this.phone.commands.push(command);
    const f = this.phone.faults;
    if (f.stallShell?.test(command)) return;
    if (f.shellDelayMs) await delay(f.shellDelayMs);
    const extra = f.extraShellLines?.length ? `${f.extraShellLines.join('\n')}\n` : '';
    const out = Buffer.from(extra + this.phone.shell.run(command), 'utf8');
    if (out.length > 0) await this.write(stream, out);
    this.close(stream);
  }

  private async runSync(stream: Stream): Promise<void> {
    const session = new SyncSession(this.phone, (data) => this.syncWrite(stream, data));
    stream.onData = (data) => session.push(data);
    await session.done;
    this.close(stream);
  }

  private async syncWrite(stream: Stream, data: Buffer): Promise<void> {
    await this.write(stream, data);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function syncPacket(id: string, ...words: number[]): Buffer {
  const b = Buffer.alloc(4 + words.length * 4);
  b.write(id, 0, 'latin1');
  words.forEach((w, i) => b.writeUInt32LE(w >>> 0, 4 + i * 4));
  return b;
}

function syncFail(message: string): Buffer {
  const msg = Buffer.from(message);
  return Buffer.concat([syncPacket('FAIL', msg.length), msg]);
}

/**
 * One `sync:` stream (AOSP file_sync_service): requests are `ID(4) + u32 length + path`, and frames may
 * be split or merged across WRTE payloads, so the incoming bytes are reassembled here.
 */
class SyncSession {
  private buffer = Buffer.alloc(0);
  private finish!: () => void;
  readonly done = new Promise<void>((resolve) => (this.finish = resolve));
  private pendingSend: { path: Buffer; mode: number; chunks: Buffer[] } | null = null;
  private ended = false;

  constructor(
    private readonly phone: FakePhone,
    private readonly write: (data: Buffer) => Promise<void>,
  ) {}

  private pumping: Promise<void> | null = null;
  private arrivedWhilePumping = false;

  /**
   * Takes bytes from a WRTE and returns at once: answering needs OKAYs from the host, which arrive through
   * the same message loop that delivered these bytes.
   */
  push(data: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, data]);
    if (this.pumping) {
      this.arrivedWhilePumping = true;
      return;
    }
    this.arrivedWhilePumping = false;
    this.pumping = this.pump()
      .catch(() => {
        this.ended = true;
        this.finish();
      })
      .finally(() => {
        this.pumping = null;
        // Bytes that arrived while the last request was being answered.
        if (this.arrivedWhilePumping && !this.ended) this.push(Buffer.alloc(0));
      });
  }

  private async pump(): Promise<void> {
    while (!this.ended && this.buffer.length >= 8) {
      const id = this.buffer.toString('latin1', 0, 4);
      const len = this.buffer.readUInt32LE(4);
      const takesBody = id !== 'QUIT' && id !== 'DONE';
      if (takesBody && this.buffer.length < 8 + len) return;
      const body = takesBody ? Buffer.from(this.buffer.subarray(8, 8 + len)) : Buffer.alloc(0);
      this.buffer = this.buffer.subarray(8 + (takesBody ? len : 0));
      await this.request(id, len, body);
    }
  }

  private async request(id: string, arg: number, body: Buffer): Promise<void> {
    const fs = this.phone.fs;
    switch (id) {
      case 'STAT': {
        const node = fs.lookup(body);
        await this.write(node ? syncPacket('STAT', node.mode, node.kind === 'file' ? node.size : 4096, node.mtime) : syncPacket('STAT', 0, 0, 0));
        return;
      }
      case 'LIST': {
        const node = fs.lookup(body);
        const parts: Buffer[] = [];
        if (node?.kind === 'dir') {
          const entries: [Buffer, { mode: number; size: number; mtime: number }][] = [
            [Buffer.from('.'), { mode: node.mode, size: 4096, mtime: node.mtime }],
            [Buffer.from('..'), { mode: node.mode, size: 4096, mtime: node.mtime }],
          ];
          for (const [k, child] of node.children) entries.push([entryName(k), { mode: child.mode, size: child.kind === 'file' ? child.size : 4096, mtime: child.mtime }]);
          for (const [name, st] of entries) parts.push(syncPacket('DENT', st.mode, st.size, st.mtime, name.length), name);
        }
        parts.push(syncPacket('DONE', 0, 0, 0, 0));
        await this.write(Buffer.concat(parts));
        return;
      }
      case 'RECV': {
        const node = fs.lookup(body);
        if (!node || node.kind !== 'file') {
          await this.write(syncFail(node ? 'Is a directory' : 'No such file or directory'));
          return;
        }
        await this.sendFile(node);
        return;
      }
      case 'SEND': {
        const spec = body;
        const comma = spec.lastIndexOf(0x2c);
        const path = comma >= 0 ? spec.subarray(0, comma) : spec;
        const mode = comma >= 0 ? Number(spec.subarray(comma + 1).toString('latin1')) : S_IFREG | 0o644;
        this.pendingSend = { path: Buffer.from(path), mode, chunks: [] };
        return;
      }
      case 'DATA': {
        if (!this.pendingSend) {
          await this.write(syncFail('DATA without SEND'));
          return;
        }
        this.pendingSend.chunks.push(body);
        return;
      }
      case 'DONE': {
        const send = this.pendingSend;
        this.pendingSend = null;
        if (!send) {
          await this.write(syncFail('DONE without SEND'));
          return;
        }
        try {
          fs.addFile(send.path, { ...bufferFile(Buffer.concat(send.chunks), arg), mode: send.mode || S_IFREG | 0o644 });
          await this.write(syncPacket('OKAY', 0));
        } catch (e) {
          await this.write(syncFail(`mkdir failed: ${(e as Error).message}`));
        }
        return;
      }
      case 'QUIT':
        this.ended = true;
        this.finish();
        return;
      default:
        this.ended = true;
        await this.write(syncFail(`unknown command ${id}`));
        this.finish();
    }
  }

  private async sendFile(file: FsFile): Promise<void> {
    const f = this.phone.faults;
    // adbd's service writes into a socket that its transport drains up to max-payload per WRTE, so
    // several 64 KiB DATA frames share one WRTE; batching here gives the same shape.
    let batch: Buffer[] = [];
    let batched = 0;
    const flush = async (): Promise<void> => {
      if (batched === 0) return;
      const data = Buffer.concat(batch);
      batch = [];
      batched = 0;
      await this.write(data);
    };
    for (let offset = 0; offset < file.size; offset += SYNC_DATA_MAX) {
      let data = file.read(offset, SYNC_DATA_MAX);
      const limit = f.unplugAfterBytes ?? f.stallAfterBytes;
      if (limit !== undefined && this.phone.fileBytesSent + data.length > limit) {
        // Cut the packet where the cable comes out, so the host sees a partial frame.
        data = data.subarray(0, Math.max(0, limit - this.phone.fileBytesSent));
        const header = syncPacket('DATA', SYNC_DATA_MAX);
        this.phone.fileBytesSent = limit;
        await flush();
        await this.write(Buffer.concat([header, data]));
        if (f.unplugAfterBytes !== undefined) this.phone.unplug();
        else this.phone.muted = true;
        await new Promise<void>(() => undefined);
      }
      this.phone.fileBytesSent += data.length;
      batch.push(syncPacket('DATA', data.length), data);
      batched += data.length + 8;
      if (batched >= this.phone.maxPayload || f.dataDelayMs) await flush();
      if (f.dataDelayMs) await delay(f.dataDelayMs);
    }
    batch.push(syncPacket('DONE', 0));
    batched += 8;
    await flush();
  }
}
