/**
 * A set of 32-byte piece ids in one flat table (open addressing, linear probing, at most 3/4 full). A pack
 * being built holds up to a few hundred thousand small records; as a Set of hex strings their ids took about
 * 100 bytes each on the JS heap, here they take 44-88 bytes per id outside it, and no per-id object for the
 * collector to trace.
 *
 * Ids are keyed hashes (HMAC-SHA-256 outputs), so their first bytes are already uniformly spread and serve as
 * the hash. Whole ids are compared: a false "already stored" would drop data, so there are no false positives.
 */
const ID_BYTES = 32;
const MIN_SLOTS = 1024;

export class IdSet {
  private slots: number;
  private keys: Uint8Array;
  private used: Uint8Array;
  private n = 0;

  constructor(expected = 0) {
    let slots = MIN_SLOTS;
    while (slots * 3 < expected * 4) slots *= 2;
    this.slots = slots;
    this.keys = new Uint8Array(slots * ID_BYTES);
    this.used = new Uint8Array(slots);
  }

  get size(): number {
    return this.n;
  }

  private static check(id: Uint8Array): void {
    if (id.length !== ID_BYTES) throw new RangeError(`A piece id is ${ID_BYTES} bytes (got ${id.length}).`);
  }

  /** The slot holding `id`, or the empty slot where it would go. */
  private find(id: Uint8Array): number {
    const mask = this.slots - 1;
    // The first four bytes, read as an unsigned integer, pick the starting slot.
    let i = ((id[0] as number) | ((id[1] as number) << 8) | ((id[2] as number) << 16) | ((id[3] as number) << 24)) & mask;
    for (;;) {
      if (this.used[i] === 0) return i;
      const at = i * ID_BYTES;
      let same = true;
      for (let b = 0; b < ID_BYTES; b++) {
        if (this.keys[at + b] !== id[b]) {
          same = false;
          break;
        }
      }
      if (same) return i;
      i = (i + 1) & mask;
    }
  }

  has(id: Uint8Array): boolean {
    IdSet.check(id);
    return this.used[this.find(id)] === 1;
  }

  /** Adds `id`; returns false when it was already there. */
  add(id: Uint8Array): boolean {
    IdSet.check(id);
    const i = this.find(id);
    if (this.used[i] === 1) return false;
    this.keys.set(id, i * ID_BYTES);
    this.used[i] = 1;
    this.n++;
    if (this.n * 4 > this.slots * 3) this.grow();
    return true;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldUsed = this.used;
    const oldSlots = this.slots;
    this.slots *= 2;
    this.keys = new Uint8Array(this.slots * ID_BYTES);
    this.used = new Uint8Array(this.slots);
    for (let i = 0; i < oldSlots; i++) {
      if (oldUsed[i] !== 1) continue;
      const id = oldKeys.subarray(i * ID_BYTES, (i + 1) * ID_BYTES);
      const j = this.find(id);
      this.keys.set(id, j * ID_BYTES);
      this.used[j] = 1;
    }
  }
}

/**
 * A Bloom filter over piece ids (1 MiB, four probes taken from the id's own bytes): "certainly not added" or
 * "maybe added". A backup into a store that held no pieces when it started asks it before the index, since
 * only pieces this run wrote can be there; with 800,000 ids in it about 1 % of questions still reach the index.
 */
export class IdFilter {
  private readonly bits = new Uint32Array((1 << 23) / 32);

  private static word(id: Uint8Array, at: number): number {
    return ((id[at] as number) | ((id[at + 1] as number) << 8) | ((id[at + 2] as number) << 16) | ((id[at + 3] as number) << 24)) >>> 0;
  }

  add(id: Uint8Array): void {
    for (let k = 0; k < 4; k++) {
      const bit = IdFilter.word(id, 4 + k * 4) & ((1 << 23) - 1);
      this.bits[bit >>> 5] = (this.bits[bit >>> 5] as number) | (1 << (bit & 31));
    }
  }

  mayHave(id: Uint8Array): boolean {
    for (let k = 0; k < 4; k++) {
      const bit = IdFilter.word(id, 4 + k * 4) & ((1 << 23) - 1);
      if (((this.bits[bit >>> 5] as number) & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}
