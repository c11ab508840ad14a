import fs from 'node:fs';
import path from 'node:path';
import { findResource } from '../resources';

export const PASSWORD_MIN_CODE_POINTS = 8;
export const PASSWORD_MAX_CODE_POINTS = 128;
/**
 * Raw UTF-16 length refused before NFKC or anything else runs, so a 1 MB password costs microseconds.
 * Set well above 128 code points so that composing sequences that NFKC shortens are still judged fairly.
 */
const RAW_LENGTH_CUTOFF = 1024;
const PRODUCT_WORDS = ['lifeline'];

export type PasswordProblem = 'too_short' | 'too_long' | 'common' | 'contains_email' | 'contains_phone' | 'contains_product' | 'mismatch';

export type PasswordVerdict =
  | { readonly ok: true; readonly normalized: string }
  | { readonly ok: false; readonly problem: PasswordProblem; readonly message: string };

export interface PasswordContext {
  readonly email?: string | undefined;
  /** E.164 */
  readonly phone?: string | undefined;
}

const MESSAGES: Record<PasswordProblem, string> = {
  too_short: `Use at least ${PASSWORD_MIN_CODE_POINTS} characters.`,
  too_long: `Use at most ${PASSWORD_MAX_CODE_POINTS} characters.`,
  common: 'This password is one of the most common ones and easy to guess. Choose another.',
  contains_email: 'The password contains your email name. Choose one that does not.',
  contains_phone: 'The password contains digits of your phone number. Choose one that does not.',
  contains_product: 'The password contains the word "Lifeline". Choose one that does not.',
  mismatch: 'The two passwords are not the same. Type the new password twice.',
};

export function passwordProblemMessage(problem: PasswordProblem): string {
  return MESSAGES[problem];
}

/** NFKC so that the same password typed on different keyboards (full-width, compatibility forms) is the same. */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

function reject(problem: PasswordProblem): PasswordVerdict {
  return { ok: false, problem, message: MESSAGES[problem] };
}

// Undo the usual letter-for-digit swaps so "L1f3l1ne" is caught like "lifeline".
const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i', '|': 'l' };
function unleet(text: string): string {
  return text.replace(/[013457@$!|]/g, (c) => LEET[c] ?? c);
}

function containsWord(lowerPassword: string, word: string): boolean {
  if (lowerPassword.includes(word)) return true;
  const plain = unleet(lowerPassword);
  return plain.includes(word) || plain.replace(/i/g, 'l').includes(word.replace(/i/g, 'l'));
}

/**
 * The password rules of RECOVERY.md: 8..128 code points after NFKC (never truncated), not in the blocklist,
 * not built from the account's email name, phone digits or the product name. No composition rules.
 */
export class PasswordPolicy {
  constructor(private readonly blocklist: ReadonlySet<string>) {}

  get blocklistSize(): number {
    return this.blocklist.size;
  }

  check(password: string, context: PasswordContext = {}): PasswordVerdict {
    if (password.length > RAW_LENGTH_CUTOFF) return reject('too_long');
    const normalized = normalizePassword(password);
    const codePoints = [...normalized].length;
    if (codePoints > PASSWORD_MAX_CODE_POINTS) return reject('too_long');
    if (codePoints < PASSWORD_MIN_CODE_POINTS) return reject('too_short');
    const lower = normalized.toLowerCase();
    if (this.blocklist.has(lower)) return reject('common');
    for (const word of PRODUCT_WORDS) if (containsWord(lower, word)) return reject('contains_product');
    const emailName = context.email ? context.email.slice(0, context.email.lastIndexOf('@')).normalize('NFKC').toLowerCase() : '';
    if (emailName.length >= 3) {
      // Names are also compared without their separators ("john.smith" in "johnsmith1990").
      const bare = emailName.replace(/[._+-]/g, '');
      if (containsWord(lower, emailName) || (bare.length >= 3 && containsWord(lower.replace(/[._+-]/g, ''), bare))) {
        return reject('contains_email');
      }
    }
    if (context.phone && containsPhoneDigits(normalized, context.phone)) return reject('contains_phone');
    return { ok: true, normalized };
  }

  /** Checks a new password and its confirmation; the confirmation is compared after NFKC too. */
  checkNew(password: string, confirmation: string, context: PasswordContext = {}): PasswordVerdict {
    const verdict = this.check(password, context);
    if (!verdict.ok) return verdict;
    if (confirmation.length > RAW_LENGTH_CUTOFF || normalizePassword(confirmation) !== verdict.normalized) return reject('mismatch');
    return verdict;
  }
}

/** Any run of 6 or more digits from the phone number (country code included) counts as "built from" it. */
function containsPhoneDigits(password: string, e164: string): boolean {
  const phone = e164.replace(/\D/g, '');
  const runs = password.match(/[0-9]{6,}/g) ?? [];
  for (const run of runs) {
    for (let i = 0; i + 6 <= run.length; i++) {
      if (phone.includes(run.slice(i, i + 6))) return true;
    }
  }
  return false;
}

export function parseBlocklist(text: string): Set<string> {
  const set = new Set<string>();
  for (const line of text.split('\n')) {
    const word = line.trim();
    if (word.length === 0 || word.startsWith('#')) continue;
    set.add(word.normalize('NFKC').toLowerCase());
  }
  return set;
}

export const BLOCKLIST_RELATIVE_PATH = path.join('resources', 'passwords', 'blocklist.txt');

/**
 * Finds resources/passwords/blocklist.txt above the running code (the bundle lives in dist/...) or the
 * working directory. A missing blocklist stops start-up: accepting common passwords silently is worse.
 */
export function findBlocklistFile(): string {
  const found = findResource(path.join('passwords', 'blocklist.txt'));
  if (found) return found;
  throw new Error(`The password blocklist (${BLOCKLIST_RELATIVE_PATH}) is missing. Reinstall Lifeline or run node scripts/make-password-blocklist.mjs.`);
}

let cachedDefault: Set<string> | undefined;
export function loadDefaultBlocklist(): ReadonlySet<string> {
  cachedDefault ??= parseBlocklist(fs.readFileSync(findBlocklistFile(), 'utf8'));
  return cachedDefault;
}
