import fsp from 'node:fs/promises';

/** Chunk size for streaming importers: big enough for throughput, small enough to keep the heap flat. */
export const READ_CHUNK_BYTES = 256 * 1024;
/** How often importers report progress while reading one file. */
export const PROGRESS_EVERY_BYTES = 4 * 1024 * 1024;

export interface FileChangeReport {
  changed: boolean;
  /** Human-readable description when `changed`. */
  reason?: string;
}

/**
 * Reads a file chunk by chunk through one file handle, with no read-ahead, so a caller that pauses
 * (an async iterator consumer) really pauses the I/O. Remembers the size and mtime at open so it
 * can tell afterwards whether the file changed while it was being read (a phone still writing an
 * export, a sync tool replacing it).
 */
export class ChunkedFileReader {
  bytesRead = 0;
  private constructor(
    private readonly handle: fsp.FileHandle,
    readonly size: number,
    readonly mtimeMs: number,
    private readonly chunkBytes: number,
  ) {}

  static async open(file: string, chunkBytes = READ_CHUNK_BYTES): Promise<ChunkedFileReader> {
    const handle = await fsp.open(file, 'r');
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw new Error(`${file} is not a regular file`);
      return new ChunkedFileReader(handle, stat.size, stat.mtimeMs, chunkBytes);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** The next chunk, or null at end of file. The returned buffer is owned by the caller. */
  async read(): Promise<Buffer | null> {
    const buffer = Buffer.allocUnsafe(this.chunkBytes);
    const { bytesRead } = await this.handle.read(buffer, 0, this.chunkBytes, this.bytesRead);
    if (bytesRead === 0) return null;
    this.bytesRead += bytesRead;
    return bytesRead === this.chunkBytes ? buffer : buffer.subarray(0, bytesRead);
  }

  /** Compares the file now with what it was at open, and with what was actually read. */
  async checkUnchanged(): Promise<FileChangeReport> {
    const stat = await this.handle.stat();
    if (stat.size !== this.size || this.bytesRead !== this.size) {
      return {
        changed: true,
        reason: `the file changed while it was read (size ${this.size} bytes at start, ${stat.size} bytes at end, ${this.bytesRead} bytes read)`,
      };
    }
    if (stat.mtimeMs !== this.mtimeMs) {
      return { changed: true, reason: 'the file was modified while it was read (its modification time changed)' };
    }
    return { changed: false };
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** Throws the signal's reason (an AbortError by default) when the caller cancelled. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof Error) throw reason;
    const error = new Error('The import was cancelled.');
    error.name = 'AbortError';
    throw error;
  }
}

export const CHANGED_WHILE_READ_ADVICE =
  'Records read from it were imported, but some may be missing or from different versions of the file; back it up again once nothing is writing to it.';
