import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const SECRET_FILE = 'account-secret.key';

/**
 * Keys derived from one random secret kept in the data dir (mode 0600), created at first start.
 * Each use gets its own key (HMAC of a label), so a leak of one kind of hash does not help with another.
 */
export class AccountKeys {
  readonly codePepper: Buffer;
  readonly captchaKey: Buffer;
  readonly fakeKey: Buffer;
  readonly tokenKey: Buffer;

  constructor(secret: Buffer) {
    if (secret.length < 32) throw new Error('The account secret must be at least 32 bytes.');
    const derive = (label: string) => crypto.createHmac('sha256', secret).update(`lifeline/${label}/v1`).digest();
    this.codePepper = derive('code-pepper');
    this.captchaKey = derive('captcha');
    this.fakeKey = derive('fake-channels');
    this.tokenKey = derive('tokens');
  }

  /** HMAC(pepper, flow id + code): a stolen database does not reveal live codes. */
  codeHash(scope: string, code: string): Buffer {
    return crypto.createHmac('sha256', this.codePepper).update(`${scope}\u0000${code}`).digest();
  }

  captchaHash(captchaId: string, answer: string): Buffer {
    return crypto.createHmac('sha256', this.captchaKey).update(`${captchaId}\u0000${answer}`).digest();
  }

  /** Session tokens and grants are 256-bit random; a keyed hash is enough and keeps look-ups fast. */
  tokenHash(token: string): Buffer {
    return crypto.createHmac('sha256', this.tokenKey).update(token).digest();
  }

  fakeBytes(label: string): Buffer {
    return crypto.createHmac('sha256', this.fakeKey).update(label).digest();
  }
}

/** Constant-time comparison of two hashes (different lengths are simply unequal). */
export function sameHash(a: Buffer | Uint8Array | null | undefined, b: Buffer): boolean {
  if (!a || a.length !== b.length) return false;
  return crypto.timingSafeEqual(a, b);
}

/** Reads `<dataDir>/account-secret.key`, creating it (0600) on first start; a second starter reads the winner's. */
export function loadOrCreateSecret(dataDir: string): Buffer {
  const file = path.join(dataDir, SECRET_FILE);
  try {
    const fd = fs.openSync(file, 'wx', 0o600);
    try {
      fs.writeSync(fd, crypto.randomBytes(32).toString('base64'));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new Error(`Could not create the account secret ${file}: ${(error as Error).message}. Check that the data dir can be written.`);
    }
  }
  const secret = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  if (secret.length < 32) {
    throw new Error(`The account secret ${file} is damaged. Restore it from a backup; deleting it makes pending codes and sessions invalid.`);
  }
  if (process.platform !== 'win32') {
    const mode = fs.statSync(file).mode & 0o777;
    if (mode !== 0o600) fs.chmodSync(file, 0o600);
  }
  return secret;
}

export function randomToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString('base64url');
}

/** Six digits, each from crypto.randomInt. */
export function randomCode(): string {
  return String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
}
