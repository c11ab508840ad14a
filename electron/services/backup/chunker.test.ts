import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Chunker, type ChunkerParams } from './chunker';

const params: ChunkerParams = { min: 2048, avg: 8192, max: 65536 };
const key = Buffer.alloc(32, 7);

function seededBytes(seed: number, n: number): Buffer {
  // AES-CTR keystream: reproducible, incompressible test data.
  const k = Buffer.alloc(32);
  k.writeUInt32LE(seed);
  return crypto.createCipheriv('aes-256-ctr', k, Buffer.alloc(16)).update(Buffer.alloc(n));
}

async function chunkAll(c: Chunker, data: Buffer, piece = 10_000): Promise<Buffer[]> {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += piece) parts.push(data.subarray(i, i + piece));
  const out: Buffer[] = [];
  for await (const ch of c.chunks(parts)) out.push(ch);
  return out;
}

const hex = (b: Buffer): string => crypto.createHash('sha256').update(b).digest('hex');

describe('FastCDC chunker', () => {
  it('is deterministic, independent of how the input is split, and loses no byte', async () => {
    const c = new Chunker(key, params);
    const data = seededBytes(1, 1_000_000);
    const a = await chunkAll(c, data, 10_000);
    const b = await chunkAll(c, data, 777);
    const whole = await chunkAll(c, data, data.length);
    expect(a.map(hex)).toEqual(b.map(hex));
    expect(a.map(hex)).toEqual(whole.map(hex));
    expect(Buffer.concat(a).equals(data)).toBe(true);
  });

  it('respects the size bounds', async () => {
    const c = new Chunker(key, params);
    const chunks = await chunkAll(c, seededBytes(2, 2_000_000));
    chunks.slice(0, -1).forEach((ch) => {
      expect(ch.length).toBeGreaterThanOrEqual(params.min);
      expect(ch.length).toBeLessThanOrEqual(params.max);
    });
    const mean = 2_000_000 / chunks.length;
    expect(mean).toBeGreaterThan(params.min);
    expect(mean).toBeLessThan(params.max / 2);
    // Data without any structure (all zeros) is cut at max.
    const zeros = await chunkAll(c, Buffer.alloc(300_000));
    expect(zeros[0]!.length).toBeLessThanOrEqual(params.max);
  });

  it('an insertion changes only the chunks near it', async () => {
    const c = new Chunker(key, params);
    const data = seededBytes(3, 1_500_000);
    const edited = Buffer.concat([data.subarray(0, 700_000), Buffer.from('inserted bytes!'), data.subarray(700_000)]);
    const before = new Set((await chunkAll(c, data)).map(hex));
    const after = await chunkAll(c, edited);
    const changed = after.filter((ch) => !before.has(hex(ch)));
    expect(after.length).toBeGreaterThan(50);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.length).toBeLessThanOrEqual(2);
  });

  it('uses a keyed gear table: another key cuts elsewhere', async () => {
    const data = seededBytes(4, 500_000);
    const a = (await chunkAll(new Chunker(key, params), data)).map((x) => x.length);
    const b = (await chunkAll(new Chunker(Buffer.alloc(32, 9), params), data)).map((x) => x.length);
    expect(a).not.toEqual(b);
  });
  it('keeps the cut points of format version 1 (fixed seeded input, key and sizes)', async () => {
    // Expected lengths were computed with the original one-loop implementation; any change to them would
    // stop new backups from deduplicating against chunks already in existing stores.
    const c = new Chunker(key, params);
    const lengths = (await chunkAll(c, seededBytes(11, 400_000), 9999)).map((ch) => ch.length);
    expect(lengths).toEqual([
      8859, 9347, 9207, 8792, 11555, 8999, 9304, 8447, 6883, 8433, 10839, 10079, 3404, 8452, 9594, 10356, 9434, 8213, 9982,
      9519, 8604, 8637, 8437, 9070, 7076, 8357, 9798, 4517, 12014, 10889, 19668, 8338, 16155, 11266, 8579, 9197, 8696,
      10749, 11843, 10243, 15670, 2499,
    ]);
    const def = new Chunker(crypto.createHash('sha256').update('k').digest());
    const big = (await chunkAll(def, seededBytes(12, 24 * 1024 * 1024), 1 << 20)).map((ch) => ch.length);
    expect(big).toEqual([
      1457957, 1587181, 1133246, 915553, 1133652, 2878109, 1123819, 862027, 1463355, 1276952, 1143826, 1171532, 1200014,
      1241848, 1171349, 1248542, 1192268, 1955559, 1009035,
    ]);
    const lowEntropy = Buffer.alloc(300_000);
    for (let i = 0; i < lowEntropy.length; i++) lowEntropy[i] = (i * 7) & 3;
    expect((await chunkAll(c, lowEntropy, 4096)).map((ch) => ch.length)).toEqual([65536, 65536, 65536, 65536, 37856]);
  });
});
