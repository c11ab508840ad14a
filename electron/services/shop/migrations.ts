import type { Migration } from '../db/migrate';

/** Schema of the 'shop' scope: tickets, the audit log and the shop's own settings. */
export const shopMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'tickets',
    up(db) {
      db.exec(`
        CREATE TABLE shop_tickets (
          id TEXT PRIMARY KEY,
          number TEXT NOT NULL UNIQUE,
          customer_name TEXT NOT NULL,
          contact TEXT NOT NULL,
          device TEXT NOT NULL,
          problem TEXT NOT NULL,
          consent_backup INTEGER NOT NULL CHECK (consent_backup IN (0, 1)),
          consent_retention INTEGER NOT NULL CHECK (consent_retention IN (0, 1)),
          step TEXT NOT NULL CHECK (step IN ('connect', 'identity', 'readiness', 'backup', 'ready', 'restore', 'closed')),
          serial TEXT,
          identity_json TEXT,
          readiness_json TEXT,
          backup_json TEXT,
          ready_json TEXT,
          restore_json TEXT,
          delete_after INTEGER,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX shop_tickets_created ON shop_tickets (created_at DESC);
        CREATE INDEX shop_tickets_delete_after ON shop_tickets (delete_after) WHERE delete_after IS NOT NULL;
      `);
    },
  },
  {
    version: 2,
    name: 'audit log',
    up(db) {
      db.exec(`
        CREATE TABLE shop_audit (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          ticket_id TEXT,
          at INTEGER NOT NULL,
          operator TEXT NOT NULL,
          action TEXT NOT NULL,
          detail TEXT NOT NULL
        ) STRICT;
        CREATE INDEX shop_audit_ticket ON shop_audit (ticket_id, id);
        -- The log is append-only: a row, once written, is evidence.
        CREATE TRIGGER shop_audit_no_update BEFORE UPDATE ON shop_audit BEGIN SELECT RAISE(ABORT, 'the shop audit log is append-only'); END;
        CREATE TRIGGER shop_audit_no_delete BEFORE DELETE ON shop_audit BEGIN SELECT RAISE(ABORT, 'the shop audit log is append-only'); END;
      `);
    },
  },
  {
    version: 3,
    name: 'settings',
    up(db) {
      db.exec(`CREATE TABLE shop_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at INTEGER NOT NULL) STRICT;`);
    },
  },
];
