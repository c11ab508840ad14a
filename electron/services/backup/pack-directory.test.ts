import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { newMasterKey } from './crypto';
import { Compression, PackBuilder, PieceType, readPackToc, readPackTocRaw } from './pack';
import { PackDirectories } from './pack-directory';
import { tempDir } from './test-support';

function writePack(builder: PackBuilder, dir: string): string {
  const { id, parts } = builder.finish();
  const file = path.join(dir, id);
  fs.writeFileSync(file, Buffer.concat(parts));
  return file;
}

describe('PackDirectories', () => {
  it('finds every piece of a pack where its table of contents puts it, bundled pieces with their bundle', async () => {
    const key = newMasterKey();
    const builder = new PackBuilder(key, 2);
    const ids: Buffer[] = [];
    for (let b = 0; b < 50; b++) {
      const members = Array.from({ length: 40 }, (_, i) => ({ id: crypto.randomBytes(32), type: PieceType.record, data: Buffer.from(`record ${b}/${i} `.repeat(1 + (i % 5))) }));
      builder.addBundle(crypto.randomBytes(32), members);
      ids.push(...members.map((m) => m.id));
    }
    for (let c = 0; c < 20; c++) {
      const id = crypto.randomBytes(32);
      builder.add(id, PieceType.chunk, crypto.randomBytes(5000), 'never');
      ids.push(id);
    }
    const file = writePack(builder, tempDir());
    const raw = readPackTocRaw(file, key);
    expect(raw).toBeDefined();
    const dir = new PackDirectories(1_000_000);
    expect(dir.add('p1', raw as Buffer)).toBe(true);
    const { entries } = await readPackToc(file, key);
    expect(dir.entries).toBe(entries.length);
    for (const e of entries) {
      const loc = dir.find(e.id);
      expect(loc).toMatchObject({ pack: 'p1', type: e.type, compression: e.compression, offset: e.offset, length: e.length, raw_length: e.rawLength });
      if (e.compression === Compression.bundled) {
        expect(loc?.bundle?.equals(e.bundle as Buffer)).toBe(true);
        expect(loc?.bundle_at).toBe(e.inner);
      } else expect(loc?.bundle).toBeNull();
    }
    for (const id of ids) expect(dir.find(id)).toBeDefined();
    for (let i = 0; i < 1000; i++) expect(dir.find(crypto.randomBytes(32))).toBeUndefined();
    // Same first four bytes, different id: not found.
    const near = Buffer.from(ids[0] as Buffer);
    near[31] = (near[31] as number) ^ 1;
    expect(dir.find(near)).toBeUndefined();
  });

  it('holds many packs in one table: the lowest pack id wins for a piece in two, and a pack past the limit is refused whole', () => {
    const key = newMasterKey();
    const base = tempDir();
    const shared = Array.from({ length: 30 }, () => crypto.randomBytes(32));
    const packOf = (own: number, withShared: boolean): { raw: Buffer; ids: Buffer[] } => {
      const b = new PackBuilder(key, 2);
      const ids = Array.from({ length: own }, () => crypto.randomBytes(32));
      const members = [...ids, ...(withShared ? shared : [])].map((id, i) => ({ id, type: PieceType.record, data: Buffer.from(`piece ${i} `.repeat(3)) }));
      b.addBundle(crypto.randomBytes(32), members);
      return { raw: readPackTocRaw(writePack(b, base), key) as Buffer, ids };
    };
    const x = packOf(500, true);
    const y = packOf(700, true);
    const z = packOf(400, false);
    const dirs = new PackDirectories(x.ids.length + y.ids.length + 2 * shared.length + 2 + 100);
    // Added in the order a restore meets them; the table grows and rehashes on the way.
    expect(dirs.add('b-pack', y.raw)).toBe(true);
    expect(dirs.add('a-pack', x.raw)).toBe(true);
    expect(dirs.add('b-pack', y.raw)).toBe(true); // already there: nothing added twice
    for (const id of shared) expect(dirs.find(id)?.pack).toBe('a-pack');
    for (const id of x.ids) expect(dirs.find(id)?.pack).toBe('a-pack');
    for (const id of y.ids) expect(dirs.find(id)?.pack).toBe('b-pack');
    const before = dirs.entries;
    expect(dirs.add('c-pack', z.raw)).toBe(false);
    expect(dirs.entries).toBe(before);
    expect(dirs.has('c-pack')).toBe(false);
    for (const id of z.ids.slice(0, 50)) expect(dirs.find(id)).toBeUndefined();
  });

  it('has nothing to offer for a format 1 pack, and refuses a damaged table of contents', () => {
    const key = newMasterKey();
    const old = new PackBuilder(key, 1);
    old.add(crypto.randomBytes(32), PieceType.record, Buffer.from('old'), 'auto');
    const base = tempDir();
    expect(readPackTocRaw(writePack(old, base), key)).toBeUndefined();
    const b = new PackBuilder(key, 2);
    b.add(crypto.randomBytes(32), PieceType.record, Buffer.from('new'), 'auto');
    const file = writePack(b, base);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 20] = (bytes[bytes.length - 20] as number) ^ 0xff;
    fs.writeFileSync(file, bytes);
    expect(() => readPackTocRaw(file, key)).toThrow();
  });
});
