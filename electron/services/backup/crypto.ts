import crypto from 'node:crypto';
import { LifelineError } from '../../../contract';

/** Key derivation settings stored in the store's config, so a store keeps opening after defaults change. */
export interface KdfParams {
  name: 'scrypt';
  /** log2 of scrypt's N (cost). 17 for new stores; stores made by Lifeline 0.x builds of late 2026 may hold 15. */
  logN: number;
  r: number;
  p: number;
  /** base64, 16 random bytes */
  salt: string;
}

/** The master key, encrypted under the passphrase-derived key. All fields base64. */
export interface WrappedKey {
  nonce: string;
  ciphertext: string;
}

/**
 * scrypt N = 2^17, r = 8, p = 1 (BACKUP.md): 128 MiB and about 0.3 s here per derivation, once per command.
 * Stores keep their own parameters in the config, so a store opens with the cost it was made with; changing
 * the passphrase raises a lower cost to this one.
 */
export const DEFAULT_KDF_LOG_N = 17;
/** Below this the passphrase is too cheap to guess; tests use the floor to stay fast. */
export const MIN_KDF_LOG_N = 12;
export const MAX_KDF_LOG_N = 22;

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
/** Bytes an encrypted blob adds to its plaintext: nonce in front, tag behind. */
export const SEAL_OVERHEAD = NONCE_BYTES + TAG_BYTES;

export function newKdfParams(logN = DEFAULT_KDF_LOG_N): KdfParams {
  if (!Number.isInteger(logN) || logN < MIN_KDF_LOG_N || logN > MAX_KDF_LOG_N) {
    throw new LifelineError('invalid_input', `The key derivation cost must be a whole number from ${MIN_KDF_LOG_N} to ${MAX_KDF_LOG_N}.`);
  }
  return { name: 'scrypt', logN, r: 8, p: 1, salt: crypto.randomBytes(16).toString('base64') };
}

export function deriveKek(passphrase: string, params: KdfParams): Buffer {
  if (params.name !== 'scrypt') {
    throw new LifelineError('unsupported_version', `This store uses the key derivation "${String(params.name)}", which this Lifeline does not know. Update Lifeline.`);
  }
  const N = 2 ** params.logN;
  // scrypt needs 128 * N * r bytes; Node's default cap (32 MiB) is below what N=2^17 needs.
  const maxmem = 128 * N * params.r * 2 + 1024 * 1024;
  return crypto.scryptSync(passphrase.normalize('NFC'), Buffer.from(params.salt, 'base64'), KEY_BYTES, {
    N,
    r: params.r,
    p: params.p,
    maxmem,
  });
}

/**
 * Nonces come from a pool of CSPRNG bytes refilled in bulk: one randomBytes call per piece cost more than
 * sealing a small record. Each nonce is still 12 fresh random bytes used once.
 */
const noncePool = Buffer.alloc(NONCE_BYTES * 4096);
let noncePoolAt = noncePool.length;

function freshNonce(): Buffer {
  if (noncePoolAt + NONCE_BYTES > noncePool.length) {
    crypto.randomFillSync(noncePool);
    noncePoolAt = 0;
  }
  // Copied out, so refilling the pool never changes a nonce already handed out.
  const nonce = Buffer.from(noncePool.subarray(noncePoolAt, noncePoolAt + NONCE_BYTES));
  noncePool.fill(0, noncePoolAt, noncePoolAt + NONCE_BYTES);
  noncePoolAt += NONCE_BYTES;
  return nonce;
}

/** AES-256-GCM with a fresh random nonce; output is nonce || ciphertext || tag. */
export function seal(key: Buffer, plaintext: Uint8Array, aad: Uint8Array): Buffer {
  const nonce = freshNonce();
  const cipher = crypto.createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  const body = cipher.update(plaintext);
  const final = cipher.final();
  return Buffer.concat([nonce, body, final, cipher.getAuthTag()]);
}

/** Reverses `seal`; throws `AuthError` when the data or its associated data were changed. */
export function open(key: Buffer, sealed: Uint8Array, aad: Uint8Array): Buffer {
  if (sealed.length < SEAL_OVERHEAD) throw new AuthError('The encrypted data is too short.');
  const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.length);
  const nonce = buf.subarray(0, NONCE_BYTES);
  const tag = buf.subarray(buf.length - TAG_BYTES);
  const body = buf.subarray(NONCE_BYTES, buf.length - TAG_BYTES);
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new AuthError('The encrypted data failed authentication (it was changed or damaged).');
  }
}

/** Decryption found changed or damaged bytes. Internal: callers turn it into a report or a LifelineError. */
export class AuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthError';
  }
}

const WRAP_AAD_PREFIX = 'lifeline-backup master key v1 ';

export function newMasterKey(): Buffer {
  return crypto.randomBytes(KEY_BYTES);
}

export function wrapMasterKey(master: Buffer, passphrase: string, params: KdfParams, storeId: string): WrappedKey {
  const kek = deriveKek(passphrase, params);
  const sealed = seal(kek, master, Buffer.from(WRAP_AAD_PREFIX + storeId));
  return {
    nonce: sealed.subarray(0, NONCE_BYTES).toString('base64'),
    ciphertext: sealed.subarray(NONCE_BYTES).toString('base64'),
  };
}

export function unwrapMasterKey(wrapped: WrappedKey, passphrase: string, params: KdfParams, storeId: string): Buffer {
  const kek = deriveKek(passphrase, params);
  const sealed = Buffer.concat([Buffer.from(wrapped.nonce, 'base64'), Buffer.from(wrapped.ciphertext, 'base64')]);
  try {
    return open(kek, sealed, Buffer.from(WRAP_AAD_PREFIX + storeId));
  } catch (error) {
    if (error instanceof AuthError) {
      throw new LifelineError(
        'wrong_passphrase',
        'The passphrase does not open this backup store. Check it and try again (it is case-sensitive); nothing was changed.',
      );
    }
    throw error;
  }
}

/** The keys one open store works with, all derived from the master key so only that one needs wrapping. */
export interface StoreKeys {
  /** HMAC key for piece ids (content addresses). */
  readonly id: Buffer;
  /** HMAC key for record identities (which record is "the same" across runs). */
  readonly identity: Buffer;
  /** AES-256-GCM key for pieces, tables of contents and snapshots. */
  readonly enc: Buffer;
  /** Seed for the chunker's gear table; keyed so chunk boundaries do not leak file contents. */
  readonly chunker: Buffer;
}

export function deriveKeys(master: Buffer, storeId: string): StoreKeys {
  const salt = Buffer.from(storeId, 'utf8');
  const sub = (info: string): Buffer => Buffer.from(crypto.hkdfSync('sha256', master, salt, Buffer.from(info), KEY_BYTES));
  return {
    id: sub('lifeline-backup piece-id v1'),
    identity: sub('lifeline-backup record-identity v1'),
    enc: sub('lifeline-backup encryption v1'),
    chunker: sub('lifeline-backup chunker v1'),
  };
}

export function hmac(key: Buffer, ...parts: (Uint8Array | string)[]): Buffer {
  const h = crypto.createHmac('sha256', key);
  for (const part of parts) h.update(part);
  return h.digest();
}

export function sha256(data: Uint8Array | string): Buffer {
  return crypto.createHash('sha256').update(data).digest();
}
