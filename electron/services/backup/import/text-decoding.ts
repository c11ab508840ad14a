/**
 * Streaming text decoding for importers. Exports from phones are usually UTF-8, but some declare one
 * encoding and contain another, so invalid bytes must be found (not silently replaced) and pinned to
 * the record they sit in.
 */

/**
 * Stands in for each byte that is not valid UTF-8. U+FDD0 is a Unicode noncharacter, reserved for
 * exactly this kind of internal use, so it does not occur in real messages; a record containing it
 * is reported instead of being imported with damaged text.
 */
export const INVALID_BYTE_MARK = '\uFDD0';

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Length of a UTF-8 sequence from its lead byte; 0 for a continuation or invalid lead. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** Where the last complete UTF-8 sequence ends, so an incomplete tail can wait for the next chunk. */
function completePrefixLength(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = bytes[n - back] ?? 0;
    if ((b & 0xc0) === 0x80) continue;
    const len = sequenceLength(b);
    return len > back ? n - back : n;
  }
  return n;
}

/** Decodes UTF-8 replacing every invalid byte by INVALID_BYTE_MARK (slow path, only for bad chunks). */
export function decodeUtf8Marking(bytes: Uint8Array): string {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  const n = bytes.length;
  const flush = (end: number): void => {
    if (end > start) out.push(fatalUtf8.decode(bytes.subarray(start, end)));
  };
  while (i < n) {
    const b = bytes[i] ?? 0;
    const len = sequenceLength(b);
    let ok = len > 0 && i + len <= n;
    if (ok && len > 1) {
      const b1 = bytes[i + 1] ?? 0;
      if ((b1 & 0xc0) !== 0x80) ok = false;
      else if (b === 0xe0 && b1 < 0xa0) ok = false; // overlong
      else if (b === 0xed && b1 > 0x9f) ok = false; // surrogate
      else if (b === 0xf0 && b1 < 0x90) ok = false; // overlong
      else if (b === 0xf4 && b1 > 0x8f) ok = false; // > U+10FFFF
      for (let k = 2; ok && k < len; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) ok = false;
    }
    if (ok) {
      i += len;
    } else {
      flush(i);
      out.push(INVALID_BYTE_MARK);
      i += 1;
      start = i;
    }
  }
  flush(n);
  return out.join('');
}

export interface ChunkDecoder {
  /** Decodes the next chunk; `final` flushes any incomplete tail. */
  decode(chunk: Uint8Array, final?: boolean): string;
  /** True once any byte could not be decoded in the declared encoding. */
  readonly sawInvalidBytes: boolean;
}

/** UTF-8 decoder for chunks that marks invalid bytes instead of replacing them with U+FFFD. */
export class Utf8ChunkDecoder implements ChunkDecoder {
  sawInvalidBytes = false;
  private pending: Uint8Array = new Uint8Array(0);
  private first = true;

  decode(chunk: Uint8Array, final = false): string {
    let bytes: Uint8Array = chunk;
    if (this.pending.length > 0) {
      bytes = new Uint8Array(this.pending.length + chunk.length);
      bytes.set(this.pending, 0);
      bytes.set(chunk, this.pending.length);
    }
    if (this.first && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      bytes = bytes.subarray(3);
    }
    if (bytes.length > 0 || final) this.first = false;
    const cut = final ? bytes.length : completePrefixLength(bytes);
    this.pending = bytes.slice(cut);
    const body = bytes.subarray(0, cut);
    try {
      return fatalUtf8.decode(body);
    } catch {
      this.sawInvalidBytes = true;
      return decodeUtf8Marking(body);
    }
  }
}

/** Any other encoding TextDecoder supports (windows-1252, ISO-8859-x, Shift_JIS, UTF-16 ...). */
export class LabelChunkDecoder implements ChunkDecoder {
  private readonly decoder: InstanceType<typeof TextDecoder>;
  sawInvalidBytes = false;
  constructor(label: string) {
    this.decoder = new TextDecoder(label);
  }
  decode(chunk: Uint8Array, final = false): string {
    // Always streaming mode, then flush: see decodeBytes for the Node 20 one-shot bug.
    let text = this.decoder.decode(chunk, { stream: true });
    if (final) text += this.decoder.decode();
    // Single-byte encodings never fail; for multi-byte ones U+FFFD means bytes that did not fit.
    if (text.includes('\uFFFD')) this.sawInvalidBytes = true;
    return text;
  }
}

/** Canonical TextDecoder name for a label, or undefined when Node cannot decode it. */
export function supportedEncoding(label: string): string | undefined {
  try {
    return new TextDecoder(label.trim()).encoding;
  } catch {
    return undefined;
  }
}

/** Encoding from a byte-order mark at the start of a file. */
export function bomEncoding(head: Uint8Array): 'utf-8' | 'utf-16le' | 'utf-16be' | undefined {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return undefined;
}

/** Decodes one line of bytes: UTF-8 when valid, otherwise byte-for-byte Latin-1 (lossless, reversible). */
export function decodeLineBytes(bytes: Uint8Array): { text: string; utf8: boolean } {
  try {
    return { text: fatalUtf8.decode(bytes), utf8: true };
  } catch {
    return { text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'), utf8: false };
  }
}

/**
 * Decodes a whole buffer in a TextDecoder encoding. Goes through streaming mode on purpose: Node 20's
 * one-shot decode of the Latin-1 family (windows-1252, ISO-8859-1) mis-decodes bytes 0x80-0x9F.
 */
export function decodeBytes(label: string, bytes: Uint8Array): string {
  const decoder = new TextDecoder(label);
  return decoder.decode(bytes, { stream: true }) + decoder.decode();
}
