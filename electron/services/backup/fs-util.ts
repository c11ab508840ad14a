import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { LifelineError } from '../../../contract';

/** Test seam: called before every durable write so tests can simulate a full disk. */
export type BeforeWriteHook = (dest: string, size: number) => void;

export const TMP_PREFIX = '.tmp-';

/**
 * Writes a file so that after a crash it is either absent or complete: temp file in the same folder,
 * fsync, rename over the final name, fsync the folder (so the rename itself survives power loss).
 */
export async function writeFileDurable(dest: string, data: Uint8Array | readonly Uint8Array[], beforeWrite?: BeforeWriteHook): Promise<void> {
  const dir = path.dirname(dest);
  await fsp.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `${TMP_PREFIX}${crypto.randomBytes(6).toString('hex')}`);
  let handle: fsp.FileHandle | undefined;
  try {
    const parts: readonly Uint8Array[] = data instanceof Uint8Array ? [data] : data;
    beforeWrite?.(dest, parts.reduce((n, p) => n + p.length, 0));
    handle = await fsp.open(tmp, 'wx', 0o600);
    // Parts are written in order, so a pack is never concatenated into one more buffer just to be written.
    for (const part of parts) {
      for (let off = 0; off < part.length; ) off += (await handle.write(part, off, part.length - off)).bytesWritten;
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fsp.rename(tmp, dest);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw translateFsError(error, dest);
  }
  await fsyncDir(dir);
}

export async function fsyncDir(dir: string): Promise<void> {
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(dir, 'r');
    await handle.sync();
  } catch (error) {
    // Some file systems (and Windows) refuse fsync on a folder; the rename is then as durable as they allow.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF') throw error;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

export function fsyncDirSync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // See fsyncDir.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** A full disk or a read-only medium becomes an error that says what to do; other errors pass through. */
export function translateFsError(error: unknown, where: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new LifelineError(
      'storage_full',
      `The disk holding the backup store is full (writing ${where}). The backup stopped; earlier snapshots are intact. Free some space or use another store, then run the backup again: it continues where it stopped.`,
    );
  }
  if (code === 'EROFS' || code === 'EACCES') {
    return new LifelineError('unavailable', `The backup store cannot be written (${code} at ${where}). Check the drive and its permissions.`);
  }
  return error;
}

/**
 * Reads whole files into one reused buffer (verify and prune read every pack of 16 MiB or more; a new buffer per
 * pack piled up as garbage until V8 collected it, which made them the commands with the highest peak memory).
 * The returned view is valid until the next `read`.
 */
export class ScratchReader {
  private buf = Buffer.alloc(0);

  read(file: string): Buffer {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      if (size > this.buf.length) this.buf = Buffer.allocUnsafe(Math.max(size, Math.ceil(this.buf.length * 1.25)));
      let got = 0;
      while (got < size) {
        const n = fs.readSync(fd, this.buf, got, size - got, got);
        if (n === 0) break;
        got += n;
      }
      return this.buf.subarray(0, got);
    } finally {
      fs.closeSync(fd);
    }
  }
}
