import type { Migration } from '../db/migrate';

/**
 * The 'account' scope: accounts, sessions, codes, recovery flows, picture codes, limits, the security log
 * and delivery records. Secrets are never stored in the clear: tokens and codes are keyed hashes.
 */
export const accountMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'accounts',
    up(db) {
      // Email and phone are not unique: a family may share one, and "forgot account" lists every match.
      db.exec(`
        CREATE TABLE accounts (
          id TEXT PRIMARY KEY CHECK (length(id) = 10 AND id GLOB '[1-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'),
          email TEXT,
          email_verified INTEGER NOT NULL DEFAULT 0 CHECK (email_verified IN (0, 1)),
          phone TEXT CHECK (phone IS NULL OR phone GLOB '+[1-9]*'),
          phone_verified INTEGER NOT NULL DEFAULT 0 CHECK (phone_verified IN (0, 1)),
          password_hash TEXT NOT NULL,
          language TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'id')),
          disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
          created_at INTEGER NOT NULL,
          password_changed_at INTEGER NOT NULL,
          recovered_at INTEGER,
          CHECK (email IS NOT NULL OR phone IS NOT NULL)
        ) STRICT;
        CREATE INDEX accounts_email ON accounts (email) WHERE email IS NOT NULL;
        CREATE INDEX accounts_phone ON accounts (phone) WHERE phone IS NOT NULL;`);
    },
  },
  {
    version: 2,
    name: 'sessions',
    up(db) {
      db.exec(`
        CREATE TABLE sessions (
          id TEXT PRIMARY KEY,
          account_id TEXT NOT NULL REFERENCES accounts (id),
          token_hash BLOB NOT NULL UNIQUE,
          keep_signed_in INTEGER NOT NULL CHECK (keep_signed_in IN (0, 1)),
          created_at INTEGER NOT NULL,
          last_seen_at INTEGER NOT NULL,
          absolute_expires_at INTEGER NOT NULL,
          ip TEXT NOT NULL,
          user_agent TEXT NOT NULL,
          revoked_at INTEGER,
          revoke_reason TEXT
        ) STRICT;
        CREATE INDEX sessions_account ON sessions (account_id, revoked_at);`);
    },
  },
  {
    version: 3,
    name: 'verification_codes',
    up(db) {
      // Codes that prove a channel belongs to the person (sign-up, changed email or phone).
      db.exec(`
        CREATE TABLE verification_codes (
          id TEXT PRIMARY KEY,
          account_id TEXT NOT NULL REFERENCES accounts (id),
          channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
          address TEXT NOT NULL,
          code_hash BLOB NOT NULL,
          created_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL,
          attempts INTEGER NOT NULL DEFAULT 0,
          used_at INTEGER,
          superseded_at INTEGER
        ) STRICT;
        CREATE INDEX verification_codes_account ON verification_codes (account_id, channel, created_at);`);
    },
  },
  {
    version: 4,
    name: 'recovery_flows',
    up(db) {
      // One row per flow: only the newest code is kept, so a resend makes earlier codes invalid by construction.
      // subject_key names the account (or, for no match, the identifier) for the per-account limits.
      db.exec(`
        CREATE TABLE recovery_flows (
          id TEXT PRIMARY KEY,
          account_id TEXT REFERENCES accounts (id),
          subject_key TEXT NOT NULL,
          identifier_kind TEXT NOT NULL CHECK (identifier_kind IN ('email', 'phone', 'accountId')),
          identifier TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('awaiting_identifier', 'awaiting_captcha', 'code_sent', 'code_verified', 'password_set')),
          language TEXT NOT NULL CHECK (language IN ('en', 'id')),
          channel TEXT CHECK (channel IN ('email', 'sms')),
          created_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL,
          sends INTEGER NOT NULL DEFAULT 0,
          last_sent_at INTEGER,
          code_hash BLOB,
          code_expires_at INTEGER,
          attempts INTEGER NOT NULL DEFAULT 0,
          grant_hash BLOB,
          grant_expires_at INTEGER,
          grant_used_at INTEGER,
          ended_at INTEGER,
          end_reason TEXT,
          ip TEXT NOT NULL
        ) STRICT;
        CREATE INDEX recovery_flows_account ON recovery_flows (account_id, ended_at);`);
    },
  },
  {
    version: 5,
    name: 'captchas',
    up(db) {
      db.exec(`
        CREATE TABLE captchas (
          id TEXT PRIMARY KEY,
          purpose TEXT NOT NULL CHECK (purpose IN ('recovery', 'lookup', 'signin')),
          binding TEXT NOT NULL,
          answer_hash BLOB NOT NULL,
          ip TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL,
          used_at INTEGER
        ) STRICT;
        CREATE INDEX captchas_binding ON captchas (purpose, binding, used_at);
        CREATE INDEX captchas_expiry ON captchas (expires_at);`);
    },
  },
  {
    version: 6,
    name: 'rate_limits',
    up(db) {
      // Sliding windows as event rows (exact "at most N in any window"), and streaks with a block time.
      db.exec(`
        CREATE TABLE rate_events (
          key TEXT NOT NULL,
          at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX rate_events_key ON rate_events (key, at);
        CREATE TABLE rate_streaks (
          key TEXT PRIMARY KEY,
          count INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          blocked_until INTEGER
        ) STRICT;`);
    },
  },
  {
    version: 7,
    name: 'security_log',
    up(db) {
      db.exec(`
        CREATE TABLE security_log (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          account_id TEXT,
          at INTEGER NOT NULL,
          ip TEXT NOT NULL,
          user_agent TEXT NOT NULL,
          event TEXT NOT NULL,
          detail TEXT
        ) STRICT;
        CREATE INDEX security_log_account ON security_log (account_id, id);`);
    },
  },
  {
    version: 8,
    name: 'deliveries',
    up(db) {
      // Message bodies are not kept (they carry codes); the idempotency key makes a retried send a no-op once sent.
      db.exec(`
        CREATE TABLE deliveries (
          idempotency_key TEXT PRIMARY KEY,
          channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
          to_masked TEXT NOT NULL,
          kind TEXT NOT NULL,
          transport TEXT NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
          attempts INTEGER NOT NULL DEFAULT 0,
          last_error TEXT,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        ) STRICT;`);
    },
  },
];
