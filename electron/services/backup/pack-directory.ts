import { Compression, PieceType, TOC_ENTRY_BYTES } from './pack';

/** Where one piece is, as the catalog's `pieces` rows say it (see StoreCore.locate). */
export interface PieceLocation {
  pack: string;
  type: number;
  compression: number;
  offset: number;
  length: number;
  raw_length: number;
  /** For a bundled piece: the bundle's id and where the piece starts in the bundle's plaintext. */
  bundle: Buffer | null;
  bundle_at: number;
}

const ID_BYTES = 32;
/** An entry that is in the arrays but not findable (a bundled piece whose bundle the TOC does not hold). */
const UNUSABLE = 0xff;

function grown<T extends Uint8Array | Uint16Array | Uint32Array>(old: T, size: number, make: (n: number) => T): T {
  const next = make(size);
  next.set(old);
  return next;
}

/**
 * The tables of contents of the packs a restore reads, as one table: a piece is found without asking SQLite
 * (a random probe into the `pieces` index cost about 10 us per record; this well under 1 us). Entries are
 * kept compact, about 58 bytes each with the hash table over them: the whole id, and for a piece in a bundle
 * the bundle's entry and its place in the bundle instead of an offset and length of its own.
 *
 * Packs are only added, never dropped: a restore that walks conversations one after another visits the
 * packs in the same cycle again and again, so dropping the oldest (as an earlier version did) meant loading
 * each pack again on every cycle. When the next pack would pass `maxEntries`, `add` refuses it and the index
 * answers for its pieces.
 *
 * A piece in more than one pack is found in the pack with the lowest id, the choice `StoreCore.locate` makes
 * among intact copies (packs with damaged or missing pieces are never added).
 */
export class PackDirectories {
  private readonly packs: string[] = [];
  private readonly packNo = new Map<string, number>();
  private count = 0;
  private ids = Buffer.alloc(0);
  private packOf = new Uint16Array(0);
  /** type in the low 4 bits, compression in the high 4; UNUSABLE for an entry that is not findable. */
  private meta = new Uint8Array(0);
  /** Own offset, or for a bundled piece the entry number of its bundle. */
  private a = new Uint32Array(0);
  /** Own sealed length, or for a bundled piece its offset in the bundle's plaintext. */
  private b = new Uint32Array(0);
  private raw = new Uint32Array(0);
  /** entry + 1 per slot, 0 for empty; open addressing over the ids' first four bytes. */
  private slots = new Uint32Array(0);
  private mask = 0;

  constructor(readonly maxEntries: number) {}

  get entries(): number {
    return this.count;
  }

  has(pack: string): boolean {
    return this.packNo.has(pack);
  }

  /**
   * Adds a pack's table of contents (format 2 encoding, as `readPackTocRaw` returns it). False, with nothing
   * added, when it would pass `maxEntries` (or the 65,536 packs one table can name).
   */
  add(pack: string, toc: Buffer): boolean {
    if (this.packNo.has(pack)) return true;
    const n = toc.readUInt32LE(0);
    if (this.count + n > this.maxEntries || this.packs.length >= 0x10000) return false;
    this.reserve(this.count + n);
    const p = this.packs.length;
    this.packs.push(pack);
    this.packNo.set(pack, p);
    const base = this.count;
    // The pieces inside a bundle name the bundle's offset: the first bundle entry at each offset.
    const bundleAt = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const at = 4 + i * TOC_ENTRY_BYTES;
      if (toc[at + 32] === PieceType.bundle) {
        const offset = Number(toc.readBigUInt64LE(at + 34));
        if (!bundleAt.has(offset)) bundleAt.set(offset, i);
      }
    }
    for (let i = 0; i < n; i++) {
      const at = 4 + i * TOC_ENTRY_BYTES;
      const e = base + i;
      toc.copy(this.ids, e * ID_BYTES, at, at + ID_BYTES);
      this.packOf[e] = p;
      const type = toc[at + 32] as number;
      const compression = toc[at + 33] as number;
      const offset = Number(toc.readBigUInt64LE(at + 34));
      const length = toc.readUInt32LE(at + 42);
      const raw = toc.readUInt32LE(at + 46);
      this.raw[e] = raw;
      let usable = type < 16 && compression < 16;
      if (compression === Compression.bundled) {
        // As when a TOC is decoded: the bundle must be there, as long as the slice says, and hold the piece.
        const bi = bundleAt.get(offset);
        const inner = toc.readUInt32LE(at + 50);
        if (bi === undefined) usable = false;
        else {
          const bat = 4 + bi * TOC_ENTRY_BYTES;
          if (toc.readUInt32LE(bat + 42) !== length || inner + raw > toc.readUInt32LE(bat + 46)) usable = false;
        }
        this.a[e] = base + (bi ?? 0);
        this.b[e] = inner;
      } else {
        // An offset past 4 GiB (not written by Lifeline, whose packs are MiBs) is left to the index.
        if (offset > 0xffffffff) usable = false;
        this.a[e] = offset;
        this.b[e] = length;
      }
      this.meta[e] = usable ? type | (compression << 4) : UNUSABLE;
    }
    this.count += n;
    if (this.count * 2 > this.slots.length) this.rehash();
    else for (let e = base; e < this.count; e++) this.insert(e);
    return true;
  }

  /** The piece's location, or undefined when no added pack holds it. */
  find(id: Buffer): PieceLocation | undefined {
    if (id.length !== ID_BYTES || this.count === 0) return undefined;
    const ids = this.ids;
    let slot = id.readUInt32LE(0) & this.mask;
    for (;;) {
      const s = this.slots[slot] as number;
      if (s === 0) return undefined;
      const e = s - 1;
      if (id.compare(ids, e * ID_BYTES, e * ID_BYTES + ID_BYTES) === 0) return this.location(e);
      slot = (slot + 1) & this.mask;
    }
  }

  private location(e: number): PieceLocation {
    const meta = this.meta[e] as number;
    const compression = meta >> 4;
    const pack = this.packs[this.packOf[e] as number] as string;
    if (compression === Compression.bundled) {
      const bundle = this.a[e] as number;
      return {
        pack,
        type: meta & 15,
        compression,
        offset: this.a[bundle] as number,
        length: this.b[bundle] as number,
        raw_length: this.raw[e] as number,
        bundle: Buffer.from(this.ids.subarray(bundle * ID_BYTES, bundle * ID_BYTES + ID_BYTES)),
        bundle_at: this.b[e] as number,
      };
    }
    return { pack, type: meta & 15, compression, offset: this.a[e] as number, length: this.b[e] as number, raw_length: this.raw[e] as number, bundle: null, bundle_at: 0 };
  }

  private insert(e: number): void {
    if (this.meta[e] === UNUSABLE) return;
    const ids = this.ids;
    const at = e * ID_BYTES;
    let slot = ids.readUInt32LE(at) & this.mask;
    for (;;) {
      const s = this.slots[slot] as number;
      if (s === 0) {
        this.slots[slot] = e + 1;
        return;
      }
      const other = s - 1;
      if (ids.compare(ids, at, at + ID_BYTES, other * ID_BYTES, other * ID_BYTES + ID_BYTES) === 0) {
        // The same piece again: the first copy in a pack wins, and across packs the lowest pack id.
        const mine = this.packs[this.packOf[e] as number] as string;
        const theirs = this.packs[this.packOf[other] as number] as string;
        if (mine < theirs) this.slots[slot] = e + 1;
        return;
      }
      slot = (slot + 1) & this.mask;
    }
  }

  private rehash(): void {
    let size = 1024;
    while (size < this.count * 2) size *= 2;
    this.slots = new Uint32Array(size);
    this.mask = size - 1;
    for (let e = 0; e < this.count; e++) this.insert(e);
  }

  private reserve(total: number): void {
    const have = this.meta.length;
    if (total <= have) return;
    const size = Math.min(this.maxEntries, Math.max(total, Math.ceil(have * 1.5), 1024));
    const ids = Buffer.alloc(size * ID_BYTES);
    this.ids.copy(ids, 0, 0, this.count * ID_BYTES);
    this.ids = ids;
    this.packOf = grown(this.packOf, size, (k) => new Uint16Array(k));
    this.meta = grown(this.meta, size, (k) => new Uint8Array(k));
    this.a = grown(this.a, size, (k) => new Uint32Array(k));
    this.b = grown(this.b, size, (k) => new Uint32Array(k));
    this.raw = grown(this.raw, size, (k) => new Uint32Array(k));
  }
}
