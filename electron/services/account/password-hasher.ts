import { hash, parseOptions, verify, type Algorithm } from '@node-rs/argon2';
import crypto from 'node:crypto';

export interface HashParams {
  /** KiB */
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

/** RECOVERY.md: Argon2id, 19 MiB or more, 2 passes, 1 lane. */
export const PRODUCTION_HASH_PARAMS: HashParams = { memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 };

// `Algorithm` is a const enum in the typings, which isolatedModules cannot inline; 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;

/** Argon2id in PHC strings; knows when a stored hash was made with other parameters and should be redone. */
export class PasswordHasher {
  private dummy: Promise<string> | undefined;
  private hashes = 0;

  constructor(readonly params: HashParams = PRODUCTION_HASH_PARAMS) {}

  /** How many hashes or verifications ran; lets tests prove that oversized input never reached Argon2. */
  get operations(): number {
    return this.hashes;
  }

  hash(password: string): Promise<string> {
    this.hashes++;
    return hash(password, { ...this.params, algorithm: ARGON2ID, outputLen: 32 });
  }

  async verify(phc: string, password: string): Promise<boolean> {
    this.hashes++;
    try {
      return await verify(phc, password);
    } catch {
      // A malformed stored hash is a failed check, not a crash of the sign-in.
      return false;
    }
  }

  /**
   * Spends the same work as a real check for an account that does not exist, so the answer time does not
   * tell whether it does.
   */
  async verifyDummy(password: string): Promise<void> {
    const phc = await this.prepareDummy();
    await this.verify(phc, password);
  }

  /** Makes the stand-in hash ahead of time, so the first unknown-account sign-in is not slower than later ones. */
  prepareDummy(): Promise<string> {
    this.dummy ??= this.hash(crypto.randomBytes(24).toString('base64url'));
    return this.dummy;
  }

  needsRehash(phc: string): boolean {
    try {
      const used = parseOptions(phc);
      return (
        used.algorithm !== ARGON2ID ||
        used.memoryCost !== this.params.memoryCost ||
        used.timeCost !== this.params.timeCost ||
        used.parallelism !== this.params.parallelism
      );
    } catch {
      return true;
    }
  }
}
