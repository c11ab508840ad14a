import BetterSqlite3, { type Database } from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LifelineError } from '../../../contract';

export const DB_FILE = 'lifeline.db';
const OWNER_FILE = 'lifeline.owner.json';

interface Owner {
  pid: number;
  host: string;
  startedAt: string;
}

/**
 * Opens `<dataDir>/lifeline.db` for this process alone.
 *
 * The database runs in WAL mode with `locking_mode=EXCLUSIVE`, and we take the write lock at once:
 * the operating system then keeps any second process out until this one exits or crashes, so two
 * hosts on one data dir can never interleave writes. The owner file only makes the refusal readable.
 */
export function openDatabase(dataDir: string, options: { readonly?: boolean } = {}): Database {
  ensureWritableDir(dataDir);
  const file = path.join(dataDir, DB_FILE);
  let db: Database;
  try {
    db = new BetterSqlite3(file, { readonly: options.readonly ?? false, timeout: 250 });
  } catch (error) {
    throw new LifelineError('unavailable', `Could not open the database ${file}: ${(error as Error).message}`);
  }
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.exec('BEGIN EXCLUSIVE; COMMIT;');
  } catch (error) {
    db.close();
    if (isBusy(error)) throw alreadyInUse(dataDir);
    throw new LifelineError('unavailable', `Could not lock the database ${file}: ${(error as Error).message}`);
  }
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  writeOwner(dataDir);
  return db;
}

export function closeDatabase(db: Database, dataDir: string): void {
  if (!db.open) return;
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
    try {
      const owner = readOwner(dataDir);
      if (owner?.pid === process.pid) fs.rmSync(path.join(dataDir, OWNER_FILE), { force: true });
    } catch {
      // The owner file is advisory; the lock itself died with the connection.
    }
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? '';
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

function alreadyInUse(dataDir: string): LifelineError {
  const owner = readOwner(dataDir);
  const who = owner ? ` by process ${owner.pid} on ${owner.host} (since ${owner.startedAt})` : ' by another process';
  return new LifelineError(
    'already_in_use',
    `The data dir ${dataDir} is already in use${who}. Close the other Lifeline, or start this one with another LIFELINE_DATA_DIR.`,
  );
}

function readOwner(dataDir: string): Owner | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dataDir, OWNER_FILE), 'utf8')) as Owner;
  } catch {
    return undefined;
  }
}

function writeOwner(dataDir: string): void {
  const owner: Owner = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() };
  const tmp = path.join(dataDir, `${OWNER_FILE}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(owner));
  fs.renameSync(tmp, path.join(dataDir, OWNER_FILE));
}

/** Creates the data dir if needed and proves we can write there, with an error that says what to do. */
export function ensureWritableDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.R_OK);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new LifelineError(
      'unavailable',
      `The data dir ${dir} cannot be written (${reason}). Choose a folder you can write to with LIFELINE_DATA_DIR or --data-dir.`,
    );
  }
}
