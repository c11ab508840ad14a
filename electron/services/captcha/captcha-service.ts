import type { Database } from 'better-sqlite3';
import crypto from 'node:crypto';
import { LifelineError } from '../../../contract';
import type { Picture, PictureVariant } from '../../../contract/account';
import type { AccountKeys } from '../account/secrets';
import { sameHash } from '../account/secrets';
import { MINUTE, type RateLimiter } from '../account/limiter';
import type { Clock } from '../clock';
import { CAPTCHA_ALPHABET, CAPTCHA_LENGTH } from './glyphs';
import { renderPicture } from './render';

export type CaptchaPurpose = 'recovery' | 'lookup' | 'signin';

export const CAPTCHA_LIFETIME_MS = 5 * MINUTE;
export const PICTURES_PER_MINUTE_PER_IP = 10;
export const PICTURE_ALT = 'Picture code: type the 6 characters shown in the picture';

export interface CaptchaServiceOptions {
  /** Keeps the newest answer in memory for the LIFELINE_TEST_HOOKS `GET /api/test/captcha`; never on otherwise. */
  exposeAnswers?: boolean;
}

/**
 * Picture codes: 6 characters from an unambiguous alphabet (crypto.randomInt), drawn as PNG on the server,
 * stored as a keyed hash, bound to a purpose and a flow (or to themselves), valid 5 minutes and spent by
 * the first answer, right or wrong.
 */
export class CaptchaService {
  private latest: string | undefined;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly keys: AccountKeys,
    private readonly limiter: RateLimiter,
    private readonly options: CaptchaServiceOptions = {},
  ) {}

  /**
   * A new picture for `binding` (a flow id; undefined: the picture is bound to its own id). Earlier unspent
   * pictures for the same binding stop working. At most 10 pictures a minute per IP.
   */
  issue(purpose: CaptchaPurpose, binding: string | undefined, ip: string, variant: PictureVariant = 'standard'): Picture {
    const limit = this.limiter.consume(`captcha:ip:${ip}`, [{ max: PICTURES_PER_MINUTE_PER_IP, windowMs: MINUTE }]);
    if (!limit.allowed) {
      throw new LifelineError('rate_limited', `Too many pictures were asked for from this address. Wait ${Math.ceil(limit.retryAfterMs / 1000)} seconds and ask for a new one.`, {
        retryAfterMs: limit.retryAfterMs,
      });
    }
    let answer = '';
    for (let i = 0; i < CAPTCHA_LENGTH; i++) answer += CAPTCHA_ALPHABET[crypto.randomInt(CAPTCHA_ALPHABET.length)];
    const id = crypto.randomBytes(16).toString('base64url');
    const now = this.clock.now();
    const expiresAt = now + CAPTCHA_LIFETIME_MS;
    const picture = renderPicture(answer, variant);
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM captchas WHERE expires_at < ?').run(now - 60 * MINUTE);
      if (binding !== undefined) {
        this.db.prepare('UPDATE captchas SET used_at = ? WHERE purpose = ? AND binding = ? AND used_at IS NULL').run(now, purpose, binding);
      }
      this.db
        .prepare('INSERT INTO captchas (id, purpose, binding, answer_hash, ip, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(id, purpose, binding ?? id, this.keys.captchaHash(id, answer), ip, now, expiresAt);
    }).immediate();
    if (this.options.exposeAnswers) this.latest = answer;
    return {
      pictureId: id,
      image: `data:image/png;base64,${picture.png.toString('base64')}`,
      alt: PICTURE_ALT,
      width: picture.width,
      height: picture.height,
      variant,
      expiresAt,
    };
  }

  /**
   * Spends the newest live picture of this purpose and binding (or the given picture id) and says whether the
   * answer was right. A picture is spent by the first answer even when it is wrong, so guessing means new pictures.
   */
  answer(purpose: CaptchaPurpose, ref: { binding: string } | { pictureId: string }, rawAnswer: string): boolean {
    const now = this.clock.now();
    const answer = normalizeAnswer(rawAnswer);
    return this.db.transaction(() => {
      const row =
        'binding' in ref
          ? (this.db
              .prepare(
                'SELECT id, answer_hash, expires_at FROM captchas WHERE purpose = ? AND binding = ? AND used_at IS NULL ORDER BY created_at DESC, rowid DESC LIMIT 1',
              )
              .get(purpose, ref.binding) as { id: string; answer_hash: Buffer; expires_at: number } | undefined)
          : (this.db
              .prepare('SELECT id, answer_hash, expires_at FROM captchas WHERE purpose = ? AND id = ? AND binding = id AND used_at IS NULL')
              .get(purpose, ref.pictureId) as { id: string; answer_hash: Buffer; expires_at: number } | undefined);
      if (!row) return false;
      const spent = this.db.prepare('UPDATE captchas SET used_at = ? WHERE id = ? AND used_at IS NULL').run(now, row.id);
      if (spent.changes !== 1 || row.expires_at <= now) return false;
      if (answer.length !== CAPTCHA_LENGTH) return false;
      return sameHash(row.answer_hash, this.keys.captchaHash(row.id, answer));
    }).immediate();
  }

  /** For the test hook only (LIFELINE_TEST_HOOKS=1 on a loopback host). */
  latestAnswer(): string | undefined {
    return this.options.exposeAnswers ? this.latest : undefined;
  }
}

/** Case, spaces and full-width forms do not matter; the alphabet has no look-alikes to confuse. */
export function normalizeAnswer(raw: string): string {
  return raw.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
}
