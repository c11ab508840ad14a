import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findBlocklistFile, loadDefaultBlocklist, PasswordPolicy } from './password-policy';

const policy = new PasswordPolicy(loadDefaultBlocklist());

describe('the blocklist file', () => {
  it('holds at least 3,000 common passwords, most common first', () => {
    const words = fs.readFileSync(findBlocklistFile(), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(words.length).toBeGreaterThanOrEqual(3000);
    expect(words.slice(0, 3)).toEqual(['password', '12345678', '123456789']);
    expect(policy.blocklistSize).toBeGreaterThanOrEqual(3000);
  });
});

describe('PasswordPolicy', () => {
  it('counts 8..128 Unicode code points after NFKC, never truncating', () => {
    expect(policy.check('seven77')).toMatchObject({ ok: false, problem: 'too_short' });
    expect(policy.check('pLum8kite')).toMatchObject({ ok: true });
    // Eight emoji are 16 UTF-16 units but 8 code points: long enough.
    expect(policy.check('🌴🌊🐢🌺🦜🍍🌋🐚')).toMatchObject({ ok: true });
    expect(policy.check('🌴🌊🐢🌺🦜🍍🌋')).toMatchObject({ ok: false, problem: 'too_short' });
    const max = 'a1b2c3d4'.repeat(16);
    expect([...max].length).toBe(128);
    expect(policy.check(max)).toMatchObject({ ok: true, normalized: max });
    expect(policy.check(`${max}x`)).toMatchObject({ ok: false, problem: 'too_long' });
    // 128 emoji = 256 UTF-16 units: still 128 code points, still fine.
    expect(policy.check('🌴'.repeat(64) + '🌊'.repeat(64))).toMatchObject({ ok: true });
  });

  it('normalizes with NFKC (full-width and compatibility forms are the same password)', () => {
    const verdict = policy.check('ｍｙ ｓｅｃｒｅｔ ｒｉｖｅｒ');
    expect(verdict).toMatchObject({ ok: true, normalized: 'my secret river' });
    // The ligature "ﬁ" becomes "fi" before the length is counted: 4 code points typed, 8 counted.
    expect(policy.check('ﬁﬁﬁﬁ')).toMatchObject({ ok: true, normalized: 'fifififi' });
    expect(policy.check('ﬁﬁﬁ')).toMatchObject({ ok: false, problem: 'too_short' });
  });

  it('rejects a 1 MB password by its raw length, before any normalization', () => {
    const verdict = policy.check('x'.repeat(1024 * 1024));
    expect(verdict).toMatchObject({ ok: false, problem: 'too_long' });
  });

  it('rejects blocklisted passwords regardless of case', () => {
    for (const p of ['password', 'PASSWORD', 'iloveyou', 'qwertyuiop', '1234567890', 'sunshine']) {
      expect(policy.check(p), p).toMatchObject({ ok: false, problem: 'common' });
    }
  });

  it('rejects passwords built from the email name, the phone digits or the product name, and says why', () => {
    expect(policy.check('ekowidodo2024', { email: 'ekowidodo@mail.com' })).toMatchObject({ ok: false, problem: 'contains_email' });
    expect(policy.check('my-john.smith-pass', { email: 'john.smith@mail.com' })).toMatchObject({ ok: false, problem: 'contains_email' });
    expect(policy.check('pass81234567', { phone: '+6281234567890' })).toMatchObject({ ok: false, problem: 'contains_phone' });
    expect(policy.check('my lifeline pass')).toMatchObject({ ok: false, problem: 'contains_product' });
    expect(policy.check('L1feL1ne-2026!')).toMatchObject({ ok: false, problem: 'contains_product' });
    const verdict = policy.check('Lifeline2026');
    expect(!verdict.ok && verdict.message).toMatch(/Lifeline/);
    // A short email name is not a meaningful "word".
    expect(policy.check('joyful tundra 8', { email: 'jo@mail.com' })).toMatchObject({ ok: true });
    expect(policy.check('calm river 456123', { phone: '+6281234567890' })).toMatchObject({ ok: true });
  });

  it('has no composition rules', () => {
    expect(policy.check('all lower case words')).toMatchObject({ ok: true });
  });

  it('compares the confirmation after NFKC', () => {
    expect(policy.checkNew('ｍｙ ｓｅｃｒｅｔ ｒｉｖｅｒ', 'my secret river')).toMatchObject({ ok: true });
    expect(policy.checkNew('my secret river', 'my secret rivers')).toMatchObject({ ok: false, problem: 'mismatch' });
  });
});
