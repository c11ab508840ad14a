import fs from 'node:fs';
import path from 'node:path';
import { writeFileDurable } from './fs-util';

/**
 * Remembering the store's passphrase on this computer. Only the desktop shell can offer it: it encrypts with the
 * OS keychain (Electron safeStorage) and hands the two functions in. The web host has no keychain, so the panel
 * says the option is unavailable there. The passphrase is never written in plain text.
 */
export interface PassphraseKeychain {
  /** Whether the OS keychain can encrypt now (e.g. false on Linux without a secret service). */
  available(): boolean;
  /** Why not, in the person's words, when `available()` is false. */
  unavailableReason(): string;
  save(storeDir: string, passphrase: string): Promise<void>;
  load(storeDir: string): string | undefined;
  forget(storeDir: string): void;
  has(storeDir: string): boolean;
}

/** The web host (and tests) when nothing can keep a secret. */
export const noKeychain: PassphraseKeychain = {
  available: () => false,
  unavailableReason: () => 'Remembering the passphrase needs the desktop app (it uses the computer\'s keychain). In the browser, type it each time.',
  save: () => Promise.reject(new Error('No keychain on this host.')),
  load: () => undefined,
  forget: () => undefined,
  has: () => false,
};

/**
 * A keychain made of an encrypt/decrypt pair (safeStorage.encryptString / decryptString in the Electron shell)
 * and one file per store under `dir`: only the ciphertext the OS keychain produced is stored.
 */
export function createEncryptedKeychain(deps: {
  dir: string;
  isAvailable: () => boolean;
  encrypt: (plain: string) => Buffer;
  decrypt: (cipher: Buffer) => string;
}): PassphraseKeychain {
  const fileOf = (storeDir: string): string => path.join(deps.dir, `${Buffer.from(path.resolve(storeDir)).toString('base64url').slice(0, 200)}.bin`);
  return {
    available: () => deps.isAvailable(),
    unavailableReason: () => 'This computer\'s keychain is not available (on Linux a secret service such as GNOME Keyring or KWallet is needed).',
    async save(storeDir, passphrase) {
      if (!deps.isAvailable()) throw new Error('The keychain is not available.');
      fs.mkdirSync(deps.dir, { recursive: true, mode: 0o700 });
      await writeFileDurable(fileOf(storeDir), deps.encrypt(passphrase));
    },
    load(storeDir) {
      if (!deps.isAvailable()) return undefined;
      try {
        return deps.decrypt(fs.readFileSync(fileOf(storeDir)));
      } catch {
        return undefined;
      }
    },
    forget(storeDir) {
      fs.rmSync(fileOf(storeDir), { force: true });
    },
    has: (storeDir) => fs.existsSync(fileOf(storeDir)),
  };
}
