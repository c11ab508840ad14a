import type { Database } from 'better-sqlite3';
import crypto from 'node:crypto';
import type { SessionInfo } from '../../../contract/account';
import type { Clock } from '../clock';
import { DAY, HOUR, MINUTE } from './limiter';
import { randomToken, type AccountKeys } from './secrets';
import type { RequestMeta } from './security-log';

export const SESSION_IDLE_MS = 30 * MINUTE;
export const SESSION_ABSOLUTE_MS = 12 * HOUR;
/** "Keep me signed in" on the person's own desktop: longer, still revocable from the sessions list. */
export const KEEP_IDLE_MS = 14 * DAY;
export const KEEP_ABSOLUTE_MS = 30 * DAY;

export interface ValidSession {
  readonly sessionId: string;
  readonly accountId: string;
}

interface SessionRow {
  id: string;
  account_id: string;
  keep_signed_in: number;
  created_at: number;
  last_seen_at: number;
  absolute_expires_at: number;
  ip: string;
  user_agent: string;
  revoked_at: number | null;
}

/** 256-bit random tokens, stored only as keyed hashes; idle and absolute limits checked on every use. */
export class SessionStore {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly keys: AccountKeys,
  ) {}

  create(accountId: string, keepSignedIn: boolean, meta: RequestMeta): { token: string; sessionId: string; expiresAt: number } {
    const token = randomToken(32);
    const sessionId = crypto.randomBytes(12).toString('base64url');
    const now = this.clock.now();
    const absolute = now + (keepSignedIn ? KEEP_ABSOLUTE_MS : SESSION_ABSOLUTE_MS);
    this.db
      .prepare(
        `INSERT INTO sessions (id, account_id, token_hash, keep_signed_in, created_at, last_seen_at, absolute_expires_at, ip, user_agent)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(sessionId, accountId, this.keys.tokenHash(token), keepSignedIn ? 1 : 0, now, now, absolute, meta.ip.slice(0, 100), meta.userAgent.slice(0, 300));
    return { token, sessionId, expiresAt: Math.min(absolute, now + (keepSignedIn ? KEEP_IDLE_MS : SESSION_IDLE_MS)) };
  }

  /** The live session for a token (and a touch of its idle timer), or undefined. */
  validate(token: string | undefined): ValidSession | undefined {
    if (!token || token.length > 200) return undefined;
    const row = this.db.prepare('SELECT * FROM sessions WHERE token_hash = ?').get(this.keys.tokenHash(token)) as SessionRow | undefined;
    if (!row || !this.isLive(row)) return undefined;
    const disabled = this.db.prepare('SELECT disabled FROM accounts WHERE id = ?').get(row.account_id) as { disabled: number } | undefined;
    if (!disabled || disabled.disabled === 1) return undefined;
    this.db.prepare('UPDATE sessions SET last_seen_at = ? WHERE id = ?').run(this.clock.now(), row.id);
    return { sessionId: row.id, accountId: row.account_id };
  }

  list(accountId: string, currentSessionId: string | undefined): SessionInfo[] {
    const rows = this.db
      .prepare('SELECT * FROM sessions WHERE account_id = ? AND revoked_at IS NULL ORDER BY created_at DESC, rowid DESC')
      .all(accountId) as SessionRow[];
    return rows
      .filter((r) => this.isLive(r))
      .map((r) => ({
        sessionId: r.id,
        current: r.id === currentSessionId,
        createdAt: r.created_at,
        lastSeenAt: r.last_seen_at,
        expiresAt: this.expiresAt(r),
        keepSignedIn: r.keep_signed_in === 1,
        ip: r.ip,
        userAgent: r.user_agent,
      }));
  }

  revoke(accountId: string, sessionId: string, reason: string): boolean {
    const result = this.db
      .prepare('UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND account_id = ? AND revoked_at IS NULL')
      .run(this.clock.now(), reason, sessionId, accountId);
    return result.changes === 1;
  }

  revokeToken(token: string, reason: string): ValidSession | undefined {
    const row = this.db.prepare('SELECT id, account_id FROM sessions WHERE token_hash = ? AND revoked_at IS NULL').get(this.keys.tokenHash(token)) as
      | { id: string; account_id: string }
      | undefined;
    if (!row) return undefined;
    this.db.prepare('UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE id = ?').run(this.clock.now(), reason, row.id);
    return { sessionId: row.id, accountId: row.account_id };
  }

  /** Ends every session of the account except `keepSessionId`; returns how many ended. */
  revokeAll(accountId: string, reason: string, keepSessionId?: string): number {
    return this.db
      .prepare('UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE account_id = ? AND revoked_at IS NULL AND id IS NOT ?')
      .run(this.clock.now(), reason, accountId, keepSessionId ?? null).changes;
  }

  private expiresAt(row: SessionRow): number {
    const idle = row.keep_signed_in === 1 ? KEEP_IDLE_MS : SESSION_IDLE_MS;
    return Math.min(row.absolute_expires_at, row.last_seen_at + idle);
  }

  private isLive(row: SessionRow): boolean {
    return row.revoked_at === null && this.clock.now() < this.expiresAt(row);
  }
}
