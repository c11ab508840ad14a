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
});
