import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { LifelineError } from '../../../../contract';

const FLUSH_BYTES = 1 << 20;

/**
 * Files whose fsync is left for later: a restore of many small files syncs them together at the end instead
 * of waiting for the disk once per file. Until `sync` has run, a power loss (not a crash of the process) may
 * leave some of them short; the restore is only finished once `sync` returns.
 */
export class SyncBatch {
  private readonly files: string[] = [];

  add(file: string): void {
    this.files.push(file);
  }

  async sync(): Promise<void> {
    const files = this.files.splice(0);
    const dirs = new Set(files.map((f) => path.dirname(f)));
    const syncOne = async (file: string, flags: string): Promise<void> => {
      const h = await fsp.open(file, flags);
      try {
        await h.sync();
      } catch (error) {
        // Some file systems refuse fsync on a folder; the renames are then as durable as they allow.
        if (flags === 'r+') throw error;
      } finally {
        await h.close();
      }
    };
    const run = async (list: string[], flags: string): Promise<void> => {
      // A few at a time: the disk flushes them together, without opening hundreds of handles at once.
      for (let i = 0; i < list.length; i += 16) await Promise.all(list.slice(i, i + 16).map((f) => syncOne(f, flags)));
    };
    await run(files, 'r+');
    await run([...dirs], 'r');
  }
}

export interface AtomicFileOptions {
  /** Leave the fsync to this batch (see SyncBatch). Default: sync before the rename. */
  syncBatch?: SyncBatch;
  /** Replace an existing file (atomically, on close). Default: refuse. */
  overwrite?: boolean;
  /** Modification time to give the file (ms since epoch). */
  mtime?: number;
}

/**
 * Writes a file through a temp file in the same folder, renamed into place on close: a restore
 * that fails or is cancelled never leaves a half-written file under the real name. Text is
 * buffered and written in 1 MB pieces.
 */
export class AtomicFileWriter {
  private buffer: string[] = [];
  private bufferChars = 0;
  bytesWritten = 0;
  private done = false;

  private constructor(
    readonly target: string,
    private readonly temp: string,
    private readonly handle: fsp.FileHandle,
    private readonly mtime: number | undefined,
    private readonly syncBatch?: SyncBatch,
  ) {}

  static async create(target: string, options: AtomicFileOptions = {}): Promise<AtomicFileWriter> {
    const existing = await fsp.lstat(target).catch(() => undefined);
    if (existing?.isSymbolicLink()) {
      throw new LifelineError('conflict', `${target} is a symbolic link; Lifeline does not restore through links. Remove it or choose another folder.`);
    }
    if (existing && !options.overwrite) {
      throw new LifelineError('conflict', `${target} already exists. Choose an empty folder, or allow overwriting.`);
    }
    await fsp.mkdir(path.dirname(target), { recursive: true });
    const temp = path.join(path.dirname(target), `.${path.basename(target).slice(0, 100)}.tmp-${crypto.randomBytes(6).toString('hex')}`);
    const handle = await fsp.open(temp, 'wx', 0o644);
    return new AtomicFileWriter(target, temp, handle, options.mtime, options.syncBatch);
  }

  /** Queues text; flushes when enough has collected. */
  async writeText(text: string): Promise<void> {
    this.buffer.push(text);
    this.bufferChars += text.length;
    if (this.bufferChars >= FLUSH_BYTES) await this.flush();
  }

  async writeBytes(bytes: Uint8Array): Promise<void> {
    await this.flush();
    await this.handle.write(bytes, 0, bytes.length, this.bytesWritten);
    this.bytesWritten += bytes.length;
  }

  /** Overwrites bytes already written (e.g. a count only known at the end). */
  async patch(bytes: Uint8Array, offset: number): Promise<void> {
    await this.flush();
    await this.handle.write(bytes, 0, bytes.length, offset);
  }

  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const data = Buffer.from(this.buffer.join(''), 'utf8');
    this.buffer = [];
    this.bufferChars = 0;
    await this.handle.write(data, 0, data.length, this.bytesWritten);
    this.bytesWritten += data.length;
  }

  async close(): Promise<{ path: string; bytes: number }> {
    if (this.done) throw new Error('already closed');
    try {
      await this.flush();
      if (!this.syncBatch) await this.handle.sync();
      await this.handle.close();
      this.done = true;
      if (this.mtime !== undefined) {
        const t = new Date(this.mtime);
        await fsp.utimes(this.temp, t, t);
      }
      await fsp.rename(this.temp, this.target);
      this.syncBatch?.add(this.target);
    } catch (error) {
      await this.abort();
      throw error;
    }
    return { path: this.target, bytes: this.bytesWritten };
  }

  async abort(): Promise<void> {
    if (!this.done) await this.handle.close().catch(() => undefined);
    this.done = true;
    await fsp.rm(this.temp, { force: true });
  }
}
