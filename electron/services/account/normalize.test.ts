import { describe, expect, it } from 'vitest';
import { maskEmail, maskPhone, normalizeAccountId, normalizeEmail, normalizePhone, parseIdentifier } from './normalize';

const fw = (s: string) => s.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)));

describe('normalizeEmail', () => {
  it('trims and lower-cases the domain only', () => {
    expect(normalizeEmail('  Jo.Doe@Mail.COM ')).toBe('Jo.Doe@mail.com');
    expect(normalizeEmail('a+tag@EXAMPLE.co.id')).toBe('a+tag@example.co.id');
  });
  it('folds full-width forms with NFKC', () => {
    expect(normalizeEmail('ｊｏｈｎ＠ｍａｉｌ．ｃｏｍ')).toBe('john@mail.com');
  });
  it('keeps look-alike letters distinct (a Cyrillic а is not a Latin a)', () => {
    expect(normalizeEmail('s\u0430ri@mail.com')).not.toBe('sari@mail.com');
  });
  it('refuses what is not an address', () => {
    for (const bad of ['', 'no-at-sign', '@mail.com', 'a@', 'a@b', 'a b@mail.com', "x'; DROP TABLE accounts; --@m.com", 'a..b@mail.com', `${'a'.repeat(65)}@mail.com`, 'a@-mail.com', '"q"@mail.com']) {
      expect(normalizeEmail(bad), bad).toBeUndefined();
    }
  });
});

describe('normalizePhone', () => {
  it('reads Indonesian numbers in local and international forms (+62)', () => {
    for (const input of ['0812-3456-7890', '081234567890', '+62 812 3456 7890', '+6281234567890', '(0812) 3456 7890', '0062 812 3456 7890', fw('0812 3456 7890')]) {
      expect(normalizePhone(input, 'ID'), input).toBe('+6281234567890');
    }
    expect(normalizePhone('021 5555 1234', 'ID')).toBe('+622155551234');
  });
  it('reads other countries, with and without the default region', () => {
    expect(normalizePhone('(202) 555-0143', 'US')).toBe('+12025550143');
    expect(normalizePhone('+1 202 555 0143', 'ID')).toBe('+12025550143');
    expect(normalizePhone('020 7946 0958', 'GB')).toBe('+442079460958');
    expect(normalizePhone('030 901820', 'DE')).toBe('+4930901820');
    expect(normalizePhone('+81 3-1234-5678', 'ID')).toBe('+81312345678');
    expect(normalizePhone('+91 98765 43210', 'ID')).toBe('+919876543210');
    expect(normalizePhone('+60 12-345 6789', 'ID')).toBe('+60123456789');
  });
  it('refuses what is not a valid number', () => {
    for (const bad of ['', '12', '+62 12', 'call me', "' OR 1=1 --", '0812-3456-7890; DROP', '1'.repeat(50)]) {
      expect(normalizePhone(bad, 'ID'), bad).toBeUndefined();
    }
  });
});

describe('account IDs and identifiers', () => {
  it('accepts 10 digits with spaces or full-width digits, never starting with 0', () => {
    expect(normalizeAccountId('123 456 7890')).toBe('1234567890');
    expect(normalizeAccountId(fw('1234567890'))).toBe('1234567890');
    expect(normalizeAccountId('0123456789')).toBeUndefined();
    expect(normalizeAccountId('123456789')).toBeUndefined();
  });
  it('tells email, account ID and phone apart', () => {
    expect(parseIdentifier(' Sari@Mail.com', 'ID')).toEqual({ kind: 'email', value: 'Sari@mail.com' });
    expect(parseIdentifier('123 456 7890', 'ID')).toEqual({ kind: 'accountId', value: '1234567890' });
    expect(parseIdentifier('0812 3456 7890', 'ID')).toEqual({ kind: 'phone', value: '+6281234567890' });
    expect(parseIdentifier('+1 202 555 0143', 'ID')).toEqual({ kind: 'phone', value: '+12025550143' });
    expect(parseIdentifier('(202) 555-0143', 'US')).toEqual({ kind: 'phone', value: '+12025550143' });
    expect(parseIdentifier('hello', 'ID')).toBeUndefined();
  });
});

describe('masking', () => {
  it('shows the first two letters and the domain of an email', () => {
    expect(maskEmail('john@mail.com')).toBe('jo****@mail.com');
    expect(maskEmail('j@mail.com')).toBe('j****@mail.com');
    expect(maskEmail('jo@mail.com')).toBe('j****@mail.com');
  });
  it('shows the country code and last two digits of a phone number', () => {
    expect(maskPhone('+6281234567889')).toBe('+62****89');
    expect(maskPhone('+12025550143')).toBe('+1****43');
    expect(maskPhone('+442079460958')).toBe('+44****58');
  });
});
