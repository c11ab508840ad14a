import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import zlib from 'node:zlib';
import { AuthError, open, seal } from './crypto';
import { IdSet } from './id-set';

/** What a piece holds; stored in the table of contents. */
export const PieceType = { chunk: 1, record: 2, tree: 3, bundle: 4 } as const;
export type PieceType = (typeof PieceType)[keyof typeof PieceType];

/** `bundled`: the piece is a slice of a bundle piece (format 2), which is what is sealed and compressed. */
export const Compression = { none: 0, deflate: 1, bundled: 2 } as const;
export type Compression = (typeof Compression)[keyof typeof Compression];

export const PACK_MAGIC = Buffer.from('LLPACK\x01\x00', 'latin1');
/** Format 1 packs end in TRAILER_MAGIC_V1 and have 50-byte TOC entries; format 2 adds a u32 (offset inside a bundle). */
export const TRAILER_MAGIC_V1 = Buffer.from('LLPKTOC1', 'latin1');
export const TRAILER_MAGIC = Buffer.from('LLPKTOC2', 'latin1');
export const TRAILER_BYTES = 4 + TRAILER_MAGIC.length;
export const TOC_ENTRY_BYTES_V1 = 32 + 1 + 1 + 8 + 4 + 4;
export const TOC_ENTRY_BYTES = TOC_ENTRY_BYTES_V1 + 4;
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
  /** For a bundled piece (compression 2): the bundle it is a slice of (same offset and length), and where in it. */
  bundle?: Buffer;
  inner?: number;
}

/** A piece that goes into a bundle (a record or a tree node): its id, type and plaintext. */
export interface BundleMember {
  id: Buffer;
  type: PieceType;
  data: Buffer;
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

export function encodeToc(entries: readonly TocEntry[], version: 1 | 2 = 2): Buffer {
  const size = version === 1 ? TOC_ENTRY_BYTES_V1 : TOC_ENTRY_BYTES;
  const buf = Buffer.alloc(4 + entries.length * size);
  buf.writeUInt32LE(entries.length, 0);
  let at = 4;
  for (const e of entries) {
    e.id.copy(buf, at);
    buf.writeUInt8(e.type, at + 32);
    buf.writeUInt8(e.compression, at + 33);
    buf.writeBigUInt64LE(BigInt(e.offset), at + 34);
    buf.writeUInt32LE(e.length, at + 42);
    buf.writeUInt32LE(e.rawLength, at + 46);
    if (version === 2) buf.writeUInt32LE(e.inner ?? 0, at + 50);
    else if (e.compression === Compression.bundled) throw new Error('A format 1 pack cannot hold bundles.');
    at += size;
  }
  return buf;
}

export function decodeToc(buf: Buffer, version: 1 | 2 = 2): TocEntry[] {
  const size = version === 1 ? TOC_ENTRY_BYTES_V1 : TOC_ENTRY_BYTES;
  const count = buf.readUInt32LE(0);
  if (buf.length !== 4 + count * size) throw new AuthError('The table of contents has the wrong length.');
  const entries: TocEntry[] = [];
  const bundles = new Map<number, TocEntry>();
  for (let i = 0, at = 4; i < count; i++, at += size) {
    const e: TocEntry = {
      id: Buffer.from(buf.subarray(at, at + 32)),
      type: buf.readUInt8(at + 32) as PieceType,
      compression: buf.readUInt8(at + 33) as Compression,
      offset: Number(buf.readBigUInt64LE(at + 34)),
      length: buf.readUInt32LE(at + 42),
      rawLength: buf.readUInt32LE(at + 46),
    };
    if (version === 2 && e.compression === Compression.bundled) e.inner = buf.readUInt32LE(at + 50);
    if (e.type === PieceType.bundle) bundles.set(e.offset, e);
    entries.push(e);
  }
  for (const e of entries) {
    if (e.compression !== Compression.bundled) continue;
    const b = bundles.get(e.offset);
    if (!b || b.length !== e.length || (e.inner ?? 0) + e.rawLength > b.rawLength) throw new AuthError('The table of contents points into a bundle that is not there.');
    e.bundle = b.id;
  }
  return entries;
}

/** Format 2 TOCs are raw-deflated before sealing (the fields of bundled pieces repeat their bundle's). */
function tocPlain(encoded: Buffer, version: 1 | 2): Buffer {
  return version === 1 ? encoded : zlib.deflateRawSync(encoded, { level: 6 });
}

/** A TOC never needs more than this when inflated (a pack of 16 MiB holds far fewer entries). */
const MAX_TOC_BYTES = 256 * 1024 * 1024;

function tocDecoded(opened: Buffer, version: 1 | 2): TocEntry[] {
  if (version === 1) return decodeToc(opened, 1);
  let plain: Buffer;
  try {
    plain = zlib.inflateRawSync(opened, { maxOutputLength: MAX_TOC_BYTES });
  } catch {
    throw new AuthError('The table of contents does not inflate.');
  }
  return decodeToc(plain, 2);
}

function trailerVersion(trailer: Buffer): 1 | 2 {
  const magic = trailer.subarray(4);
  if (magic.equals(TRAILER_MAGIC)) return 2;
  if (magic.equals(TRAILER_MAGIC_V1)) return 1;
  throw new AuthError('The pack file has no valid trailer (truncated or damaged).');
}

/** Sealed pieces smaller than this are copied into a shared staging buffer, so a pack of many small records is
 * a few big buffers (cheap to write) rather than tens of thousands of tiny ones. */
const STAGE_BYTES = 1024 * 1024;

/** Where a builder spills its pack while it grows, so a pack being built does not sit in memory whole. */
export interface PackSpill {
  /** A temp file path (in the store's packs folder, named so that a crash leftover is recognized and removed). */
  file: string;
  /** Test seam for a full disk, called before each write to the temp file. */
  beforeWrite?: (dest: string, size: number) => void;
}

/** In-memory parts beyond this go to the spill file. */
const SPILL_BYTES = 2 * 1024 * 1024;

/**
 * Builds one pack: header, sealed pieces, sealed table of contents, trailer. The file's SHA-256 is computed as
 * the pieces arrive. Without a spill file the parts stay in memory and are written as they are at the end;
 * with one, they are appended to it every couple of MiB.
 */
export class PackBuilder {
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private fd: number | undefined;
  private written = 0;
  private readonly hash = crypto.createHash('sha256');
  private stage: Buffer | undefined;
  private stageLen = 0;
  private size = 0;
  /** TOC entries as format 2 encodes them (TOC_ENTRY_BYTES each), not as objects: a pack can hold 200,000. */
  private toc = Buffer.alloc(1024 * TOC_ENTRY_BYTES);
  private tocCount = 0;
  /** Bundle ids by offset, for the entries of pieces inside them. */
  private readonly bundleIds = new Map<number, Buffer>();
  /** Ids of the pieces in this pack. */
  readonly ids = new IdSet();

  /** `tocVersion` 1 writes packs as format 1 did (tests use it to make old stores). */
  constructor(
    private readonly encKey: Buffer,
    private readonly tocVersion: 1 | 2 = 2,
    private readonly spill?: PackSpill,
  ) {
    this.append(PACK_MAGIC);
  }

  private pushPart(part: Buffer): void {
    this.parts.push(part);
    this.hash.update(part);
    this.partsBytes += part.length;
    if (this.spill && this.partsBytes >= SPILL_BYTES) this.spillParts();
  }

  private spillParts(): void {
    const spill = this.spill as PackSpill;
    spill.beforeWrite?.(spill.file, this.partsBytes);
    this.fd ??= fs.openSync(spill.file, 'wx', 0o600);
    for (const part of this.parts) {
      for (let off = 0; off < part.length; ) off += fs.writeSync(this.fd, part, off, part.length - off, this.written + off);
      this.written += part.length;
    }
    this.parts = [];
    this.partsBytes = 0;
  }

  /** Removes the spill file of a pack that will not be finished (failure, cancel). */
  discard(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
    if (this.spill) fs.rmSync(this.spill.file, { force: true });
    this.parts = [];
  }

  get byteSize(): number {
    return this.size;
  }

  get count(): number {
    return this.tocCount;
  }

  private pushEntry(e: TocEntry): void {
    if ((this.tocCount + 1) * TOC_ENTRY_BYTES > this.toc.length) {
      const bigger = Buffer.alloc(Math.ceil((this.toc.length * 1.5) / TOC_ENTRY_BYTES) * TOC_ENTRY_BYTES);
      this.toc.copy(bigger);
      this.toc = bigger;
    }
    const at = this.tocCount * TOC_ENTRY_BYTES;
    e.id.copy(this.toc, at);
    this.toc.writeUInt8(e.type, at + 32);
    this.toc.writeUInt8(e.compression, at + 33);
    this.toc.writeBigUInt64LE(BigInt(e.offset), at + 34);
    this.toc.writeUInt32LE(e.length, at + 42);
    this.toc.writeUInt32LE(e.rawLength, at + 46);
    this.toc.writeUInt32LE(e.inner ?? 0, at + 50);
    this.tocCount++;
    this.ids.add(e.id);
  }

  /** The pack's entries in order, made one at a time (indexing a pack does not hold them all as objects). */
  /** The pack's entries in the order they were added, or in piece id order (sorted without an object per entry). */
  *eachEntry(order: 'added' | 'id' = 'added'): Generator<TocEntry> {
    let sequence: Uint32Array | undefined;
    if (order === 'id') {
      const toc = this.toc;
      sequence = new Uint32Array(this.tocCount);
      for (let i = 0; i < sequence.length; i++) sequence[i] = i;
      sequence.sort((a, b) => toc.compare(toc, b * TOC_ENTRY_BYTES, b * TOC_ENTRY_BYTES + 32, a * TOC_ENTRY_BYTES, a * TOC_ENTRY_BYTES + 32));
    }
    for (let n = 0; n < this.tocCount; n++) {
      const i = sequence ? (sequence[n] as number) : n;
      const at = i * TOC_ENTRY_BYTES;
      const e: TocEntry = {
        id: this.toc.subarray(at, at + 32),
        type: this.toc.readUInt8(at + 32) as PieceType,
        compression: this.toc.readUInt8(at + 33) as Compression,
        offset: Number(this.toc.readBigUInt64LE(at + 34)),
        length: this.toc.readUInt32LE(at + 42),
        rawLength: this.toc.readUInt32LE(at + 46),
      };
      if (e.compression === Compression.bundled) {
        e.inner = this.toc.readUInt32LE(at + 50);
        const bundle = this.bundleIds.get(e.offset);
        if (bundle) e.bundle = bundle;
      }
      yield e;
    }
  }

  get entries(): TocEntry[] {
    return [...this.eachEntry()];
  }

  private flushStage(): void {
    if (!this.stage || this.stageLen === 0) return;
    const part = this.stage.subarray(0, this.stageLen);
    this.stage = undefined;
    this.pushPart(part);
    this.stageLen = 0;
  }

  private append(bytes: Buffer): void {
    if (bytes.length >= STAGE_BYTES / 16) {
      this.flushStage();
      this.pushPart(bytes);
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
    this.pushEntry(entry);
    return entry;
  }

  add(id: Buffer, type: PieceType, plaintext: Buffer, hint: CompressHint): TocEntry {
    const { bytes, compression } = maybeCompress(plaintext, hint);
    return this.addSealed(id, type, compression, plaintext.length, seal(this.encKey, bytes, id));
  }

  /**
   * Adds a bundle (format 2): small pieces (records, tree nodes) stored together, so compression and sealing cost
   * once per bundle instead of once per piece. Each member still gets its own TOC entry (a slice of the bundle),
   * so pieces stay addressable and deduplicated one by one. `bundleId` is the piece id of the concatenation.
   */
  addBundle(bundleId: Buffer, members: readonly BundleMember[]): TocEntry {
    const plain = members.length === 1 ? (members[0] as BundleMember).data : Buffer.concat(members.map((m) => m.data));
    const bundle = this.add(bundleId, PieceType.bundle, plain, 'auto');
    let inner = 0;
    for (const m of members) {
      this.addBundled(m.id, m.type, m.data.length, bundle, inner);
      inner += m.data.length;
    }
    return bundle;
  }

  /** A TOC entry for a slice of a bundle already in this builder (prune copies them this way). */
  addBundled(id: Buffer, type: PieceType, rawLength: number, bundle: TocEntry, inner: number): TocEntry {
    const entry: TocEntry = { id, type, compression: Compression.bundled, offset: bundle.offset, length: bundle.length, rawLength, bundle: bundle.id, inner };
    if (this.tocVersion === 1) throw new Error('A format 1 pack cannot hold bundles.');
    this.bundleIds.set(bundle.offset, bundle.id);
    this.pushEntry(entry);
    return entry;
  }

  /**
   * The finished pack: its id (SHA-256 of the file, hex), size, and the parts still to write in order. With a
   * spill file, everything has been written to it (not yet synced) and `spilled` names it. The builder must not
   * be used afterwards, except for `discard`.
   */
  finish(): { id: string; parts: Buffer[]; size: number; spilled?: string } {
    let encoded: Buffer;
    if (this.tocVersion === 1) encoded = encodeToc(this.entries, 1);
    else {
      encoded = Buffer.alloc(4 + this.tocCount * TOC_ENTRY_BYTES);
      encoded.writeUInt32LE(this.tocCount, 0);
      this.toc.copy(encoded, 4, 0, this.tocCount * TOC_ENTRY_BYTES);
    }
    const toc = seal(this.encKey, tocPlain(encoded, this.tocVersion), TOC_AAD);
    const trailer = Buffer.alloc(TRAILER_BYTES);
    trailer.writeUInt32LE(toc.length, 0);
    (this.tocVersion === 1 ? TRAILER_MAGIC_V1 : TRAILER_MAGIC).copy(trailer, 4);
    this.flushStage();
    for (const b of [toc, trailer]) {
      this.pushPart(b);
      this.size += b.length;
    }
    const id = this.hash.digest('hex');
    if (this.fd === undefined) return { id, parts: this.parts, size: this.size };
    if (this.parts.length > 0) this.spillParts();
    return { id, parts: [], size: this.size, spilled: (this.spill as PackSpill).file };
  }

  /** Syncs and closes the spill file (after `finish`). */
  async syncSpill(): Promise<void> {
    if (this.fd === undefined) return;
    const fd = this.fd;
    await new Promise<void>((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));
    fs.closeSync(fd);
    this.fd = undefined;
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
    const version = trailerVersion(trailer);
    const tocLen = trailer.readUInt32LE(0);
    if (tocLen > size - TRAILER_BYTES - PACK_MAGIC.length) throw new AuthError('The pack trailer points outside the file.');
    const sealed = Buffer.alloc(tocLen);
    await handle.read(sealed, 0, tocLen, size - TRAILER_BYTES - tocLen);
    return { entries: tocDecoded(open(encKey, sealed, TOC_AAD), version), size };
  } finally {
    await handle.close();
  }
}

/**
 * A format 2 pack's table of contents as encoded (u32 count, then TOC_ENTRY_BYTES per entry), checked for
 * length but not turned into objects; undefined for a format 1 pack. Throws AuthError on damage.
 */
export function readPackTocRaw(file: string, encKey: Buffer): Buffer | undefined {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size < PACK_MAGIC.length + TRAILER_BYTES) throw new AuthError('The pack file is too short.');
    const trailer = Buffer.alloc(TRAILER_BYTES);
    fs.readSync(fd, trailer, 0, TRAILER_BYTES, size - TRAILER_BYTES);
    if (trailerVersion(trailer) !== 2) return undefined;
    const tocLen = trailer.readUInt32LE(0);
    if (tocLen > size - TRAILER_BYTES - PACK_MAGIC.length) throw new AuthError('The pack trailer points outside the file.');
    const sealed = Buffer.alloc(tocLen);
    fs.readSync(fd, sealed, 0, tocLen, size - TRAILER_BYTES - tocLen);
    let plain: Buffer;
    try {
      plain = zlib.inflateRawSync(open(encKey, sealed, TOC_AAD), { maxOutputLength: MAX_TOC_BYTES });
    } catch (error) {
      throw error instanceof AuthError ? error : new AuthError('The table of contents does not inflate.');
    }
    if (plain.length < 4 || plain.length !== 4 + plain.readUInt32LE(0) * TOC_ENTRY_BYTES) throw new AuthError('The table of contents has the wrong length.');
    return plain;
  } finally {
    fs.closeSync(fd);
  }
}

export function parsePackToc(bytes: Buffer, encKey: Buffer): TocEntry[] {
  if (bytes.length < PACK_MAGIC.length + TRAILER_BYTES) throw new AuthError('The pack file is too short.');
  const trailer = bytes.subarray(bytes.length - TRAILER_BYTES);
  const version = trailerVersion(trailer);
  const tocLen = trailer.readUInt32LE(0);
  if (tocLen > bytes.length - TRAILER_BYTES - PACK_MAGIC.length) throw new AuthError('The pack trailer points outside the file.');
  const start = bytes.length - TRAILER_BYTES - tocLen;
  return tocDecoded(open(encKey, bytes.subarray(start, start + tocLen), TOC_AAD), version);
}

/** Decrypts and decompresses one sealed piece. Throws AuthError when it does not authenticate. */
export function unsealPiece(encKey: Buffer, id: Buffer, sealed: Buffer, compression: number, rawLength: number): Buffer {
  const plain = decompress(open(encKey, sealed, id), compression, rawLength);
  if (plain.length !== rawLength) throw new AuthError('The piece has the wrong length after decompression.');
  return plain;
}
