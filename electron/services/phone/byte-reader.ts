import { LifelineError } from '../../../contract/errors';
import { disconnectedError, timeoutError, withTimeout } from './errors';

/** Minimal view of a web ReadableStream reader, so both the library's and Node's streams fit. */
export interface ChunkReader {
  read(): Promise<{ done: true; value?: unknown } | { done: false; value: Uint8Array }>;
  cancel(reason?: unknown): Promise<void>;
}

/**
 * Exact-length reads from a byte stream, each bounded by an idle timeout: a phone that stops sending
 * makes the read fail with a clear error rather than wait forever.
 */
export class ByteReader {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private ended = false;

  constructor(
    private readonly reader: ChunkReader,
    /** Changed between operations by owners that take a per-call limit. */
    public idleTimeoutMs: number,
    private readonly signal?: AbortSignal,
  ) {}

  /** Reads one more chunk; false at end of stream. */
  private async fill(what: string): Promise<boolean> {
    if (this.ended) return false;
    const result = await withTimeout(this.reader.read(), this.idleTimeoutMs, () => timeoutError(what, this.idleTimeoutMs), this.signal).catch((e: unknown) => {
      if (e instanceof LifelineError) throw e;
      // The adb server closing our socket with an error means the phone went away.
      throw disconnectedError(what);
    });
    if (result.done) {
      this.ended = true;
      return false;
    }
    const value = result.value;
    if (value.length > 0) {
      this.chunks.push(value);
      this.buffered += value.length;
    }
    return true;
  }

  async readExactly(n: number, what: string): Promise<Buffer> {
    while (this.buffered < n) {
      if (!(await this.fill(what))) throw disconnectedError(what, { expectedBytes: n, receivedBytes: this.buffered });
    }
    const all = this.chunks.length === 1 ? Buffer.from(this.chunks[0] as Uint8Array) : Buffer.concat(this.chunks);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return out;
  }

  /** Reads whatever is available next (buffered first); null at end of stream. */
  async readSome(what: string): Promise<Buffer | null> {
    if (this.buffered === 0 && !(await this.fill(what))) return null;
    const all = Buffer.concat(this.chunks);
    this.chunks = [];
    this.buffered = 0;
    return all;
  }

  async cancel(): Promise<void> {
    this.ended = true;
    await this.reader.cancel().catch(() => undefined);
  }
}
