import { parseOptions } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';
import { PasswordHasher, PRODUCTION_HASH_PARAMS } from './password-hasher';

describe('PasswordHasher', () => {
  it('uses Argon2id with at least 19 MiB, 2 passes and 1 lane in production, as a PHC string', async () => {
    expect(PRODUCTION_HASH_PARAMS.memoryCost).toBeGreaterThanOrEqual(19 * 1024);
    expect(PRODUCTION_HASH_PARAMS.timeCost).toBe(2);
    expect(PRODUCTION_HASH_PARAMS.parallelism).toBe(1);
    const hasher = new PasswordHasher();
    const phc = await hasher.hash('violet tractor harbour');
    expect(phc).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    const used = parseOptions(phc);
    expect(used).toMatchObject({ memoryCost: 19456, timeCost: 2, parallelism: 1, outputLen: 32 });
    expect(await hasher.verify(phc, 'violet tractor harbour')).toBe(true);
    expect(await hasher.verify(phc, 'violet tractor harbor')).toBe(false);
    expect(hasher.needsRehash(phc)).toBe(false);
    await hasher.verifyDummy('anything');
  });

  it('salts every hash and asks for a re-hash when the parameters differ', async () => {
    const cheap = new PasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });
    const a = await cheap.hash('same password');
    const b = await cheap.hash('same password');
    expect(a).not.toBe(b);
    expect(cheap.needsRehash(a)).toBe(false);
    expect(new PasswordHasher().needsRehash(a)).toBe(true);
    expect(cheap.needsRehash('not a phc string')).toBe(true);
    expect(await cheap.verify('not a phc string', 'x')).toBe(false);
  });
});
