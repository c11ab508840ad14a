import type { Database } from 'better-sqlite3';
import crypto from 'node:crypto';
import type { CountryCode } from 'libphonenumber-js';
import { LifelineError } from '../../../contract';
import type { AccountSummary, Channel, MaskedChannel, MessageLanguage, PasswordStrength, Picture, PictureVariant, SecurityEvent, SessionInfo } from '../../../contract/account';
import type { CaptchaService } from '../captcha/captcha-service';
import type { Clock } from '../clock';
import type { DeliveryService } from '../delivery/delivery-service';
import type { MessageSpec } from '../delivery/templates';
import { AccountStore, summarize, verifiedChannels, type AccountRow } from './account-store';
import { GENERIC_SIGN_IN_FAILURE, WRONG_CODE, invalidInput, rateLimited, weakPassword } from './errors';
import { DAY, HOUR, MINUTE, type RateLimiter } from './limiter';
import { maskAddress, normalizeEmail, normalizePhone, parseIdentifier } from './normalize';
import type { PasswordHasher } from './password-hasher';
import { PASSWORD_MAX_CODE_POINTS, normalizePassword, type PasswordPolicy } from './password-policy';
import type { PasswordStrengthMeter } from './password-strength';
import { randomCode, sameHash, type AccountKeys } from './secrets';
import type { RequestMeta, SecurityLog } from './security-log';
import type { SessionStore, ValidSession } from './sessions';

export const CODE_LIFETIME_MS = 10 * MINUTE;
export const RESEND_COOLDOWN_MS = 60_000;
export const CODE_ATTEMPTS = 5;
/** Sends to one address per hour / day: the same numbers as recovery, so sign-up cannot flood an inbox either. */
export const SENDS_PER_ADDRESS = [
  { max: 5, windowMs: HOUR },
  { max: 10, windowMs: DAY },
] as const;
export const SIGN_IN_STREAK_MAX = 10;
export const SIGN_IN_BLOCK_MS = HOUR;
export const SIGN_IN_FAILURES_PER_IP_PER_DAY = 100;
export const SIGN_IN_PICTURE_AFTER = 3;
export const SIGN_UPS_PER_IP_PER_HOUR = 20;

export interface AccountServiceDeps {
  db: Database;
  clock: Clock;
  keys: AccountKeys;
  store: AccountStore;
  limiter: RateLimiter;
  log: SecurityLog;
  sessions: SessionStore;
  hasher: PasswordHasher;
  policy: PasswordPolicy;
  meter: PasswordStrengthMeter;
  captcha: CaptchaService;
  delivery: DeliveryService;
  defaultRegion: CountryCode;
}

interface CodeRow {
  id: string;
  address: string;
  code_hash: Buffer;
  expires_at: number;
  attempts: number;
  created_at: number;
}

/** Sign-up, channel verification, sign-in, sessions and account changes (RECOVERY.md "Accounts"). */
export class AccountService {
  constructor(private readonly d: AccountServiceDeps) {}

  // ---- sign-up and channel verification -------------------------------------------------------------------

  async signUp(
    input: { email?: string | undefined; phone?: string | undefined; password: string; confirmPassword: string; language?: MessageLanguage | undefined },
    meta: RequestMeta,
  ): Promise<{ account: AccountSummary; token: string; codesSentTo: MaskedChannel[]; codesNotSent: MaskedChannel[] }> {
    const email = this.optionalEmail(input.email);
    const phone = this.optionalPhone(input.phone);
    if (!email && !phone) throw invalidInput('Give an email address, a phone number or both, so that you can recover the account.');
    const verdict = this.d.policy.checkNew(input.password, input.confirmPassword, { email, phone });
    if (!verdict.ok) throw weakPassword(verdict.problem);
    const limit = this.d.limiter.consume(`signup:ip:${meta.ip}`, [{ max: SIGN_UPS_PER_IP_PER_HOUR, windowMs: HOUR }]);
    if (!limit.allowed) throw rateLimited('Too many accounts were created from this address.', limit.retryAfterMs);

    const passwordHash = await this.d.hasher.hash(verdict.normalized);
    const now = this.d.clock.now();
    const row = this.d.store.create({ email, phone, passwordHash, language: input.language ?? 'en', now });
    this.d.log.record(row.id, 'account_created', meta);
    const session = this.d.sessions.create(row.id, false, meta);
    this.d.log.record(row.id, 'sign_in', meta, 'after sign-up');

    const codesSentTo: MaskedChannel[] = [];
    const codesNotSent: MaskedChannel[] = [];
    for (const [channel, address] of [['email', email], ['sms', phone]] as const) {
      if (!address) continue;
      const masked = { channel, masked: maskAddress(channel, address) };
      try {
        await this.sendVerification(row, channel, address, meta);
        codesSentTo.push(masked);
      } catch (error) {
        // The account exists either way; the person can ask for the code again from the verify screen.
        if (!(error instanceof LifelineError)) throw error;
        codesNotSent.push(masked);
      }
    }
    return { account: summarize(this.mustGet(row.id)), token: session.token, codesSentTo, codesNotSent };
  }

  async resendVerification(session: ValidSession, channel: Channel, meta: RequestMeta): Promise<{ sentTo: MaskedChannel; resendAvailableAt: number }> {
    const row = this.mustGet(session.accountId);
    const address = channel === 'email' ? row.email : row.phone;
    if (!address) throw invalidInput(channel === 'email' ? 'This account has no email address. Add one first.' : 'This account has no phone number. Add one first.');
    if ((channel === 'email' ? row.email_verified : row.phone_verified) === 1) {
      throw new LifelineError('invalid_state', 'This channel is already verified; there is nothing to resend.');
    }
    await this.sendVerification(row, channel, address, meta);
    return { sentTo: { channel, masked: maskAddress(channel, address) }, resendAvailableAt: this.d.clock.now() + RESEND_COOLDOWN_MS };
  }

  /** New 6-digit code for a channel: earlier codes for it stop working; 60 s apart; 5 an hour and 10 a day per address. */
  private async sendVerification(row: AccountRow, channel: Channel, address: string, meta: RequestMeta): Promise<void> {
    const now = this.d.clock.now();
    this.checkVerificationSend(row, channel, address);
    const limit = this.d.limiter.consume(`send:addr:${address}`, SENDS_PER_ADDRESS);
    if (!limit.allowed) throw rateLimited('Too many codes were sent to this address.', limit.retryAfterMs);
    const id = crypto.randomBytes(16).toString('base64url');
    const code = randomCode();
    this.d.db.transaction(() => {
      this.d.db
        .prepare('UPDATE verification_codes SET superseded_at = ? WHERE account_id = ? AND channel = ? AND used_at IS NULL AND superseded_at IS NULL')
        .run(now, row.id, channel);
      this.d.db
        .prepare('INSERT INTO verification_codes (id, account_id, channel, address, code_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(id, row.id, channel, address, this.d.keys.codeHash(`verify:${id}`, code), now, now + CODE_LIFETIME_MS);
    }).immediate();
    await this.d.delivery.send({ channel, to: address, message: { kind: 'verify_code', code }, language: row.language, idempotencyKey: `verify:${id}` });
    this.d.log.record(row.id, 'verification_sent', meta, maskAddress(channel, address));
  }

  /** Throws when a verification code may not go to this address now (60 s cooldown, per-address limits). */
  private checkVerificationSend(row: AccountRow, channel: Channel, address: string): void {
    const now = this.d.clock.now();
    const last = this.d.db
      .prepare('SELECT created_at FROM verification_codes WHERE account_id = ? AND channel = ? AND address = ? ORDER BY created_at DESC LIMIT 1')
      .get(row.id, channel, address) as { created_at: number } | undefined;
    if (last && now - last.created_at < RESEND_COOLDOWN_MS) {
      throw rateLimited('A code was sent a moment ago.', last.created_at + RESEND_COOLDOWN_MS - now);
    }
    const limit = this.d.limiter.check(`send:addr:${address}`, SENDS_PER_ADDRESS);
    if (!limit.allowed) throw rateLimited('Too many codes were sent to this address.', limit.retryAfterMs);
  }

  verifyChannel(session: ValidSession, channel: Channel, rawCode: string, meta: RequestMeta): AccountSummary {
    const code = normalizeCode(rawCode);
    const now = this.d.clock.now();
    const ok = this.d.db.transaction((): boolean => {
      const row = this.mustGet(session.accountId);
      const address = channel === 'email' ? row.email : row.phone;
      if (!address) return false;
      const pending = this.d.db
        .prepare(
          `SELECT id, address, code_hash, expires_at, attempts, created_at FROM verification_codes
           WHERE account_id = ? AND channel = ? AND used_at IS NULL AND superseded_at IS NULL ORDER BY created_at DESC LIMIT 1`,
        )
        .get(row.id, channel) as CodeRow | undefined;
      if (!pending || pending.address !== address) return false;
      // Counted before the check, in the same transaction, so parallel guesses cannot share one try.
      const counted = this.d.db
        .prepare('UPDATE verification_codes SET attempts = attempts + 1 WHERE id = ? AND attempts < ? RETURNING attempts')
        .get(pending.id, CODE_ATTEMPTS) as { attempts: number } | undefined;
      if (!counted) return false;
      const right = code !== undefined && pending.expires_at > now && sameHash(pending.code_hash, this.d.keys.codeHash(`verify:${pending.id}`, code));
      if (!right) return false;
      this.d.db.prepare('UPDATE verification_codes SET used_at = ? WHERE id = ? AND used_at IS NULL').run(now, pending.id);
      return this.d.store.markVerified(row.id, channel, address);
    }).immediate();
    if (!ok) throw new LifelineError('invalid_code', WRONG_CODE);
    const row = this.mustGet(session.accountId);
    this.d.log.record(row.id, 'channel_verified', meta, maskAddress(channel, channel === 'email' ? (row.email ?? '') : (row.phone ?? '')));
    return summarize(row);
  }

  // ---- sign-in ----------------------------------------------------------------------------------------------

  signInPicture(meta: RequestMeta, variant: PictureVariant | undefined): Picture {
    return this.d.captcha.issue('signin', undefined, meta.ip, variant);
  }

  /**
   * One generic failure for unknown accounts and wrong passwords, with the same Argon2 work for both.
   * Limits: 10 failures in a row per account+IP, then an hour's block; 100 failures per IP a day; a picture
   * code from the 4th attempt after 3 failures. Blocks always run out: anonymous failures never lock for good.
   */
  async signIn(
    input: { account: string; password: string; keepSignedIn?: boolean | undefined; pictureId?: string | undefined; pictureAnswer?: string | undefined },
    meta: RequestMeta,
  ): Promise<{ account: AccountSummary; token: string; expiresAt: number }> {
    const identifier = parseIdentifier(input.account, this.d.defaultRegion);
    if (!identifier) throw invalidInput('Type the email, phone number or 10-digit account ID of your account.');
    const candidates = this.d.store.byIdentifier(identifier);
    const subject = candidates.length === 1 && candidates[0] ? `a:${candidates[0].id}` : `i:${identifier.kind}:${identifier.value}`;
    const streakKey = `signin:${subject}:${meta.ip}`;
    const ipKey = `signin-fail:ip:${meta.ip}`;

    const ipCheck = this.d.limiter.check(ipKey, [{ max: SIGN_IN_FAILURES_PER_IP_PER_DAY, windowMs: DAY }]);
    if (!ipCheck.allowed) throw rateLimited('Too many failed sign-ins from this address today.', ipCheck.retryAfterMs);
    const blocked = this.d.limiter.blockedFor(streakKey);
    if (blocked > 0) throw rateLimited('Too many failed sign-ins for this account from this address.', blocked);
    if (this.d.limiter.streak(streakKey, DAY) >= SIGN_IN_PICTURE_AFTER) {
      if (!input.pictureId || input.pictureAnswer === undefined) {
        throw new LifelineError('invalid_credentials', 'Type the characters in the picture, then sign in again.', { pictureRequired: true });
      }
      if (!this.d.captcha.answer('signin', { pictureId: input.pictureId }, input.pictureAnswer)) {
        throw new LifelineError('invalid_code', 'The characters did not match the picture. Try a new picture.', { pictureRequired: true });
      }
    }

    const normalized = normalizePassword(input.password);
    let matched: AccountRow | undefined;
    if ([...normalized].length > PASSWORD_MAX_CODE_POINTS || candidates.length === 0) {
      await this.d.hasher.verifyDummy(normalized.slice(0, PASSWORD_MAX_CODE_POINTS * 2));
    } else {
      for (const candidate of candidates) {
        if (await this.d.hasher.verify(candidate.password_hash, normalized)) {
          matched = candidate;
          break;
        }
      }
    }

    if (!matched) {
      const { count, blockedForMs } = this.d.limiter.failure(streakKey, SIGN_IN_STREAK_MAX, SIGN_IN_BLOCK_MS, DAY);
      this.d.limiter.record(ipKey, DAY);
      for (const candidate of candidates) {
        this.d.log.record(candidate.id, 'sign_in_failed', meta);
        if (blockedForMs > 0) this.d.log.record(candidate.id, 'sign_in_blocked', meta, '1 hour for this address');
      }
      throw new LifelineError('invalid_credentials', GENERIC_SIGN_IN_FAILURE, { pictureRequired: count >= SIGN_IN_PICTURE_AFTER });
    }
    if (matched.disabled === 1) throw new LifelineError('account_disabled', 'This account is disabled. Contact whoever runs this Lifeline service.');
    this.d.limiter.resetStreak(streakKey);
    if (this.d.hasher.needsRehash(matched.password_hash)) {
      this.d.store.setPasswordHash(matched.id, await this.d.hasher.hash(normalized), undefined);
    }
    const session = this.d.sessions.create(matched.id, input.keepSignedIn ?? false, meta);
    this.d.log.record(matched.id, 'sign_in', meta, input.keepSignedIn ? 'kept signed in' : undefined);
    return { account: summarize(this.mustGet(matched.id)), token: session.token, expiresAt: session.expiresAt };
  }

  signOut(token: string | undefined, meta: RequestMeta): boolean {
    if (!token) return false;
    const ended = this.d.sessions.revokeToken(token, 'signed out');
    if (ended) this.d.log.record(ended.accountId, 'sign_out', meta);
    return ended !== undefined;
  }

  session(token: string | undefined): ValidSession | undefined {
    return this.d.sessions.validate(token);
  }

  me(session: ValidSession): AccountSummary {
    return summarize(this.mustGet(session.accountId));
  }

  listSessions(session: ValidSession): SessionInfo[] {
    return this.d.sessions.list(session.accountId, session.sessionId);
  }

  endSession(session: ValidSession, sessionId: string, meta: RequestMeta): boolean {
    const ended = this.d.sessions.revoke(session.accountId, sessionId, 'ended from the sessions list');
    if (ended) this.d.log.record(session.accountId, 'session_ended', meta, sessionId === session.sessionId ? 'this session' : undefined);
    return ended;
  }

  securityLog(session: ValidSession, limit: number | undefined, beforeId: number | undefined): SecurityEvent[] {
    return this.d.log.list(session.accountId, limit ?? 100, beforeId);
  }

  // ---- changes that need the current password ---------------------------------------------------------------

  async changePassword(session: ValidSession, input: { currentPassword: string; newPassword: string; confirmPassword: string }, meta: RequestMeta): Promise<number> {
    const row = await this.confirmPassword(session, input.currentPassword, meta);
    const verdict = this.d.policy.checkNew(input.newPassword, input.confirmPassword, { email: row.email ?? undefined, phone: row.phone ?? undefined });
    if (!verdict.ok) throw weakPassword(verdict.problem);
    const hash = await this.d.hasher.hash(verdict.normalized);
    const now = this.d.clock.now();
    const ended = this.d.db.transaction(() => {
      this.d.store.setPasswordHash(row.id, hash, now);
      this.d.db
        .prepare("UPDATE recovery_flows SET ended_at = ?, end_reason = 'password_changed' WHERE account_id = ? AND ended_at IS NULL")
        .run(now, row.id);
      return this.d.sessions.revokeAll(row.id, 'password changed', session.sessionId);
    }).immediate();
    this.d.log.record(row.id, 'password_changed', meta, 'with the current password');
    await this.notifyAll(row, { kind: 'password_changed', viaRecovery: false }, `notice:password:${row.id}:${now}`, meta);
    return ended;
  }

  async changeEmail(session: ValidSession, currentPassword: string, rawEmail: string, meta: RequestMeta): Promise<{ account: AccountSummary; codeSentTo: MaskedChannel }> {
    const email = normalizeEmail(rawEmail);
    if (!email) throw invalidInput('That is not an email address. Check it and try again.');
    return this.changeChannel(session, currentPassword, 'email', email, meta);
  }

  async changePhone(session: ValidSession, currentPassword: string, rawPhone: string, meta: RequestMeta): Promise<{ account: AccountSummary; codeSentTo: MaskedChannel }> {
    const phone = normalizePhone(rawPhone, this.d.defaultRegion);
    if (!phone) throw invalidInput('That is not a phone number we can read. Type it with its country code, like +62 812 3456 7890.');
    return this.changeChannel(session, currentPassword, 'sms', phone, meta);
  }

  private async changeChannel(session: ValidSession, currentPassword: string, channel: Channel, address: string, meta: RequestMeta) {
    const row = await this.confirmPassword(session, currentPassword, meta);
    if ((channel === 'email' ? row.email : row.phone) === address) {
      throw new LifelineError('conflict', channel === 'email' ? 'This is already the account\'s email.' : 'This is already the account\'s phone number.');
    }
    // Refuse before changing anything when the new address may not get a code now.
    this.checkVerificationSend(row, channel, address);
    const masked = maskAddress(channel, address);
    const now = this.d.clock.now();
    // Tell the channels that were trusted before the change, then switch.
    await this.notifyAll(row, { kind: channel === 'email' ? 'email_changed' : 'phone_changed', newMasked: masked }, `notice:${channel}:${row.id}:${now}`, meta);
    this.d.store.setChannel(row.id, channel, address);
    this.d.log.record(row.id, channel === 'email' ? 'email_changed' : 'phone_changed', meta, masked);
    const updated = this.mustGet(row.id);
    await this.sendVerification(updated, channel, address, meta);
    return { account: summarize(this.mustGet(row.id)), codeSentTo: { channel, masked } };
  }

  /** The current password, with the sign-in limits: a stolen session cannot be used to guess it. */
  private async confirmPassword(session: ValidSession, password: string, meta: RequestMeta): Promise<AccountRow> {
    const row = this.mustGet(session.accountId);
    if (!(await this.checkPassword(row, password, meta))) {
      throw new LifelineError('invalid_credentials', 'The current password is not right. Type it again.');
    }
    return row;
  }

  /**
   * Checks an account's password with the sign-in streak for this account and address: failures count, and
   * a blocked streak throws `rate_limited`. Used for changes and for the devices service (erase, remove).
   */
  async checkPassword(row: AccountRow, password: string, meta: RequestMeta): Promise<boolean> {
    const streakKey = `signin:a:${row.id}:${meta.ip}`;
    const blocked = this.d.limiter.blockedFor(streakKey);
    if (blocked > 0) throw rateLimited('Too many wrong passwords for this account from this address.', blocked);
    const normalized = normalizePassword(password);
    const ok = [...normalized].length <= PASSWORD_MAX_CODE_POINTS && (await this.d.hasher.verify(row.password_hash, normalized));
    if (!ok) {
      this.d.limiter.failure(streakKey, SIGN_IN_STREAK_MAX, SIGN_IN_BLOCK_MS, DAY);
      this.d.log.record(row.id, 'sign_in_failed', meta, 'wrong current password');
      return false;
    }
    this.d.limiter.resetStreak(streakKey);
    return true;
  }

  /** The account's current password, for the devices service; false for an unknown or disabled account. */
  async verifyAccountPassword(accountId: string, password: string, meta: RequestMeta): Promise<boolean> {
    const row = this.d.store.get(accountId);
    if (!row || row.disabled === 1) return false;
    return this.checkPassword(row, password, meta);
  }

  /**
   * Email, phone or account ID plus password, for a phone asking to be activated again. It shares sign-in's
   * budgets (the streak per account+address and the failures per address) and its equal Argon2 work, creates no
   * session, and answers undefined for every kind of failure so that a caller learns nothing about the account.
   */
  async authenticateOwner(rawIdentifier: string, password: string, meta: RequestMeta): Promise<string | undefined> {
    const identifier = parseIdentifier(rawIdentifier, this.d.defaultRegion);
    const candidates = identifier ? this.d.store.byIdentifier(identifier) : [];
    const subject = candidates.length === 1 && candidates[0] ? `a:${candidates[0].id}` : `i:${identifier?.kind ?? 'raw'}:${identifier?.value ?? rawIdentifier.slice(0, 100)}`;
    const streakKey = `signin:${subject}:${meta.ip}`;
    const ipKey = `signin-fail:ip:${meta.ip}`;
    const normalized = normalizePassword(password);
    const tooLong = [...normalized].length > PASSWORD_MAX_CODE_POINTS;
    const limited =
      !this.d.limiter.check(ipKey, [{ max: SIGN_IN_FAILURES_PER_IP_PER_DAY, windowMs: DAY }]).allowed || this.d.limiter.blockedFor(streakKey) > 0;
    let matched: AccountRow | undefined;
    if (limited || tooLong || candidates.length === 0) {
      await this.d.hasher.verifyDummy(normalized.slice(0, PASSWORD_MAX_CODE_POINTS * 2));
    } else {
      for (const candidate of candidates) {
        if (await this.d.hasher.verify(candidate.password_hash, normalized)) {
          matched = candidate;
          break;
        }
      }
    }
    if (limited) return undefined;
    if (!matched || matched.disabled === 1) {
      this.d.limiter.failure(streakKey, SIGN_IN_STREAK_MAX, SIGN_IN_BLOCK_MS, DAY);
      this.d.limiter.record(ipKey, DAY);
      for (const candidate of candidates) this.d.log.record(candidate.id, 'sign_in_failed', meta, 'phone activation');
      return undefined;
    }
    this.d.limiter.resetStreak(streakKey);
    this.d.log.record(matched.id, 'sign_in', meta, 'phone activation (no session)');
    return matched.id;
  }

  /** Sends an alert about one of the owner's phones to every verified channel of the account, in its language. */
  async notifyDeviceAlert(accountId: string, alert: Omit<Extract<MessageSpec, { kind: 'device_alert' }>, 'kind'>, meta: RequestMeta): Promise<number> {
    const row = this.d.store.get(accountId);
    if (!row) return 0;
    const key = crypto.createHash('sha256').update(JSON.stringify(alert)).digest('hex').slice(0, 16);
    return this.notifyAll(row, { kind: 'device_alert', ...alert }, `notice:device:${row.id}:${this.d.clock.now()}:${key}`, meta);
  }

  /** One message per verified channel; a failed notice is logged, not thrown: the change itself is done. */
  async notifyAll(row: AccountRow, message: MessageSpec, keyPrefix: string, meta: RequestMeta): Promise<number> {
    let sent = 0;
    for (const { channel, address } of verifiedChannels(row)) {
      try {
        await this.d.delivery.send({ channel, to: address, message, language: row.language, idempotencyKey: `${keyPrefix}:${channel}` });
        sent++;
        this.d.log.record(row.id, 'notice_sent', meta, `${message.kind} to ${maskAddress(channel, address)}`);
      } catch {
        this.d.log.record(row.id, 'notice_sent', meta, `${message.kind} to ${maskAddress(channel, address)} failed`);
      }
    }
    return sent;
  }

  passwordStrength(input: { password: string; email?: string | undefined; phone?: string | undefined }): PasswordStrength {
    const email = input.email ? normalizeEmail(input.email) : undefined;
    const phone = input.phone ? normalizePhone(input.phone, this.d.defaultRegion) : undefined;
    const verdict = this.d.policy.check(input.password, { email, phone });
    const words = [email?.slice(0, email.lastIndexOf('@')), phone?.replace(/\D/g, '')].filter((w): w is string => Boolean(w));
    const estimate = verdict.ok ? this.d.meter.estimate(verdict.normalized, words) : { score: 0, warning: undefined, suggestions: [] };
    return {
      score: estimate.score,
      ...(estimate.warning ? { warning: estimate.warning } : {}),
      suggestions: estimate.suggestions,
      acceptable: verdict.ok,
      ...(verdict.ok ? {} : { problem: verdict.message }),
    };
  }

  private optionalEmail(raw: string | undefined): string | undefined {
    if (raw === undefined || raw.trim() === '') return undefined;
    const email = normalizeEmail(raw);
    if (!email) throw invalidInput('That is not an email address. Check it and try again.');
    return email;
  }

  private optionalPhone(raw: string | undefined): string | undefined {
    if (raw === undefined || raw.trim() === '') return undefined;
    const phone = normalizePhone(raw, this.d.defaultRegion);
    if (!phone) throw invalidInput('That is not a phone number we can read. Type it with its country code, like +62 812 3456 7890.');
    return phone;
  }

  private mustGet(id: string): AccountRow {
    const row = this.d.store.get(id);
    if (!row) throw new LifelineError('not_signed_in', 'This account no longer exists. Sign in again.');
    return row;
  }
}

/** Spaces, dashes and full-width digits are accepted ("１２３ ４５６"); anything else is not a code. */
export function normalizeCode(raw: string): string | undefined {
  const code = raw.normalize('NFKC').replace(/[\s-]/g, '');
  return /^[0-9]{6}$/.test(code) ? code : undefined;
}
