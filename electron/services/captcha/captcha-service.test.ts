import BetterSqlite3 from 'better-sqlite3';
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../account/limiter';
import { accountMigrations } from '../account/migrations';
import { AccountKeys } from '../account/secrets';
import { ManualClock } from '../clock';
import { applyMigrations } from '../db/migrate';
import { CaptchaService, normalizeAnswer } from './captcha-service';
import { CAPTCHA_ALPHABET, GLYPHS } from './glyphs';
import { renderPicture } from './render';

function setup() {
  const db = new BetterSqlite3(':memory:');
  const clock = new ManualClock();
  applyMigrations(db, 'account', accountMigrations, () => 1);
  const captcha = new CaptchaService(db, clock, new AccountKeys(crypto.randomBytes(32)), new RateLimiter(db, clock), { exposeAnswers: true });
  return { db, clock, captcha };
}

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('picture codes', () => {
  it('draw 6 characters of an unambiguous alphabet as a PNG, with alt text naming the task', () => {
    const { captcha } = setup();
    const picture = captcha.issue('recovery', 'flow-1', '10.0.0.1');
    const answer = captcha.latestAnswer() ?? '';
    expect(answer).toMatch(new RegExp(`^[${CAPTCHA_ALPHABET}]{6}$`));
    for (const ch of '0O1IS5Z2B8G6UV') expect(CAPTCHA_ALPHABET).not.toContain(ch);
    for (const ch of CAPTCHA_ALPHABET) expect(GLYPHS[ch]).toBeDefined();
    const png = Buffer.from(picture.image.replace(/^data:image\/png;base64,/, ''), 'base64');
    expect(png.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
    expect(picture.image).not.toContain(answer);
    expect(picture.alt).toMatch(/Picture code/);
  });

  it('store only a keyed hash of the answer', () => {
    const { captcha, db } = setup();
    captcha.issue('recovery', 'flow-1', '10.0.0.1');
    const answer = captcha.latestAnswer() ?? '';
    const row = db.prepare('SELECT * FROM captchas').get() as Record<string, unknown>;
    expect(JSON.stringify(row)).not.toContain(answer);
  });

  it('are single use: the first answer spends the picture, right or wrong', () => {
    const { captcha } = setup();
    captcha.issue('recovery', 'f', '10.0.0.1');
    const answer = captcha.latestAnswer() ?? '';
    expect(captcha.answer('recovery', { binding: 'f' }, answer === 'AAAAAA' ? 'CCCCCC' : 'AAAAAA')).toBe(false);
    expect(captcha.answer('recovery', { binding: 'f' }, answer)).toBe(false);
    captcha.issue('recovery', 'f', '10.0.0.1');
    const next = captcha.latestAnswer() ?? '';
    expect(captcha.answer('recovery', { binding: 'f' }, ` ${next.toLowerCase()} `)).toBe(true);
    expect(captcha.answer('recovery', { binding: 'f' }, next)).toBe(false);
  });

  it('are bound to their flow and purpose, and a new picture replaces the old one', () => {
    const { captcha } = setup();
    const lookup = captcha.issue('lookup', undefined, '10.0.0.1');
    const lookupAnswer = captcha.latestAnswer() ?? '';
    captcha.issue('recovery', 'f1', '10.0.0.1');
    const old = captcha.latestAnswer() ?? '';
    captcha.issue('recovery', 'f1', '10.0.0.1');
    const fresh = captcha.latestAnswer() ?? '';
    expect(captcha.answer('recovery', { binding: 'f2' }, fresh)).toBe(false);
    expect(captcha.answer('signin', { pictureId: lookup.pictureId }, lookupAnswer)).toBe(false);
    if (old !== fresh) expect(captcha.answer('recovery', { binding: 'f1' }, old)).toBe(false);
    expect(captcha.answer('lookup', { pictureId: lookup.pictureId }, lookupAnswer)).toBe(true);
  });

  it('expire after 5 minutes', () => {
    const { captcha, clock } = setup();
    captcha.issue('recovery', 'f', '10.0.0.1');
    const answer = captcha.latestAnswer() ?? '';
    clock.advance(5 * 60_000);
    expect(captcha.answer('recovery', { binding: 'f' }, answer)).toBe(false);
  });

  it('at most 10 pictures a minute per IP', () => {
    const { captcha, clock } = setup();
    for (let i = 0; i < 10; i++) captcha.issue('lookup', undefined, '10.0.0.9');
    expect(() => captcha.issue('lookup', undefined, '10.0.0.9')).toThrow(/Too many pictures/);
    captcha.issue('lookup', undefined, '10.0.0.10');
    clock.advance(60_000);
    captcha.issue('lookup', undefined, '10.0.0.9');
  });

  it('never expose answers unless test hooks asked for it', () => {
    const db = new BetterSqlite3(':memory:');
    const clock = new ManualClock();
    applyMigrations(db, 'account', accountMigrations, () => 1);
    const captcha = new CaptchaService(db, clock, new AccountKeys(crypto.randomBytes(32)), new RateLimiter(db, clock));
    captcha.issue('lookup', undefined, '10.0.0.1');
    expect(captcha.latestAnswer()).toBeUndefined();
  });

  it('answers are compared without regard to case, spaces and full-width forms', () => {
    expect(normalizeAnswer(' ａｃ３ f7w ')).toBe('AC3F7W');
  });

  it('the clear variant is larger', () => {
    const standard = renderPicture('AC3F7W', 'standard');
    const clear = renderPicture('AC3F7W', 'clear');
    expect(clear.width).toBeGreaterThan(standard.width);
    expect(clear.png.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
  });
});
