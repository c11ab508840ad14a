import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

export type IdentifierKind = 'email' | 'phone' | 'accountId';

export interface Identifier {
  readonly kind: IdentifierKind;
  /** Normalized: email with lower-cased domain, phone in E.164, account ID as 10 digits. */
  readonly value: string;
}

const MAX_EMAIL = 254;
const MAX_LOCAL = 64;
// RFC 5322 atext plus dots and any letter or digit (internationalized addresses); no quoting, no comments.
const LOCAL_PART = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~.-]+$/u;
const DOMAIN = /^(?=.{1,253}$)[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,62}[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,62}[\p{L}\p{N}])?)+$/u;
const PHONE_CHARS = /^\+?[0-9 ().\-/]+$/;
const ACCOUNT_ID = /^[1-9][0-9]{9}$/;

/**
 * NFKC first (full-width "ｊｏｈｎ＠ｍａｉｌ．ｃｏｍ" and digits become ASCII), then trim. The local part keeps its case:
 * mail servers may treat it as case-sensitive, so only the domain is lower-cased.
 */
export function normalizeEmail(input: string): string | undefined {
  const text = input.normalize('NFKC').trim();
  if (text.length === 0 || text.length > MAX_EMAIL) return undefined;
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) return undefined;
  const local = text.slice(0, at);
  const domain = text.slice(at + 1).toLowerCase();
  if (local.length > MAX_LOCAL || !LOCAL_PART.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return undefined;
  }
  if (!DOMAIN.test(domain)) return undefined;
  return `${local}@${domain}`;
}

/**
 * Any usual way of typing a number (local "0812-3456-7890", international "+62 812 3456 7890", "0062...",
 * full-width digits) becomes E.164, or undefined when libphonenumber-js says it is not a valid number.
 */
export function normalizePhone(input: string, defaultRegion: CountryCode): string | undefined {
  const text = input.normalize('NFKC').trim();
  if (text.length === 0 || text.length > 40 || !PHONE_CHARS.test(text)) return undefined;
  const candidates = [text];
  if (text.startsWith('00')) candidates.push(`+${text.slice(2)}`);
  for (const candidate of candidates) {
    const parsed = parsePhoneNumberFromString(candidate, { defaultCountry: defaultRegion });
    if (parsed?.isValid()) return parsed.number;
  }
  return undefined;
}

/** "123 456 7890" and full-width digits are accepted; an account ID never starts with 0. */
export function normalizeAccountId(input: string): string | undefined {
  const digits = input.normalize('NFKC').replace(/\s+/g, '');
  return ACCOUNT_ID.test(digits) ? digits : undefined;
}

/**
 * Reads what the person typed: "@" means email; ten digits (spaces allowed) starting 1-9 mean an account ID;
 * anything else is tried as a phone number (with "+", a leading 0, dashes or brackets).
 */
export function parseIdentifier(input: string, defaultRegion: CountryCode): Identifier | undefined {
  const text = input.normalize('NFKC').trim();
  if (text.includes('@')) {
    const email = normalizeEmail(text);
    return email ? { kind: 'email', value: email } : undefined;
  }
  if (/^[0-9 ]+$/.test(text)) {
    const accountId = normalizeAccountId(text);
    if (accountId) return { kind: 'accountId', value: accountId };
  }
  const phone = normalizePhone(text, defaultRegion);
  return phone ? { kind: 'phone', value: phone } : undefined;
}

/** `jo****@mail.com`: enough for the owner to recognise, not enough to learn the address. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 0) return '****';
  const local = [...email.slice(0, at)];
  const keep = local.length <= 2 ? 1 : 2;
  return `${local.slice(0, keep).join('')}****@${email.slice(at + 1)}`;
}

/** `+62****89`: country code and the last two digits. */
export function maskPhone(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  const digits = e164.replace(/\D/g, '');
  const country = parsed?.countryCallingCode ?? digits.slice(0, 2);
  return `+${country}****${digits.slice(-2)}`;
}

export function maskAddress(channel: 'email' | 'sms', address: string): string {
  return channel === 'email' ? maskEmail(address) : maskPhone(address);
}

export function isCountryCode(value: string): value is CountryCode {
  return isSupportedCountry(value);
}
