import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LifelineError } from '../../../contract';
import { fsyncDirSync } from './fs-util';

export interface LockInfo {
  pid: number;
  hostname: string;
  /** ISO time the lock was taken */
  time: string;
  /** What the holder is doing, for the message a refused writer sees. */
  operation: string;
}

export const LOCK_FILE = 'writer.lock';

/** Whether a process with this id exists on this machine (EPERM means it exists but belongs to someone else). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(file: string): LockInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
}

/**
 * The store's single-writer lock: a file created with O_EXCL holding pid, host and time. A lock left by
 * a process that no longer runs on this host is stale and taken over; one held by a live process, or by
 * another host (we cannot tell if it lives), is refused with `store_locked`.
 */
export class StoreLock {
  private held = false;

  private constructor(private readonly file: string) {}

  static acquire(lockDir: string, operation: string): StoreLock {
    fs.mkdirSync(lockDir, { recursive: true });
    const file = path.join(lockDir, LOCK_FILE);
    const mine: LockInfo = { pid: process.pid, hostname: os.hostname(), time: new Date().toISOString(), operation };
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const fd = fs.openSync(file, 'wx', 0o600);
        try {
          fs.writeSync(fd, JSON.stringify(mine));
          fs.fsyncSync(fd);
        } finally {
          fs.closeSync(fd);
        }
        fsyncDirSync(lockDir);
        const lock = new StoreLock(file);
        lock.held = true;
        return lock;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const other = readLock(file);
      if (other === undefined) {
        // Half-written by a writer that died between create and write, or being replaced right now.
        const age = Date.now() - safeMtime(file);
        if (age > 10_000) takeOver(file, undefined);
        continue;
      }
      const sameHost = other.hostname === os.hostname();
      if (sameHost && other.pid === process.pid) {
        throw new LifelineError('store_locked', `This process already holds the backup store's lock (for ${other.operation}). Wait until that finishes.`);
      }
      if (sameHost && !processAlive(other.pid)) {
        takeOver(file, other);
        continue;
      }
      const where = sameHost ? `process ${other.pid}` : `process ${other.pid} on ${other.hostname}`;
      throw new LifelineError(
        'store_locked',
        `The backup store is in use by ${where} (${other.operation}, since ${other.time}). Wait until it finishes. ` +
          (sameHost ? '' : `If that machine no longer uses this store, delete ${file} and try again.`),
        { pid: other.pid, hostname: other.hostname, since: other.time },
      );
    }
    throw new LifelineError('store_locked', `Could not take the backup store's lock at ${file}; another process keeps taking it. Try again.`);
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    const current = readLock(this.file);
    if (current && current.pid === process.pid && current.hostname === os.hostname()) fs.rmSync(this.file, { force: true });
  }
}

function safeMtime(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return Date.now();
  }
}

/**
 * Moves the stale lock aside atomically. If, between our read and the rename, another process already took
 * over and wrote a fresh lock, we moved *its* lock: put it back (link fails if yet another lock exists).
 */
function takeOver(file: string, seen: LockInfo | undefined): void {
  const aside = `${file}.stale-${process.pid}-${Date.now()}`;
  try {
    fs.renameSync(file, aside);
  } catch {
    return; // Someone else moved it first; the next create attempt decides.
  }
  const moved = readLock(aside);
  const same = seen === undefined ? moved === undefined : moved?.pid === seen.pid && moved.time === seen.time && moved.hostname === seen.hostname;
  if (!same) {
    try {
      fs.linkSync(aside, file);
    } catch {
      // A newer lock is in place already.
    }
  }
  fs.rmSync(aside, { force: true });
}
