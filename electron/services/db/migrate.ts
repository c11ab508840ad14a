import type { Database } from 'better-sqlite3';
import { LifelineError } from '../../../contract';

/**
 * One schema change. Versions are numbered from 1 within a scope (each service owns a scope,
 * so services evolve their tables independently) and are never edited once released.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: Database): void;
}

const BOOKKEEPING = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    scope TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL,
    PRIMARY KEY (scope, version)
  ) STRICT`;

export function currentVersion(db: Database, scope: string): number {
  db.exec(BOOKKEEPING);
  const row = db
    .prepare('SELECT MAX(version) AS v FROM schema_migrations WHERE scope = ?')
    .get(scope) as { v: number | null };
  return row.v ?? 0;
}

/**
 * Applies the migrations of one scope that the database has not seen, each in its own transaction.
 * Refuses a database written by a newer Lifeline instead of guessing at its schema.
 */
export function applyMigrations(db: Database, scope: string, migrations: readonly Migration[], now: () => number): number {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Migrations of "${scope}" must be numbered 1..n without gaps (found ${m.version} at ${i + 1}).`);
  });
  const have = currentVersion(db, scope);
  const known = sorted.length;
  if (have > known) {
    throw new LifelineError(
      'unsupported_version',
      `The data was written by a newer Lifeline (${scope} schema ${have}, this version knows ${known}). Update Lifeline to open it.`,
    );
  }
  let applied = 0;
  for (const m of sorted.slice(have)) {
    db.transaction(() => {
      m.up(db);
      db.prepare('INSERT INTO schema_migrations (scope, version, name, applied_at) VALUES (?, ?, ?, ?)').run(
        scope,
        m.version,
        m.name,
        now(),
      );
    }).immediate();
    applied++;
  }
  return applied;
}
