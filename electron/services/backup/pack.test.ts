import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PackBuilder, PieceType } from './pack';

describe('PackBuilder', () => {
  it('lists its entries in the order added, or sorted by piece id with the same contents', () => {
    const builder = new PackBuilder(crypto.randomBytes(32));
    const ids: Buffer[] = [];
    for (let i = 0; i < 50; i++) {
      const id = crypto.randomBytes(32);
      ids.push(id);
      builder.add(id, PieceType.chunk, crypto.randomBytes(100 + i), 'never');
    }
    builder.addBundle(crypto.randomBytes(32), [
      { id: crypto.randomBytes(32), type: PieceType.record, data: Buffer.from('{"a":1}') },
      { id: crypto.randomBytes(32), type: PieceType.record, data: Buffer.from('{"b":2}') },
    ]);
    const added = [...builder.eachEntry()];
    const byId = [...builder.eachEntry('id')];
    expect(added.slice(0, 50).map((e) => e.id.toString('hex'))).toEqual(ids.map((i) => i.toString('hex')));
    expect(byId.map((e) => e.id.toString('hex'))).toEqual(added.map((e) => e.id.toString('hex')).sort());
    const key = (e: (typeof added)[number]): string => JSON.stringify({ ...e, id: e.id.toString('hex'), bundle: e.bundle?.toString('hex') });
    expect(byId.map(key).sort()).toEqual(added.map(key).sort());
    builder.discard();
  });
});
