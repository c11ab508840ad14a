import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IdFilter, IdSet } from './id-set';

describe('IdSet', () => {
  it('holds every added id, through several growths, and nothing else', () => {
    const set = new IdSet();
    const ids = Array.from({ length: 20_000 }, () => crypto.randomBytes(32));
    for (const id of ids) expect(set.add(id)).toBe(true);
    expect(set.size).toBe(ids.length);
    for (const id of ids) expect(set.has(id)).toBe(true);
    for (const id of ids.slice(0, 100)) expect(set.add(Buffer.from(id))).toBe(false);
    expect(set.size).toBe(ids.length);
    for (let i = 0; i < 2000; i++) expect(set.has(crypto.randomBytes(32))).toBe(false);
  });

  it('tells apart ids that share their first bytes (the part that picks the slot)', () => {
    const set = new IdSet();
    const a = Buffer.alloc(32, 7);
    const b = Buffer.from(a);
    b[31] = 8;
    const c = Buffer.from(a);
    c[16] = 0;
    set.add(a);
    set.add(b);
    expect(set.has(a)).toBe(true);
    expect(set.has(b)).toBe(true);
    expect(set.has(c)).toBe(false);
    expect(set.has(Buffer.alloc(32))).toBe(false); // an all-zero id is not confused with an empty slot
    set.add(Buffer.alloc(32));
    expect(set.has(Buffer.alloc(32))).toBe(true);
  });

  it('refuses ids of the wrong length', () => {
    expect(() => new IdSet().add(Buffer.alloc(16))).toThrow(RangeError);
    expect(() => new IdSet().has(Buffer.alloc(33))).toThrow(RangeError);
  });
});

describe('IdFilter', () => {
  it('never says no to an added id, and says no to most others', () => {
    const filter = new IdFilter();
    const ids = Array.from({ length: 200_000 }, () => crypto.randomBytes(32));
    for (const id of ids) filter.add(id);
    for (const id of ids) expect(filter.mayHave(id)).toBe(true);
    let maybe = 0;
    for (let i = 0; i < 20_000; i++) if (filter.mayHave(crypto.randomBytes(32))) maybe++;
    expect(maybe).toBeLessThan(200); // about 0.01 % expected at this fill
  });
});
