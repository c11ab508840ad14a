import type { Migration } from '../migrate';

/** The core scope: tables the app shell itself needs. Services keep their own scopes. */
export const coreMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'settings',
    up(db) {
      db.exec(`
        CREATE TABLE settings (
          key TEXT PRIMARY KEY,
          value TEXT NOT NULL,
          updated_at INTEGER NOT NULL
        ) STRICT`);
    },
  },
];
