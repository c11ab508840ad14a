import { describe, expect, it } from 'vitest';
import { LifelineError } from '../../../contract';
import { AuthError, deriveKeys, hmac, newKdfParams, newMasterKey, open, seal, unwrapMasterKey, wrapMasterKey } from './crypto';

describe('backup crypto', () => {
  it('round-trips sealed data and rejects any flipped byte or other associated data', () => {
    const key = newMasterKey();
    const aad = Buffer.from('piece-id');
    const sealed = seal(key, Buffer.from('hello, phone'), aad);
    expect(open(key, sealed, aad).toString()).toBe('hello, phone');
    for (const at of [0, 13, sealed.length - 1]) {
      const bad = Buffer.from(sealed);
      bad[at] = bad[at]! ^ 0x01;
      expect(() => open(key, bad, aad)).toThrow(AuthError);
    }
    expect(() => open(key, sealed, Buffer.from('other-id'))).toThrow(AuthError);
  });

  it('uses a fresh nonce for each seal', () => {
    const key = newMasterKey();
    const a = seal(key, Buffer.from('same'), Buffer.alloc(0));
    const b = seal(key, Buffer.from('same'), Buffer.alloc(0));
    expect(a.equals(b)).toBe(false);
  });

  it('unwraps the master key with the right passphrase and refuses a wrong one with wrong_passphrase', () => {
    const master = newMasterKey();
    const params = newKdfParams(12);
    const wrapped = wrapMasterKey(master, 'correct horse', params, 'store-1');
    expect(unwrapMasterKey(wrapped, 'correct horse', params, 'store-1').equals(master)).toBe(true);
    let caught: unknown;
    try {
      unwrapMasterKey(wrapped, 'Correct horse', params, 'store-1');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(LifelineError);
    expect((caught as LifelineError).code).toBe('wrong_passphrase');
    // The wrapped key is bound to its store: copying it into another store's config does not work.
    expect(() => unwrapMasterKey(wrapped, 'correct horse', params, 'store-2')).toThrow(LifelineError);
  });

  it('rewrapping under a new passphrase keeps the same master key and subkeys', () => {
    const master = newMasterKey();
    const p1 = newKdfParams(12);
    const p2 = newKdfParams(12);
    const w1 = wrapMasterKey(master, 'old', p1, 's');
    const w2 = wrapMasterKey(unwrapMasterKey(w1, 'old', p1, 's'), 'new', p2, 's');
    const again = unwrapMasterKey(w2, 'new', p2, 's');
    expect(deriveKeys(again, 's').enc.equals(deriveKeys(master, 's').enc)).toBe(true);
  });

  it('derives distinct subkeys, different per store', () => {
    const master = newMasterKey();
    const k = deriveKeys(master, 'a');
    const all = [k.id, k.identity, k.enc, k.chunker].map((b) => b.toString('hex'));
    expect(new Set(all).size).toBe(4);
    expect(deriveKeys(master, 'b').id.equals(k.id)).toBe(false);
    expect(hmac(k.id, 'x').length).toBe(32);
  });
});
