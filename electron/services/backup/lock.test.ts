import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LifelineError } from '../../../contract';
import { LOCK_FILE, StoreLock } from './lock';
import { tempDir } from './test-support';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

/** A real second process that takes the lock and holds it until killed. */
function holdLockInChild(lockDir: string): Promise<ChildProcess> {
  const script = `
    const fs = require('node:fs'); const os = require('node:os'); const path = require('node:path');
    const file = path.join(${JSON.stringify(lockDir)}, ${JSON.stringify(LOCK_FILE)});
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ pid: process.pid, hostname: os.hostname(), time: new Date().toISOString(), operation: 'test holder' }), { flag: 'wx' });
    process.stdout.write('locked\\n');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('locked')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`lock holder exited early (${code})`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.on('exit', () => resolve());
  });
}

describe('StoreLock', () => {
  it('refuses a second writer while a live process holds the lock, and takes over once it died', async () => {
    const dir = path.join(tempDir(), 'locks');
    const child = await holdLockInChild(dir);
    let caught: unknown;
    try {
      StoreLock.acquire(dir, 'backup');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(LifelineError);
    expect((caught as LifelineError).code).toBe('store_locked');
    expect((caught as LifelineError).message).toContain(String(child.pid));
    child.kill('SIGKILL');
    await exited(child);
    const lock = StoreLock.acquire(dir, 'backup');
    const info = JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')) as { pid: number; hostname: string };
    expect(info.pid).toBe(process.pid);
    expect(info.hostname).toBe(os.hostname());
    lock.release();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  });

  it('does not guess about a lock from another host', () => {
    const dir = path.join(tempDir(), 'locks');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: 1, hostname: 'other-machine', time: '2026-01-01T00:00:00Z', operation: 'backup' }));
    expect(() => StoreLock.acquire(dir, 'backup')).toThrow(/other-machine/);
  });

  it('refuses to take the lock twice in one process', () => {
    const dir = path.join(tempDir(), 'locks');
    const lock = StoreLock.acquire(dir, 'a');
    expect(() => StoreLock.acquire(dir, 'b')).toThrow(LifelineError);
    lock.release();
  });
});
