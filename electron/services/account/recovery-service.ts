import type { Database } from 'better-sqlite3';
import { getCountryCallingCode, type CountryCode } from 'libphonenumber-js';
import { LifelineError } from '../../../contract';
import type { Channel, CodeSentAnswer, MaskedChannel, MessageLanguage, Picture, PictureVariant, RecoveryState } from '../../../contract/account';
import type { CaptchaService } from '../captcha/captcha-service';
import type { Clock } from '../clock';
import type { DeliveryService } from '../delivery/delivery-service';
import { normalizeCode } from './account-service';
import { verifiedChannels, type AccountRow, type AccountStore } from './account-store';
import { FLOW_EXPIRED, WRONG_CODE, invalidInput, rateLimited, weakPassword } from './errors';
import { DAY, HOUR, MINUTE, type RateLimiter } from './limiter';
import { maskAddress, maskEmail, maskPhone, parseIdentifier, type Identifier } from './normalize';
import type { PasswordHasher } from './password-hasher';
import type { PasswordPolicy } from './password-policy';
import { randomCode, randomToken, sameHash, type AccountKeys } from './secrets';
import type { RequestMeta, SecurityLog } from './security-log';
import type { SessionStore } from './sessions';

export const FLOW_LIFETIME_MS = 15 * MINUTE;
export const RECOVERY_CODE_LIFETIME_MS = 10 * MINUTE;
export const GRANT_LIFETIME_MS = 10 * MINUTE;
export const RECOVERY_RESEND_COOLDOWN_MS = 60_000;
export const SENDS_PER_FLOW = 3;
export const SENDS_PER_ACCOUNT = [
  { max: 5, windowMs: HOUR },
  { max: 10, windowMs: DAY },
] as const;
/**
 * Messages anyone can trigger (recovery codes, account lists) reaching one inbox or phone, whatever account or
 * flow asked: several accounts may share a verified address, and each has its own budget above.
 */
export const MESSAGES_PER_INBOX = SENDS_PER_ACCOUNT;
export const WRONG_CODES_PER_FLOW = 5;
export const WRONG_CODES_PER_ACCOUNT_PER_DAY = 10;
export const DEVICE_HOLD_MS = 24 * HOUR;
export const LOOKUPS_PER_IP_PER_HOUR = 5;
export const LOOKUPS_PER_IDENTIFIER_PER_DAY = 3;

export interface RecoveryServiceDeps {
  db: Database;
  clock: Clock;
  keys: AccountKeys;
  store: AccountStore;
  limiter: RateLimiter;
  log: SecurityLog;
  sessions: SessionStore;
  hasher: PasswordHasher;
  policy: PasswordPolicy;
  captcha: CaptchaService;
  delivery: DeliveryService;
  defaultRegion: CountryCode;
}

interface FlowRow {
  id: string;
  account_id: string | null;
  subject_key: string;
  identifier_kind: Identifier['kind'];
  identifier: string;
  state: RecoveryState;
  language: MessageLanguage;
  channel: Channel | null;
  created_at: number;
  expires_at: number;
  sends: number;
  last_sent_at: number | null;
  code_hash: Buffer | null;
  code_expires_at: number | null;
  attempts: number;
  grant_hash: Buffer | null;
  grant_expires_at: number | null;
  grant_used_at: number | null;
  ended_at: number | null;
  end_reason: string | null;
}

/** A channel the flow may use: real ones carry the address, stand-ins for "no match" only the masked form. */
interface FlowChannel {
  readonly channel: Channel;
  readonly masked: string;
  readonly address?: string;
}

type SendReason = 'first' | 'resend' | 'switch';

const FAKE_EMAIL_DOMAINS = ['gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com', 'icloud.com', 'yahoo.co.id'];
const LETTERS = 'abcdefghijklmnoprstuwy';

/**
 * Password recovery exactly as RECOVERY.md describes it. The rule that shapes everything: the answers (status,
 * body, timing, limits) are the same whether or not an account matches. A flow with no match goes through the
 * same states with stand-in masked channels, sends nothing, waits as long as a real send takes, and no code
 * ever matches it.
 */
export class RecoveryService {
  constructor(private readonly d: RecoveryServiceDeps) {}

  async start(rawIdentifier: string, language: MessageLanguage | undefined, meta: RequestMeta, variant?: PictureVariant) {
    this.requireDelivery();
    const identifier = parseIdentifier(rawIdentifier, this.d.defaultRegion);
    if (!identifier) throw invalidInput('Type a phone number (with its country code or a leading 0), an email address or a 10-digit account ID.');
    const account = this.resolveSingle(identifier);
    const id = randomToken(16);
    // The picture comes first: when the picture limit says no, no flow is left behind.
    const picture = this.d.captcha.issue('recovery', id, meta.ip, variant);
    const now = this.d.clock.now();
    this.d.db
      .prepare(
        `INSERT INTO recovery_flows (id, account_id, subject_key, identifier_kind, identifier, state, language, created_at, expires_at, ip)
         VALUES (?, ?, ?, ?, ?, 'awaiting_captcha', ?, ?, ?, ?)`,
      )
      .run(id, account?.id ?? null, this.subjectKey(identifier, account), identifier.kind, identifier.value, language ?? account?.language ?? 'en', now, now + FLOW_LIFETIME_MS, meta.ip);
    this.d.log.record(account?.id ?? null, 'recovery_started', meta, `by ${identifier.kind}`);
    return { flowId: id, state: 'awaiting_captcha' as const, expiresAt: now + FLOW_LIFETIME_MS, picture, delivery: this.d.delivery.info() };
  }

  newPicture(flowId: string, meta: RequestMeta, variant?: PictureVariant): Picture {
    const flow = this.liveFlow(flowId);
    if (flow.state !== 'awaiting_captcha') throw this.wrongStep();
    return this.d.captcha.issue('recovery', flow.id, meta.ip, variant);
  }

  async submitPicture(flowId: string, answer: string, meta: RequestMeta): Promise<CodeSentAnswer> {
    const flow = this.liveFlow(flowId);
    if (flow.state !== 'awaiting_captcha') throw this.wrongStep();
    if (!this.d.captcha.answer('recovery', { binding: flow.id }, answer)) {
      this.d.log.record(flow.account_id, 'recovery_picture_failed', meta);
      // A wrong answer brings a new picture (subject to the picture limit, which then answers instead).
      const picture = this.d.captcha.issue('recovery', flow.id, meta.ip);
      throw new LifelineError('invalid_code', 'The characters did not match the picture. Type the characters in the new picture.', { picture });
    }
    const channels = this.channels(flow);
    const preferred = channels.find((c) => c.channel === (flow.identifier_kind === 'phone' ? 'sms' : 'email')) ?? channels[0];
    if (!preferred) throw new LifelineError('internal', 'A recovery flow has no channel. This is a bug in Lifeline.');
    return this.send(flow, preferred.channel, 'first', meta);
  }

  async resendCode(flowId: string, meta: RequestMeta): Promise<CodeSentAnswer> {
    const flow = this.liveFlow(flowId);
    if (flow.state !== 'code_sent' || !flow.channel) throw this.wrongStep();
    return this.send(flow, flow.channel, 'resend', meta);
  }

  async switchChannel(flowId: string, channel: Channel, meta: RequestMeta): Promise<CodeSentAnswer> {
    const flow = this.liveFlow(flowId);
    if (flow.state !== 'code_sent') throw this.wrongStep();
    return this.send(flow, channel, 'switch', meta);
  }

  status(flowId: string): { flowId: string; state: RecoveryState; expiresAt: number } {
    const flow = this.getFlow(flowId);
    if (!flow) throw new LifelineError('expired', FLOW_EXPIRED);
    if (flow.end_reason === 'password_set') return { flowId: flow.id, state: 'password_set', expiresAt: flow.expires_at };
    if (flow.ended_at !== null || flow.expires_at <= this.d.clock.now()) throw new LifelineError('expired', FLOW_EXPIRED);
    return { flowId: flow.id, state: flow.state, expiresAt: flow.expires_at };
  }

  /**
   * Every attempt is counted before the code is compared, in one IMMEDIATE transaction: 5 per flow, 10 per
   * account a day. The state change to code_verified is conditional, so of many parallel right answers exactly
   * one wins; the rest see a used code.
   */
  verifyCode(flowId: string, rawCode: string, meta: RequestMeta): { flowId: string; state: RecoveryState; grant: string; grantExpiresAt: number } {
    const code = normalizeCode(rawCode);
    const grant = randomToken(32);
    const outcome = this.d.db.transaction((): { kind: 'ok'; flow: FlowRow; expiresAt: number } | { kind: 'wrong' | 'ended' | 'limited'; flow: FlowRow; retryAfterMs?: number } => {
      const flow = this.liveFlow(flowId);
      if (flow.state === 'awaiting_captcha' || flow.state === 'awaiting_identifier') throw this.wrongStep();
      // A used (or replayed) code gets the same answer as a wrong one and costs no try.
      if (flow.state !== 'code_sent') return { kind: 'wrong', flow };
      const accountKey = `recovery-code:${flow.subject_key}`;
      const perAccount = this.d.limiter.consume(accountKey, [{ max: WRONG_CODES_PER_ACCOUNT_PER_DAY, windowMs: DAY }]);
      if (!perAccount.allowed) return { kind: 'limited', flow, retryAfterMs: perAccount.retryAfterMs };
      const counted = this.d.db
        .prepare("UPDATE recovery_flows SET attempts = attempts + 1 WHERE id = ? AND state = 'code_sent' AND attempts < ? RETURNING attempts")
        .get(flow.id, WRONG_CODES_PER_FLOW) as { attempts: number } | undefined;
      if (!counted) {
        this.d.limiter.refund(accountKey);
        return { kind: 'ended', flow };
      }
      const now = this.d.clock.now();
      const right =
        code !== undefined &&
        flow.code_hash !== null &&
        flow.code_expires_at !== null &&
        flow.code_expires_at > now &&
        sameHash(flow.code_hash, this.d.keys.codeHash(flow.id, code));
      if (right) {
        const won = this.d.db
          .prepare(
            "UPDATE recovery_flows SET state = 'code_verified', code_hash = NULL, grant_hash = ?, grant_expires_at = ? WHERE id = ? AND state = 'code_sent'",
          )
          .run(this.d.keys.tokenHash(grant), now + GRANT_LIFETIME_MS, flow.id);
        if (won.changes === 1) {
          this.d.limiter.refund(accountKey);
          return { kind: 'ok', flow, expiresAt: now + GRANT_LIFETIME_MS };
        }
        return { kind: 'wrong', flow };
      }
      if (counted.attempts >= WRONG_CODES_PER_FLOW) {
        this.d.db.prepare("UPDATE recovery_flows SET ended_at = ?, end_reason = 'too_many_codes' WHERE id = ?").run(now, flow.id);
        return { kind: 'ended', flow };
      }
      return { kind: 'wrong', flow };
    }).immediate();

    const { flow } = outcome;
    switch (outcome.kind) {
      case 'ok':
        this.d.log.record(flow.account_id, 'recovery_code_verified', meta);
        return { flowId: flow.id, state: 'code_verified', grant, grantExpiresAt: outcome.expiresAt };
      case 'limited':
        this.d.log.record(flow.account_id, 'recovery_code_failed', meta, 'daily limit of wrong codes reached');
        throw rateLimited('Too many wrong codes for this account today.', outcome.retryAfterMs ?? DAY);
      case 'ended':
        this.d.log.record(flow.account_id, 'recovery_ended', meta, 'too many wrong codes');
        throw new LifelineError('invalid_code', `${WRONG_CODE} Too many wrong codes: this recovery has ended. Start again.`, { flowEnded: true });
      case 'wrong':
        this.d.log.record(flow.account_id, 'recovery_code_failed', meta);
        throw new LifelineError('invalid_code', WRONG_CODE);
    }
  }

  /**
   * Spends the grant and, in one transaction: sets the password, ends this and every other open flow of the
   * account, ends every session and starts the 24 h device hold. Then tells every verified channel.
   */
  async setPassword(flowId: string, grant: string, password: string, confirmation: string, meta: RequestMeta) {
    const flow = this.liveFlow(flowId);
    if (flow.state !== 'code_verified') throw this.wrongStep();
    const now = this.d.clock.now();
    if (flow.grant_used_at !== null || !sameHash(flow.grant_hash, this.d.keys.tokenHash(grant))) {
      throw new LifelineError('forbidden', 'This password reset is not valid. Start the recovery again.');
    }
    if (flow.grant_expires_at === null || flow.grant_expires_at <= now) {
      throw new LifelineError('expired', 'The 10 minutes to choose a new password have passed. Start the recovery again.');
    }
    const account = flow.account_id ? this.d.store.get(flow.account_id) : undefined;
    if (!account) throw new LifelineError('expired', FLOW_EXPIRED);
    const verdict = this.d.policy.checkNew(password, confirmation, { email: account.email ?? undefined, phone: account.phone ?? undefined });
    if (!verdict.ok) throw weakPassword(verdict.problem);
    const hash = await this.d.hasher.hash(verdict.normalized);

    const done = this.d.clock.now();
    const sessionsEnded = this.d.db.transaction((): number => {
      const spent = this.d.db
        .prepare(
          `UPDATE recovery_flows SET grant_used_at = ?, state = 'password_set', ended_at = ?, end_reason = 'password_set'
           WHERE id = ? AND state = 'code_verified' AND grant_used_at IS NULL AND grant_expires_at > ? AND ended_at IS NULL`,
        )
        .run(done, done, flow.id, done);
      if (spent.changes !== 1) throw new LifelineError('forbidden', 'This password reset was already used. Start the recovery again.');
      this.d.store.setPasswordHash(account.id, hash, done);
      this.d.store.setRecovered(account.id, done);
      this.d.db
        .prepare("UPDATE recovery_flows SET ended_at = ?, end_reason = 'password_set_elsewhere' WHERE account_id = ? AND ended_at IS NULL AND id != ?")
        .run(done, account.id, flow.id);
      return this.d.sessions.revokeAll(account.id, 'password recovered');
    }).immediate();
    this.d.log.record(account.id, 'recovery_password_set', meta, `${sessionsEnded} sessions ended`);

    const fresh = this.d.store.get(account.id) ?? account;
    for (const { channel, address } of verifiedChannels(fresh)) {
      try {
        await this.d.delivery.send({
          channel,
          to: address,
          message: { kind: 'password_changed', viaRecovery: true },
          language: fresh.language,
          idempotencyKey: `notice:recovered:${flow.id}:${channel}`,
        });
        this.d.log.record(account.id, 'notice_sent', meta, `password changed to ${maskAddress(channel, address)}`);
      } catch {
        this.d.log.record(account.id, 'notice_sent', meta, `password changed to ${maskAddress(channel, address)} failed`);
      }
    }
    return { state: 'password_set' as const, sessionsEnded, deviceHoldUntil: done + DEVICE_HOLD_MS, accountId: account.id };
  }

  /** True for 24 h after a recovery: the devices service refuses unlocking with the new password meanwhile. */
  isRecoveryHoldActive(accountId: string): boolean {
    const row = this.d.store.get(accountId);
    return row?.recovered_at != null && this.d.clock.now() < row.recovered_at + DEVICE_HOLD_MS;
  }

  // ---- forgotten account ----------------------------------------------------------------------------------

  lookupPicture(meta: RequestMeta, variant?: PictureVariant): Picture {
    return this.d.captcha.issue('lookup', undefined, meta.ip, variant);
  }

  /** The same masked confirmation in every case; the list goes only to the channel, and only if it is verified somewhere. */
  async lookupAccount(rawIdentifier: string, pictureId: string, answer: string, language: MessageLanguage | undefined, meta: RequestMeta): Promise<MaskedChannel> {
    this.requireDelivery();
    const identifier = parseIdentifier(rawIdentifier, this.d.defaultRegion);
    if (!identifier || identifier.kind === 'accountId') throw invalidInput('Type the phone number or the email address you used for the account.');
    if (!this.d.captcha.answer('lookup', { pictureId }, answer)) {
      const picture = this.d.captcha.issue('lookup', undefined, meta.ip);
      throw new LifelineError('invalid_code', 'The characters did not match the picture. Type the characters in the new picture.', { picture });
    }
    const identKey = `lookup:id:${identifier.kind}:${identifier.value}`;
    const ipKey = `lookup:ip:${meta.ip}`;
    this.d.db.transaction(() => {
      const perIdentifier = this.d.limiter.check(identKey, [{ max: LOOKUPS_PER_IDENTIFIER_PER_DAY, windowMs: DAY }]);
      if (!perIdentifier.allowed) throw rateLimited('Too many look-ups for this phone number or email today.', perIdentifier.retryAfterMs);
      const perIp = this.d.limiter.consume(ipKey, [{ max: LOOKUPS_PER_IP_PER_HOUR, windowMs: HOUR }]);
      if (!perIp.allowed) throw rateLimited('Too many account look-ups from this address.', perIp.retryAfterMs);
      this.d.limiter.consume(identKey, [{ max: LOOKUPS_PER_IDENTIFIER_PER_DAY, windowMs: DAY }]);
    }).immediate();

    const channel: Channel = identifier.kind === 'email' ? 'email' : 'sms';
    const matches = this.d.store.verifiedBy(identifier);
    const first = matches[0];
    const to = first ? (channel === 'email' ? (first.email ?? identifier.value) : (first.phone ?? identifier.value)) : undefined;
    if (first && to !== undefined && this.inboxHasRoom(channel, to)) {
      for (const m of matches) this.d.log.record(m.id, 'account_lookup', meta, `list sent to ${maskAddress(channel, identifier.value)}`);
      await this.d.delivery.send({
        channel,
        to,
        message: { kind: 'account_list', accountIds: matches.map((m) => m.id) },
        language: language ?? first.language,
        idempotencyKey: `lookup:${pictureId}`,
      });
    } else {
      await this.pretendToSend(channel);
    }
    return { channel, masked: maskAddress(channel, identifier.value) };
  }

  // ---- internals --------------------------------------------------------------------------------------------

  private async send(flow: FlowRow, channel: Channel, reason: SendReason, meta: RequestMeta): Promise<CodeSentAnswer> {
    const channels = this.channels(flow);
    const target = channels.find((c) => c.channel === channel);
    if (!target) throw invalidInput(channel === 'email' ? 'This account has no verified email to send a code to.' : 'This account has no verified phone number to send a code to.');
    const now = this.d.clock.now();
    if (reason !== 'first' && flow.last_sent_at !== null && now - flow.last_sent_at < RECOVERY_RESEND_COOLDOWN_MS) {
      throw rateLimited('A code was sent a moment ago.', flow.last_sent_at + RECOVERY_RESEND_COOLDOWN_MS - now);
    }
    if (flow.sends >= SENDS_PER_FLOW) {
      throw new LifelineError('rate_limited', `This recovery has sent ${SENDS_PER_FLOW} codes, the most it may. Start again to get another code.`, {
        retryAfterMs: 0,
      });
    }
    // Claim the send (flow and account counters) in one transaction; earlier codes stop working here.
    const sendNo = this.d.db.transaction((): number => {
      const perAccount = this.d.limiter.consume(`recovery-send:${flow.subject_key}`, SENDS_PER_ACCOUNT);
      if (!perAccount.allowed) throw rateLimited('Too many codes were sent for this account.', perAccount.retryAfterMs);
      const claimed = this.d.db
        .prepare(
          `UPDATE recovery_flows SET sends = sends + 1, last_sent_at = ?, channel = ?, state = 'code_sent', code_hash = NULL, code_expires_at = ?
           WHERE id = ? AND ended_at IS NULL AND sends < ? AND (last_sent_at IS NULL OR last_sent_at <= ?)
             AND state IN ('awaiting_captcha', 'code_sent') RETURNING sends`,
        )
        .get(now, channel, now + RECOVERY_CODE_LIFETIME_MS, flow.id, SENDS_PER_FLOW, reason === 'first' ? now : now - RECOVERY_RESEND_COOLDOWN_MS) as
        | { sends: number }
        | undefined;
      if (!claimed) throw rateLimited('A code was sent a moment ago.', RECOVERY_RESEND_COOLDOWN_MS);
      return claimed.sends;
    }).immediate();

    const account = flow.account_id ? this.d.store.get(flow.account_id) : undefined;
    if (account && target.address && !this.inboxHasRoom(channel, target.address)) {
      // Same answer as a send; the inbox is not flooded. The code of this flow simply never arrives.
      this.d.log.record(account.id, 'recovery_code_send_failed', meta, `held back: ${target.masked} had its hourly or daily share of messages`);
      await this.pretendToSend(channel);
    } else if (account && target.address) {
      const code = randomCode();
      try {
        await this.d.delivery.send({
          channel,
          to: target.address,
          message: { kind: 'recovery_code', code },
          language: flow.language,
          idempotencyKey: `recovery-code:${flow.id}:${sendNo}`,
        });
      } catch (error) {
        // Let the person try again at once instead of waiting out the cooldown for a message that never left.
        this.d.db.prepare('UPDATE recovery_flows SET last_sent_at = ? WHERE id = ?').run(flow.last_sent_at, flow.id);
        this.d.log.record(account.id, 'recovery_code_send_failed', meta, target.masked);
        throw error;
      }
      this.d.db
        .prepare("UPDATE recovery_flows SET code_hash = ?, code_expires_at = ? WHERE id = ? AND state = 'code_sent' AND sends = ? AND ended_at IS NULL")
        .run(this.d.keys.codeHash(flow.id, code), now + RECOVERY_CODE_LIFETIME_MS, flow.id, sendNo);
      this.d.log.record(account.id, 'recovery_code_sent', meta, `${reason} to ${target.masked}`);
    } else {
      await this.sendAmbiguousListOnce(flow, channel, sendNo);
    }
    return this.answer(flow.id, channel, channels);
  }

  /**
   * No single account matched. If several accounts share this verified address, the first send tells it their
   * account IDs (recovery needs one account); otherwise nothing is sent. Either way it takes as long as a send.
   */
  private async sendAmbiguousListOnce(flow: FlowRow, channel: Channel, sendNo: number): Promise<void> {
    const identifier = { kind: flow.identifier_kind, value: flow.identifier } as Identifier;
    const ownChannel: Channel = identifier.kind === 'phone' ? 'sms' : 'email';
    if (sendNo === 1 && identifier.kind !== 'accountId' && channel === ownChannel) {
      const matches = this.d.store.verifiedBy(identifier);
      if (matches.length > 1 && this.inboxHasRoom(channel, identifier.value)) {
        try {
          await this.d.delivery.send({
            channel,
            to: identifier.value,
            message: { kind: 'account_list', accountIds: matches.map((m) => m.id) },
            language: flow.language,
            idempotencyKey: `recovery-list:${flow.id}`,
          });
        } catch {
          // Failing here would tell that accounts exist; the person can use "Forgot account?" instead.
        }
        return;
      }
    }
    await this.pretendToSend(channel);
  }

  /** Counts one anonymous-triggered message to this address if the inbox still has room (MESSAGES_PER_INBOX). */
  private inboxHasRoom(channel: Channel, address: string): boolean {
    return this.d.limiter.consume(`inbox:${channel}:${address.toLowerCase()}`, MESSAGES_PER_INBOX).allowed;
  }

  /** Waits about as long as a real send on this channel takes, so that nothing-to-send is not faster. */
  private async pretendToSend(channel: Channel): Promise<void> {
    const ms = this.d.delivery.typicalSendMs(channel);
    await new Promise<void>((resolve) => setTimeout(resolve, ms));
  }

  private answer(flowId: string, channel: Channel, channels: FlowChannel[]): CodeSentAnswer {
    const flow = this.getFlow(flowId);
    if (!flow) throw new LifelineError('expired', FLOW_EXPIRED);
    const sentAt = flow.last_sent_at ?? this.d.clock.now();
    const target = channels.find((c) => c.channel === channel);
    return {
      flowId: flow.id,
      state: 'code_sent',
      sentTo: { channel, masked: target?.masked ?? '' },
      channels: channels.map((c) => ({ channel: c.channel, masked: c.masked })),
      codeExpiresAt: flow.code_expires_at ?? sentAt + RECOVERY_CODE_LIFETIME_MS,
      resendAvailableAt: sentAt + RECOVERY_RESEND_COOLDOWN_MS,
      sendsLeft: Math.max(0, SENDS_PER_FLOW - flow.sends),
      expiresAt: flow.expires_at,
      delivery: this.d.delivery.info(),
    };
  }

  /**
   * The channels shown for the flow, email first. A matched account shows its verified channels; otherwise the
   * typed address and, decided by a keyed hash of the identifier (so asking twice gives the same answer),
   * a stand-in second channel, so that the list does not give away that nothing matched.
   */
  private channels(flow: FlowRow): FlowChannel[] {
    const account = flow.account_id ? this.d.store.get(flow.account_id) : undefined;
    if (account && account.disabled === 0) {
      const real = verifiedChannels(account)
        .filter((c) => this.d.delivery.canDeliver(c.channel))
        .map((c) => ({ channel: c.channel, address: c.address, masked: maskAddress(c.channel, c.address) }));
      if (real.length > 0) return real;
    }
    const bytes = this.d.keys.fakeBytes(`${flow.identifier_kind}:${flow.identifier}`);
    const fakeEmail = (): FlowChannel => {
      const a = LETTERS[(bytes[2] ?? 0) % LETTERS.length] ?? 'a';
      const b = LETTERS[(bytes[3] ?? 0) % LETTERS.length] ?? 'n';
      const domain = FAKE_EMAIL_DOMAINS[(bytes[4] ?? 0) % FAKE_EMAIL_DOMAINS.length] ?? 'gmail.com';
      return { channel: 'email', masked: `${a}${b}****@${domain}` };
    };
    const fakePhone = (): FlowChannel => {
      const cc = getCountryCallingCode(this.d.defaultRegion);
      return { channel: 'sms', masked: `+${cc}****${String((bytes[5] ?? 0) % 100).padStart(2, '0')}` };
    };
    const list: FlowChannel[] = [];
    switch (flow.identifier_kind) {
      case 'email':
        list.push({ channel: 'email', masked: maskEmail(flow.identifier) });
        if ((bytes[0] ?? 0) < 150) list.push(fakePhone());
        break;
      case 'phone':
        if ((bytes[0] ?? 0) < 150) list.push(fakeEmail());
        list.push({ channel: 'sms', masked: maskPhone(flow.identifier) });
        break;
      case 'accountId': {
        const pick = (bytes[1] ?? 0) % 3;
        if (pick !== 2) list.push(fakeEmail());
        if (pick !== 0) list.push(fakePhone());
        break;
      }
    }
    return list.filter((c) => this.d.delivery.canDeliver(c.channel));
  }

  private resolveSingle(identifier: Identifier): AccountRow | undefined {
    const matches = this.d.store.verifiedBy(identifier, 2);
    return matches.length === 1 ? matches[0] : undefined;
  }

  private subjectKey(identifier: Identifier, account: AccountRow | undefined): string {
    return account ? `a:${account.id}` : `i:${identifier.kind}:${identifier.value}`;
  }

  private getFlow(flowId: string): FlowRow | undefined {
    return this.d.db.prepare('SELECT * FROM recovery_flows WHERE id = ?').get(flowId) as FlowRow | undefined;
  }

  private liveFlow(flowId: string): FlowRow {
    const flow = this.getFlow(flowId);
    if (!flow || flow.ended_at !== null || flow.expires_at <= this.d.clock.now()) throw new LifelineError('expired', FLOW_EXPIRED);
    return flow;
  }

  private wrongStep(): LifelineError {
    return new LifelineError('invalid_state', 'This step does not fit where this recovery stands. Follow the steps on the screen, or start again.');
  }

  private requireDelivery(): void {
    if (!this.d.delivery.recoveryAvailable()) {
      throw new LifelineError(
        'unavailable',
        'Password recovery is off on this shared server because no real delivery is set up. Ask its operator to set LIFELINE_SMTP_URL or LIFELINE_SMS_WEBHOOK_URL.',
      );
    }
  }
}
