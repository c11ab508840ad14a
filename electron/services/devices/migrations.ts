import type { Migration } from '../db/migrate';

/**
 * The 'devices' scope. Times are milliseconds since 1970 from the service clock.
 * Child rows (reports, commands, alerts) go with their device: removing a phone from the account
 * deletes what it reported.
 */
export const deviceMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'devices',
    up(db) {
      db.exec(`
        CREATE TABLE devices (
          id TEXT PRIMARY KEY,
          account_id TEXT NOT NULL,
          name TEXT NOT NULL,
          model TEXT NOT NULL,
          platform TEXT NOT NULL CHECK (platform IN ('android', 'ios', 'other')),
          os_version TEXT NOT NULL,
          serial TEXT,
          -- personal data: kept as given, never logged, never sent to the renderer
          imei TEXT,
          -- SHA-256 of the device token; NULL when no token is live (after an erase)
          token_hash BLOB UNIQUE,
          token_issued_at INTEGER,
          find_device INTEGER NOT NULL DEFAULT 1 CHECK (find_device IN (0, 1)),
          activation_lock INTEGER NOT NULL DEFAULT 1 CHECK (activation_lock IN (0, 1)),
          lost_mode TEXT NOT NULL DEFAULT 'off' CHECK (lost_mode IN ('off', 'pending', 'on', 'ending')),
          lost_message TEXT,
          lost_phone TEXT,
          lost_alerted_at INTEGER,
          erased INTEGER NOT NULL DEFAULT 0 CHECK (erased IN (0, 1)),
          battery_percent INTEGER,
          battery_charging INTEGER,
          network_type TEXT,
          network_operator TEXT,
          sim_slot INTEGER,
          sim_operator TEXT,
          sim_iccid_hash TEXT,
          screen_locked INTEGER,
          created_at INTEGER NOT NULL,
          last_seen_at INTEGER
        ) STRICT;
        CREATE INDEX devices_by_account ON devices (account_id, created_at);
        CREATE UNIQUE INDEX devices_by_serial ON devices (serial) WHERE serial IS NOT NULL;
      `);
    },
  },
  {
    version: 2,
    name: 'enrollment codes',
    up(db) {
      db.exec(`
        CREATE TABLE device_enrollment_codes (
          code_hash BLOB PRIMARY KEY,
          account_id TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL,
          used_at INTEGER,
          device_id TEXT
        ) STRICT;
        CREATE INDEX device_enrollment_codes_by_account ON device_enrollment_codes (account_id, created_at);
      `);
    },
  },
  {
    version: 3,
    name: 'reports and location history',
    up(db) {
      db.exec(`
        CREATE TABLE device_reports (
          id INTEGER PRIMARY KEY,
          device_id TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
          at INTEGER NOT NULL,
          received_at INTEGER NOT NULL,
          lat REAL,
          lon REAL,
          accuracy_m REAL,
          source TEXT,
          battery_percent INTEGER,
          battery_charging INTEGER,
          network_type TEXT,
          network_operator TEXT,
          sim_slot INTEGER,
          sim_operator TEXT,
          sim_iccid_hash TEXT,
          CHECK ((lat IS NULL) = (lon IS NULL)),
          CHECK (lat IS NULL OR (lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180))
        ) STRICT;
        CREATE INDEX device_reports_trail ON device_reports (device_id, at);
        CREATE INDEX device_reports_by_time ON device_reports (at);
      `);
    },
  },
  {
    version: 4,
    name: 'commands',
    up(db) {
      db.exec(`
        CREATE TABLE device_commands (
          id TEXT PRIMARY KEY,
          device_id TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
          type TEXT NOT NULL CHECK (type IN ('ring', 'lost_mode', 'end_lost_mode', 'locate_now', 'erase')),
          params TEXT NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('queued', 'delivered', 'done', 'failed')),
          created_at INTEGER NOT NULL,
          delivered_at INTEGER,
          finished_at INTEGER,
          detail TEXT
        ) STRICT;
        CREATE INDEX device_commands_by_device ON device_commands (device_id, status, created_at);
      `);
    },
  },
  {
    version: 5,
    name: 'alerts',
    up(db) {
      db.exec(`
        CREATE TABLE device_alerts (
          id TEXT PRIMARY KEY,
          account_id TEXT NOT NULL,
          device_id TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
          kind TEXT NOT NULL CHECK (kind IN ('lost_device_reported', 'sim_changed', 'erase_done', 'activation_held')),
          message TEXT NOT NULL,
          at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX device_alerts_by_account ON device_alerts (account_id, at);
      `);
    },
  },
  {
    version: 6,
    name: 'settings and throttles',
    up(db) {
      db.exec(`
        CREATE TABLE device_settings (
          key TEXT PRIMARY KEY,
          value TEXT NOT NULL,
          updated_at INTEGER NOT NULL
        ) STRICT;
        -- failures counted per key (IP, device + IP, account) so a restart does not reset a throttle
        CREATE TABLE device_throttle (
          key TEXT NOT NULL,
          at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX device_throttle_by_key ON device_throttle (key, at);
      `);
    },
  },
];
