import type { Dirent, Stats } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import exifr from 'exifr';
import { throwIfAborted } from './file-reader';
import { detectMediaType } from './sniff';
import type { ImportEvent, MediaSource, SkippedItem } from './types';

/** Only this much of a photo is read for its type and EXIF header; the store streams the rest later. */
export const MEDIA_HEAD_BYTES = 128 * 1024;

export type WalkEntry =
  | { type: 'file'; absPath: string; relPath: string; stat: Stats }
  | { type: 'skipped'; skipped: SkippedItem };

function toPosix(rel: string): string {
  return rel.split(path.sep).join('/');
}

function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Walks a folder depth-first in name order. Symbolic links are never followed out of the root:
 * a link to a file inside the root is read as that file; a link pointing outside, a link to a
 * folder (which could loop) and a broken link are reported as skipped. Sockets, FIFOs and devices
 * are skipped too (reading a FIFO would block forever).
 */
export async function* walkFolder(root: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<WalkEntry> {
  const realRoot = await fsp.realpath(root);
  const stack: string[] = [realRoot];
  while (stack.length > 0) {
    throwIfAborted(options.signal);
    const dir = stack.pop() ?? realRoot;
    let entries: Dirent[];
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch (error) {
      yield { type: 'skipped', skipped: { file: dir, reason: `the folder could not be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` } };
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: string[] = [];
    for (const entry of entries) {
      const absPath = path.join(dir, entry.name);
      const relPath = toPosix(path.relative(realRoot, absPath));
      if (entry.isDirectory()) {
        subdirs.push(absPath);
        continue;
      }
      if (entry.isSymbolicLink()) {
        let target: string;
        try {
          target = await fsp.realpath(absPath);
        } catch {
          yield { type: 'skipped', skipped: { file: absPath, reason: 'a symbolic link whose target does not exist' } };
          continue;
        }
        if (!isInside(realRoot, target)) {
          yield { type: 'skipped', skipped: { file: absPath, reason: `a symbolic link that points outside the source folder (to ${target}); it was not followed` } };
          continue;
        }
        const stat = await fsp.stat(target).catch(() => undefined);
        if (stat?.isFile()) yield { type: 'file', absPath: target, relPath, stat };
        else if (stat?.isDirectory()) {
          yield { type: 'skipped', skipped: { file: absPath, reason: `a symbolic link to a folder inside the source (${toPosix(path.relative(realRoot, target)) || '.'}); it was not followed, that folder is backed up where it is` } };
        } else yield { type: 'skipped', skipped: { file: absPath, reason: 'a symbolic link to something that is not a regular file' } };
        continue;
      }
      if (!entry.isFile()) {
        yield { type: 'skipped', skipped: { file: absPath, reason: 'not a regular file (a socket, pipe or device)' } };
        continue;
      }
      const stat = await fsp.lstat(absPath).catch(() => undefined);
      if (!stat) {
        yield { type: 'skipped', skipped: { file: absPath, reason: 'the file disappeared while the folder was read' } };
        continue;
      }
      yield { type: 'file', absPath, relPath, stat };
    }
    // Reverse so the stack pops them in name order.
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i] ?? '');
  }
}

interface ExifHeader {
  DateTimeOriginal?: unknown;
  CreateDate?: unknown;
  DateTime?: unknown;
  OffsetTimeOriginal?: unknown;
  latitude?: unknown;
  longitude?: unknown;
}

/**
 * EXIF date/time ("2021:05:06 10:11:12"). With OffsetTimeOriginal it is exact; without, it is the
 * camera's wall clock, read in this computer's time zone as gallery apps do.
 */
export function parseExifDate(value: unknown, offset?: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(value.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > 31) return undefined;
  if (typeof offset === 'string') {
    const o = /^([+-])(\d{2}):(\d{2})$/.exec(offset.trim());
    if (o) {
      const sign = o[1] === '-' ? -1 : 1;
      return Date.UTC(y, mo - 1, d, h, mi, s) - sign * (Number(o[2]) * 60 + Number(o[3])) * 60_000;
    }
  }
  return new Date(y, mo - 1, d, h, mi, s).getTime();
}

/** Reads date and place from the EXIF header in `head` (the first bytes of the file). */
export async function readExif(head: Uint8Array): Promise<{ takenAt?: number; place?: { lat: number; lon: number } }> {
  let tags: ExifHeader | undefined;
  try {
    tags = (await exifr.parse(head, {
      tiff: true,
      ifd0: { pick: ['DateTime'] },
      exif: { pick: ['DateTimeOriginal', 'CreateDate', 'OffsetTimeOriginal'] },
      gps: true,
      ifd1: false,
      xmp: false,
      icc: false,
      iptc: false,
      jfif: false,
      ihdr: false,
      reviveValues: false,
      translateValues: false,
    })) as ExifHeader | undefined;
  } catch {
    return {};
  }
  if (!tags) return {};
  const result: { takenAt?: number; place?: { lat: number; lon: number } } = {};
  const takenAt = parseExifDate(tags.DateTimeOriginal, tags.OffsetTimeOriginal) ?? parseExifDate(tags.CreateDate) ?? parseExifDate(tags.DateTime);
  if (takenAt !== undefined) result.takenAt = takenAt;
  const { latitude, longitude } = tags;
  if (
    typeof latitude === 'number' &&
    typeof longitude === 'number' &&
    Number.isFinite(latitude) &&
    Number.isFinite(longitude) &&
    Math.abs(latitude) <= 90 &&
    Math.abs(longitude) <= 180 &&
    !(latitude === 0 && longitude === 0)
  ) {
    result.place = { lat: latitude, lon: longitude };
  }
  return result;
}

/**
 * Describes one photo or video: type from magic bytes and extension, date and place from EXIF,
 * read from the first MEDIA_HEAD_BYTES only. Returns a skipped item for an empty file or one
 * that is not media.
 */
export async function readMediaFile(absPath: string, relPath: string): Promise<ImportEvent> {
  const handle = await fsp.open(absPath, 'r');
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return { type: 'skipped', skipped: { file: absPath, kind: 'media', reason: 'not a regular file' } };
    if (stat.size === 0) return { type: 'skipped', skipped: { file: absPath, kind: 'media', reason: 'the file is empty (0 bytes)' } };
    const head = Buffer.alloc(Math.min(MEDIA_HEAD_BYTES, stat.size));
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const bytes = head.subarray(0, bytesRead);
    const mime = detectMediaType(relPath, bytes);
    if (!mime) return { type: 'skipped', skipped: { file: absPath, kind: 'media', reason: 'not a photo or video this app recognises' } };
    const media: MediaSource = { kind: 'media', relPath, absPath, size: stat.size, mtime: Math.floor(stat.mtimeMs), mime };
    if (mime.startsWith('image/')) Object.assign(media, await readExif(bytes));
    return { type: 'media', media };
  } finally {
    await handle.close();
  }
}

/** A folder of photos and videos on its own (scanSource handles mixed phone exports). */
export async function* readMediaFolder(root: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<ImportEvent> {
  for await (const entry of walkFolder(root, options)) {
    if (entry.type === 'skipped') {
      yield entry;
      continue;
    }
    try {
      const event = await readMediaFile(entry.absPath, entry.relPath);
      yield event;
    } catch (error) {
      yield { type: 'skipped', skipped: { file: entry.absPath, kind: 'media', reason: `the file could not be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` } };
    }
  }
}
