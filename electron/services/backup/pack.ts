import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import zlib from 'node:zlib';
import { AuthError, open, seal } from './crypto';

/** What a piece holds; stored in the table of contents. */
export const PieceType = { chunk: 1, record: 2, tree: 3 } as const;
export type PieceType = (typeof PieceType)[keyof typeof PieceType];

export const Compression = { none: 0, deflate: 1 } as const;
export type Compression = (typeof Compression)[keyof typeof Compression];

export const PACK_MAGIC = Buffer.from('LLPACK\x01\x00', 'latin1');
export const TRAILER_MAGIC = Buffer.from('LLPKTOC1', 'latin1');
export const TRAILER_BYTES = 4 + TRAILER_MAGIC.length;
export const TOC_ENTRY_BYTES = 32 + 1 + 1 + 8 + 4 + 4;
export const TOC_AAD = Buffer.from('lifeline-backup toc v1');

export interface TocEntry {
  id: Buffer;
  type: PieceType;
  compression: Compression;
  /** Byte offset of the sealed piece in the pack file. */
  offset: number;
  /** Length of the sealed piece (nonce + ciphertext + tag). */
  length: number;
  /** Length of the piece's plaintext before compression. */
  rawLength: number;
}

export type CompressHint = 'auto' | 'never';

/**
 * Deflate where it pays. Big inputs are probed on their first 64 KiB at the fastest level first, so random
 * or already-compressed data costs one small probe rather than a full pass.
 */
export function maybeCompress(data: Buffer, hint: CompressHint): { bytes: Buffer; compression: Compression } {
  if (hint === 'never' || data.length < 128) return { bytes: data, compression: Compression.none };
  const probeSize = 64 * 1024;
  if (data.length > 2 * probeSize) {
    const probe = zlib.deflateRawSync(data.subarray(0, probeSize), { level: 1 });
    if (probe.length > probeSize * 0.92) return { bytes: data, compression: Compression.none };
  }
  // Small pieces (records, tree nodes) get a window just big enough for them: same output size, much less
  // per-call setup. Any raw-deflate reader inflates it with its default 32 KiB window.
  const windowBits = data.length <= 16 * 1024 ? Math.max(9, Math.ceil(Math.log2(data.length))) : 15;
  const out = zlib.deflateRawSync(data, { level: 6, windowBits });
  if (out.length >= data.length * 0.95) return { bytes: data, compression: Compression.none };
  return { bytes: out, compression: Compression.deflate };
}

export function decompress(bytes: Buffer, compression: number, rawLength: number): Buffer {
  if (compression === Compression.none) return bytes;
  if (compression === Compression.deflate) return zlib.inflateRawSync(bytes, { maxOutputLength: Math.max(rawLength, 1) });
  throw new AuthError(`Unknown compression ${compression}.`);
}

export function encodeToc(entries: readonly TocEntry[]): Buffer {
  const buf = Buffer.alloc(4 + entries.length * TOC_ENTRY_BYTES);
  buf.writeUInt32LE(entries.length, 0);
  let at = 4;
  for (const e of entries) {
    e.id.copy(buf, at);
    buf.writeUInt8(e.type, at + 32);
    buf.writeUInt8(e.compression, at + 33);
    buf.writeBigUInt64LE(BigInt(e.offset), at + 34);
    buf.writeUInt32LE(e.length, at + 42);
    buf.writeUInt32LE(e.rawLength, at + 46);
    at += TOC_ENTRY_BYTES;
  }
  return buf;
}

export function decodeToc(buf: Buffer): TocEntry[] {
  const count = buf.readUInt32LE(0);
  if (buf.length !== 4 + count * TOC_ENTRY_BYTES) throw new AuthError('The table of contents has the wrong length.');
  const entries: TocEntry[] = [];
  for (let i = 0, at = 4; i < count; i++, at += TOC_ENTRY_BYTES) {
    entries.push({
      id: Buffer.from(buf.subarray(at, at + 32)),
      type: buf.readUInt8(at + 32) as PieceType,
      compression: buf.readUInt8(at + 33) as Compression,
      offset: Number(buf.readBigUInt64LE(at + 34)),
      length: buf.readUInt32LE(at + 42),
      rawLength: buf.readUInt32LE(at + 46),
    });
  }
  return entries;
}

/** Sealed pieces smaller than this are copied into a shared staging buffer, so a pack of many small records is
 * a few big buffers (cheap to write) rather than tens of thousands of tiny ones. */
const STAGE_BYTES = 1024 * 1024;

/**
 * Builds one pack in memory: header, sealed pieces, sealed table of contents, trailer. The file's SHA-256 is
 * computed as the pieces arrive and the parts are written as they are, so finishing never copies the pack.
 */
export class PackBuilder {
  private readonly parts: Buffer[] = [];
  private readonly hash = crypto.createHash('sha256');
  private stage: Buffer | undefined;
  private stageLen = 0;
  private size = 0;
  readonly entries: TocEntry[] = [];
  readonly ids = new Set<string>();

  constructor(private readonly encKey: Buffer) {
    this.append(PACK_MAGIC);
  }

  get byteSize(): number {
    return this.size;
  }

  get count(): number {
    return this.entries.length;
  }

  private flushStage(): void {
    if (!this.stage || this.stageLen === 0) return;
    const part = this.stage.subarray(0, this.stageLen);
    this.parts.push(part);
    this.hash.update(part);
    this.stage = undefined;
    this.stageLen = 0;
  }

  private append(bytes: Buffer): void {
    if (bytes.length >= STAGE_BYTES / 16) {
      this.flushStage();
      this.parts.push(bytes);
      this.hash.update(bytes);
    } else {
      if (this.stage && this.stageLen + bytes.length > this.stage.length) this.flushStage();
      this.stage ??= Buffer.allocUnsafe(STAGE_BYTES);
      bytes.copy(this.stage, this.stageLen);
      this.stageLen += bytes.length;
    }
    this.size += bytes.length;
  }

  /** Adds an already sealed piece (prune copies pieces between packs without decrypting twice). */
  addSealed(id: Buffer, type: PieceType, compression: Compression, rawLength: number, sealed: Buffer): TocEntry {
    const entry: TocEntry = { id, type, compression, offset: this.size, length: sealed.length, rawLength };
    this.append(sealed);
    this.entries.push(entry);
    this.ids.add(id.toString('hex'));
    return entry;
  }

  add(id: Buffer, type: PieceType, plaintext: Buffer, hint: CompressHint): TocEntry {
    const { bytes, compression } = maybeCompress(plaintext, hint);
    return this.addSealed(id, type, compression, plaintext.length, seal(this.encKey, bytes, id));
  }

  /**
   * The finished pack file as parts to write in order, its size and id (SHA-256 of the file, hex). The builder
   * must not be used afterwards.
   */
  finish(): { id: string; parts: Buffer[]; size: number } {
    const toc = seal(this.encKey, encodeToc(this.entries), TOC_AAD);
    const trailer = Buffer.alloc(TRAILER_BYTES);
    trailer.writeUInt32LE(toc.length, 0);
    TRAILER_MAGIC.copy(trailer, 4);
    this.flushStage();
    for (const b of [toc, trailer]) {
      this.parts.push(b);
      this.hash.update(b);
      this.size += b.length;
    }
    return { id: this.hash.digest('hex'), parts: this.parts, size: this.size };
  }
}

/** Reads and decrypts the table of contents at the end of a pack file. Throws AuthError on damage. */
export async function readPackToc(file: string, encKey: Buffer): Promise<{ entries: TocEntry[]; size: number }> {
  const handle = await fsp.open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size < PACK_MAGIC.length + TRAILER_BYTES) throw new AuthError('The pack file is too short.');
    const trailer = Buffer.alloc(TRAILER_BYTES);
    await handle.read(trailer, 0, TRAILER_BYTES, size - TRAILER_BYTES);
    if (!trailer.subarray(4).equals(TRAILER_MAGIC)) throw new AuthError('The pack file has no valid trailer (truncated or damaged).');
    const tocLen = trailer.readUInt32LE(0);
    if (tocLen > size - TRAILER_BYTES - PACK_MAGIC.length) throw new AuthError('The pack trailer points outside the file.');
    const sealed = Buffer.alloc(tocLen);
    await handle.read(sealed, 0, tocLen, size - TRAILER_BYTES - tocLen);
    return { entries: decodeToc(open(encKey, sealed, TOC_AAD)), size };
  } finally {
    await handle.close();
  }
}

export function parsePackToc(bytes: Buffer, encKey: Buffer): TocEntry[] {
  if (bytes.length < PACK_MAGIC.length + TRAILER_BYTES) throw new AuthError('The pack file is too short.');
  const trailer = bytes.subarray(bytes.length - TRAILER_BYTES);
  if (!trailer.subarray(4).equals(TRAILER_MAGIC)) throw new AuthError('The pack file has no valid trailer (truncated or damaged).');
  const tocLen = trailer.readUInt32LE(0);
  if (tocLen > bytes.length - TRAILER_BYTES - PACK_MAGIC.length) throw new AuthError('The pack trailer points outside the file.');
  const start = bytes.length - TRAILER_BYTES - tocLen;
  return decodeToc(open(encKey, bytes.subarray(start, start + tocLen), TOC_AAD));
}

/** Decrypts and decompresses one sealed piece. Throws AuthError when it does not authenticate. */
export function unsealPiece(encKey: Buffer, id: Buffer, sealed: Buffer, compression: number, rawLength: number): Buffer {
  const plain = decompress(open(encKey, sealed, id), compression, rawLength);
  if (plain.length !== rawLength) throw new AuthError('The piece has the wrong length after decompression.');
  return plain;
}
