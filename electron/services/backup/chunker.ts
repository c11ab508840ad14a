import crypto from 'node:crypto';

/** Chunk size bounds in bytes. `avg` is rounded to a power of two for the cut masks. */
export interface ChunkerParams {
  min: number;
  avg: number;
  max: number;
}

export const DEFAULT_CHUNKER_PARAMS: ChunkerParams = { min: 512 * 1024, avg: 1024 * 1024, max: 8 * 1024 * 1024 };

export function validateChunkerParams(p: ChunkerParams): void {
  const ok =
    Number.isInteger(p.min) &&
    Number.isInteger(p.avg) &&
    Number.isInteger(p.max) &&
    p.min >= 64 &&
    p.min < p.avg &&
    p.avg < p.max &&
    p.max <= 64 * 1024 * 1024;
  if (!ok) throw new RangeError(`Chunker sizes must satisfy 64 <= min < avg < max <= 64 MiB (got ${p.min}/${p.avg}/${p.max}).`);
}

/** 256 pseudo-random 32-bit values from a key: AES-CTR keystream over zeros, so the table is secret and reproducible. */
export function gearTable(key: Buffer): Uint32Array {
  const cipher = crypto.createCipheriv('aes-256-ctr', key.subarray(0, 32), Buffer.alloc(16));
  const bytes = cipher.update(Buffer.alloc(256 * 4));
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) table[i] = bytes.readUInt32LE(i * 4);
  return table;
}

/** Top `bits` bits of a 32-bit word: the gear hash shifts left, so high bits remember the most bytes. */
function topMask(bits: number): number {
  const b = Math.max(1, Math.min(31, bits));
  return (0xffffffff << (32 - b)) >>> 0;
}

/**
 * FastCDC (Xia et al. 2016) with normalized chunking, level 2: before the average size a cut needs two more
 * zero bits, after it two fewer, which narrows the size spread around `avg`. Cut points depend only on the
 * bytes just before them, so an insertion moves the boundaries near it and nowhere else.
 */
export class Chunker {
  // Masks and the gear table are kept as int32 so the hot loop stays in small-integer arithmetic (no
  // uint32 -> double conversions); `(x & mask) === 0` is the same test on the same 32 bits either way.
  private readonly maskS: number;
  private readonly maskL: number;
  private readonly gear: Int32Array;
  private readonly params: ChunkerParams;

  constructor(key: Buffer, params: ChunkerParams = DEFAULT_CHUNKER_PARAMS) {
    validateChunkerParams(params);
    this.params = params;
    this.gear = new Int32Array(gearTable(key).buffer);
    const bits = Math.round(Math.log2(params.avg));
    this.maskS = topMask(bits + 2) | 0;
    this.maskL = topMask(bits - 2) | 0;
  }

  /** Splits a stream of buffers into chunks, holding at most one chunk (<= max) plus one input buffer in memory. */
  async *chunks(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<Buffer> {
    const { min, avg, max } = this.params;
    const gear = this.gear;
    const maskS = this.maskS;
    const maskL = this.maskL;
    let pending: Buffer[] = [];
    let pendingLen = 0;
    let pos = 0; // bytes of the current chunk seen so far
    let h = 0;
    for await (const input of source) {
      let buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.length);
      let i = 0;
      while (i < buf.length) {
        // Skip the first `min` bytes of a chunk without hashing: no cut may fall there anyway.
        if (pos < min) {
          const skip = Math.min(min - pos, buf.length - i);
          pos += skip;
          i += skip;
          if (pos < min) break;
        }
        let cut = -1;
        const end = buf.length;
        // Two loops instead of a mask choice per byte: before `avg` (chunk length after the byte < avg) the
        // strict mask, from `avg` on the loose one plus the `max` limit.
        if (pos < avg - 1) {
          const stop = Math.min(end, i + (avg - 1 - pos));
          const start = i;
          while (i < stop) {
            h = ((h << 1) + (gear[buf[i]!] as number)) | 0;
            i++;
            if ((h & maskS) === 0) {
              cut = i;
              break;
            }
          }
          pos += i - start;
        }
        if (cut < 0 && pos >= avg - 1) {
          const stop = Math.min(end, i + (max - pos));
          const start = i;
          while (i < stop) {
            h = ((h << 1) + (gear[buf[i]!] as number)) | 0;
            i++;
            if ((h & maskL) === 0) {
              cut = i;
              break;
            }
          }
          pos += i - start;
          if (cut < 0 && pos >= max) cut = i;
        }
        if (cut < 0) break;
        const tail = buf.subarray(0, cut);
        const chunk = pendingLen === 0 ? Buffer.from(tail) : Buffer.concat([...pending, tail], pendingLen + tail.length);
        yield chunk;
        pending = [];
        pendingLen = 0;
        buf = buf.subarray(cut);
        i = 0;
        pos = 0;
        h = 0;
      }
      if (buf.length > 0) {
        // Copy: callers may reuse their buffers once we ask for the next one.
        pending.push(Buffer.from(buf));
        pendingLen += buf.length;
      }
    }
    if (pendingLen > 0) yield Buffer.concat(pending, pendingLen);
  }
}
