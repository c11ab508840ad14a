import type { Database } from 'better-sqlite3';
import type { SecurityEvent } from '../../../contract/account';
import type { Clock } from '../clock';

export interface RequestMeta {
  readonly ip: string;
  readonly userAgent: string;
}

export type SecurityEventName =
  | 'account_created'
  | 'channel_verified'
  | 'verification_sent'
  | 'sign_in'
  | 'sign_in_failed'
  | 'sign_in_blocked'
  | 'sign_out'
  | 'session_ended'
  | 'password_changed'
  | 'email_changed'
  | 'phone_changed'
  | 'recovery_started'
  | 'recovery_picture_failed'
  | 'recovery_code_sent'
  | 'recovery_code_send_failed'
  | 'recovery_code_failed'
  | 'recovery_code_verified'
  | 'recovery_ended'
  | 'recovery_password_set'
  | 'account_lookup'
  | 'notice_sent';

/**
 * The security log: what happened, when, from where. Details are short and secret-free by construction:
 * callers pass masked channels and reasons, never codes, passwords or tokens.
 */
export class SecurityLog {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  record(accountId: string | null, event: SecurityEventName, meta: RequestMeta, detail?: string): void {
    this.db
      .prepare('INSERT INTO security_log (account_id, at, ip, user_agent, event, detail) VALUES (?, ?, ?, ?, ?, ?)')
      .run(accountId, this.clock.now(), meta.ip.slice(0, 100), meta.userAgent.slice(0, 300), event, detail?.slice(0, 300) ?? null);
  }

  /** Newest first. */
  list(accountId: string, limit = 100, beforeId?: number): SecurityEvent[] {
    const rows = this.db
      .prepare(
        'SELECT id, at, ip, user_agent, event, detail FROM security_log WHERE account_id = ? AND id < ? ORDER BY id DESC LIMIT ?',
      )
      .all(accountId, beforeId ?? Number.MAX_SAFE_INTEGER, limit) as {
      id: number;
      at: number;
      ip: string;
      user_agent: string;
      event: string;
      detail: string | null;
    }[];
    return rows.map((r) => ({ id: r.id, at: r.at, event: r.event, ip: r.ip, userAgent: r.user_agent, ...(r.detail ? { detail: r.detail } : {}) }));
  }
}
