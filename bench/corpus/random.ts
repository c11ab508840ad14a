import crypto from 'node:crypto';

/** Small seeded PRNG (sfc32, seeded through SHA-256) so a corpus is the same for the same seed everywhere. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string | number) {
    const h = crypto.createHash('sha256').update(String(seed)).digest();
    this.a = h.readUInt32LE(0);
    this.b = h.readUInt32LE(4);
    this.c = h.readUInt32LE(8);
    this.d = h.readUInt32LE(12);
    for (let i = 0; i < 12; i++) this.next();
  }

  /** Uniform 32-bit unsigned integer. */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  float(): number {
    return this.next() / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** Index in [0, n) skewed towards small values (a few people get most messages). */
  skewed(n: number, power = 2.2): number {
    return Math.min(n - 1, Math.floor(Math.pow(this.float(), power) * n));
  }

  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(this.int(10));
    return s;
  }

  /** A derived generator, independent of how much this one is used later. */
  fork(label: string): Rng {
    return new Rng(`${this.next()}:${label}`);
  }
}

/**
 * Fast deterministic random bytes (AES-128-CTR keystream). Photo payloads must be incompressible
 * like real JPEG data, and gigabytes of them must be made quickly.
 */
export class ByteStream {
  private readonly cipher: crypto.Cipher;
  private static readonly zeros = Buffer.alloc(1 << 20);

  constructor(seed: string) {
    const key = crypto.createHash('sha256').update(`bytes:${seed}`).digest();
    this.cipher = crypto.createCipheriv('aes-128-ctr', key.subarray(0, 16), key.subarray(16, 32));
  }

  bytes(n: number): Buffer {
    if (n <= ByteStream.zeros.length) return this.cipher.update(ByteStream.zeros.subarray(0, n));
    const parts: Buffer[] = [];
    let left = n;
    while (left > 0) {
      const take = Math.min(left, ByteStream.zeros.length);
      parts.push(this.cipher.update(ByteStream.zeros.subarray(0, take)));
      left -= take;
    }
    return Buffer.concat(parts);
  }
}
