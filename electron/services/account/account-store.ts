import type { Database } from 'better-sqlite3';
import crypto from 'node:crypto';
import type { AccountSummary, Channel, MessageLanguage } from '../../../contract/account';
import type { Identifier } from './normalize';

export interface AccountRow {
  id: string;
  email: string | null;
  email_verified: number;
  phone: string | null;
  phone_verified: number;
  password_hash: string;
  language: MessageLanguage;
  disabled: number;
  created_at: number;
  password_changed_at: number;
  recovered_at: number | null;
}

export interface VerifiedChannel {
  readonly channel: Channel;
  readonly address: string;
}

/** Row access for the accounts table; bound parameters only. */
export class AccountStore {
  constructor(private readonly db: Database) {}

  get(id: string): AccountRow | undefined {
    return this.db.prepare('SELECT * FROM accounts WHERE id = ?').get(id) as AccountRow | undefined;
  }

  /**
   * Accounts that use this identifier at all (sign-in), at most `limit`: verified ones first, so accounts made with
   * someone else's unverified address cannot push the owner's account out of the list.
   */
  byIdentifier(identifier: Identifier, limit = 5): AccountRow[] {
    switch (identifier.kind) {
      case 'accountId': {
        const row = this.get(identifier.value);
        return row ? [row] : [];
      }
      case 'email':
        return this.db.prepare('SELECT * FROM accounts WHERE email = ? ORDER BY email_verified DESC, created_at DESC LIMIT ?').all(identifier.value, limit) as AccountRow[];
      case 'phone':
        return this.db.prepare('SELECT * FROM accounts WHERE phone = ? ORDER BY phone_verified DESC, created_at DESC LIMIT ?').all(identifier.value, limit) as AccountRow[];
    }
  }

  /** Enabled accounts on which this email or phone number is verified (recovery and lookup only trust those). */
  verifiedBy(identifier: Identifier, limit = 20): AccountRow[] {
    switch (identifier.kind) {
      case 'accountId': {
        const row = this.get(identifier.value);
        return row && row.disabled === 0 && (row.email_verified === 1 || row.phone_verified === 1) ? [row] : [];
      }
      case 'email':
        return this.db
          .prepare('SELECT * FROM accounts WHERE email = ? AND email_verified = 1 AND disabled = 0 ORDER BY created_at LIMIT ?')
          .all(identifier.value, limit) as AccountRow[];
      case 'phone':
        return this.db
          .prepare('SELECT * FROM accounts WHERE phone = ? AND phone_verified = 1 AND disabled = 0 ORDER BY created_at LIMIT ?')
          .all(identifier.value, limit) as AccountRow[];
    }
  }

  /** Inserts with a fresh random 10-digit ID (first digit 1-9), retrying the rare collision. */
  create(fields: { email: string | undefined; phone: string | undefined; passwordHash: string; language: MessageLanguage; now: number }): AccountRow {
    const insert = this.db.prepare(
      `INSERT INTO accounts (id, email, phone, password_hash, language, created_at, password_changed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    );
    for (let i = 0; i < 20; i++) {
      const id = String(crypto.randomInt(1_000_000_000, 10_000_000_000));
      const result = insert.run(id, fields.email ?? null, fields.phone ?? null, fields.passwordHash, fields.language, fields.now, fields.now);
      if (result.changes === 1) return this.get(id) as AccountRow;
    }
    throw new Error('Could not find a free account ID after 20 tries.');
  }

  setPasswordHash(id: string, hash: string, now: number | undefined): void {
    if (now === undefined) this.db.prepare('UPDATE accounts SET password_hash = ? WHERE id = ?').run(hash, id);
    else this.db.prepare('UPDATE accounts SET password_hash = ?, password_changed_at = ? WHERE id = ?').run(hash, now, id);
  }

  setChannel(id: string, channel: Channel, address: string): void {
    if (channel === 'email') this.db.prepare('UPDATE accounts SET email = ?, email_verified = 0 WHERE id = ?').run(address, id);
    else this.db.prepare('UPDATE accounts SET phone = ?, phone_verified = 0 WHERE id = ?').run(address, id);
  }

  markVerified(id: string, channel: Channel, address: string): boolean {
    const sql =
      channel === 'email'
        ? 'UPDATE accounts SET email_verified = 1 WHERE id = ? AND email = ?'
        : 'UPDATE accounts SET phone_verified = 1 WHERE id = ? AND phone = ?';
    return this.db.prepare(sql).run(id, address).changes === 1;
  }

  setRecovered(id: string, now: number): void {
    this.db.prepare('UPDATE accounts SET recovered_at = ? WHERE id = ?').run(now, id);
  }

  setDisabled(id: string, disabled: boolean): void {
    this.db.prepare('UPDATE accounts SET disabled = ? WHERE id = ?').run(disabled ? 1 : 0, id);
  }
}

export function verifiedChannels(row: AccountRow): VerifiedChannel[] {
  const list: VerifiedChannel[] = [];
  if (row.email && row.email_verified === 1) list.push({ channel: 'email', address: row.email });
  if (row.phone && row.phone_verified === 1) list.push({ channel: 'sms', address: row.phone });
  return list;
}

export function summarize(row: AccountRow): AccountSummary {
  return {
    accountId: row.id,
    ...(row.email ? { email: row.email } : {}),
    emailVerified: row.email_verified === 1,
    ...(row.phone ? { phone: row.phone } : {}),
    phoneVerified: row.phone_verified === 1,
    language: row.language,
    createdAt: row.created_at,
    passwordChangedAt: row.password_changed_at,
  };
}
