import type { Stats } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { throwIfAborted } from './file-reader';
import { readMediaFile, walkFolder, type WalkEntry } from './media';
import { readNoteFile } from './notes';
import { readSmsXmlFile, sniffXmlRoot } from './sms-xml';
import { extensionOf, MEDIA_EXTENSIONS, NOTE_EXTENSIONS, sniffFileKind, VCARD_EXTENSIONS, type SniffedKind } from './sniff';
import type { ImportEvent, MediaSource, RecordFileEvent } from './types';
import { readVcardFile } from './vcard';

/**
 * One entry point for everything a person brings: single files or folders holding any mix of a
 * phone export (contacts/*.vcf, sms*.xml, calls*.xml, DCIM/..., Pictures/..., notes/...).
 *
 * Events: `record` for contacts, messages, calls and notes; `media` for photos and videos (read
 * later by the store); `skipped` with file, line where known, and reason; `progress` while a record
 * file is read, with that file's own byte counts (media are not read here beyond their header).
 * A file that cannot be read is skipped with the reason; the scan goes on. Cancelling via `signal`
 * throws an AbortError out of the iteration.
 */

export interface ScanOptions {
  signal?: AbortSignal;
  /**
   * What an earlier backup read from a photo or video with this path, size and mtime (whole ms, rounded down):
   * its type, date and place. A file it knows is not opened (the backup's file cache decides whether its bytes
   * are read); reading the headers of every photo again was most of a backup with no change.
   */
  knownMedia?: (absPath: string, size: number, mtime: number) => KnownMedia | undefined;
}

export type KnownMedia = Pick<MediaSource, 'mime' | 'takenAt' | 'place'>;

/** A photo or video as an event: from `knownMedia` when it knows the file as it is now, else read. */
async function mediaEvent(absPath: string, relPath: string, stat: Stats, options: ScanOptions): Promise<ImportEvent> {
  const mtime = Math.floor(stat.mtimeMs);
  const known = stat.isFile() && stat.size > 0 ? options.knownMedia?.(absPath, stat.size, mtime) : undefined;
  if (!known) return readMediaFile(absPath, relPath);
  const media: MediaSource = { kind: 'media', relPath, absPath, size: stat.size, mtime, mime: known.mime };
  if (known.takenAt !== undefined) media.takenAt = known.takenAt;
  if (known.place) media.place = known.place;
  return { type: 'media', media };
}

async function readHead(file: string, bytes = 512): Promise<Uint8Array> {
  const handle = await fsp.open(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function classify(absPath: string, relPath: string): Promise<SniffedKind> {
  const ext = extensionOf(relPath);
  if (VCARD_EXTENSIONS.has(ext)) return 'vcard';
  if (ext === 'xml') return 'xml';
  if (NOTE_EXTENSIONS.has(ext)) return 'note';
  if (MEDIA_EXTENSIONS[ext] !== undefined) return 'media';
  return sniffFileKind(relPath, await readHead(absPath));
}

/** Notes keep their path below the nearest folder called "notes", else below the source root. */
function noteRelPath(relPath: string): string {
  const segments = relPath.split('/');
  for (let i = segments.length - 2; i >= 0; i--) {
    if ((segments[i] ?? '').toLowerCase() === 'notes') return segments.slice(i + 1).join('/');
  }
  return relPath;
}

/** The event that announces a record file; the consumer may set `reuse` on it (see RecordFileEvent). */
function announce(absPath: string, stat: Stats, reread: () => AsyncGenerator<ImportEvent>): RecordFileEvent {
  return { type: 'file', file: absPath, size: stat.size, mtime: stat.mtimeMs, reread };
}

async function* importFile(absPath: string, relPath: string, stat: Stats, options: ScanOptions): AsyncGenerator<ImportEvent> {
  const kind = await classify(absPath, relPath);
  switch (kind) {
    case 'vcard': {
      if (stat.size === 0) {
        yield { type: 'skipped', skipped: { file: absPath, kind: 'contact', reason: 'the file is empty (0 bytes)' } };
        return;
      }
      const read = () => readVcardFile(absPath, options);
      const file = announce(absPath, stat, read);
      yield file;
      if (file.reuse) return;
      yield* read();
      return;
    }
    case 'xml': {
      if (stat.size === 0) {
        yield { type: 'skipped', skipped: { file: absPath, reason: 'the file is empty (0 bytes)' } };
        return;
      }
      const root = await sniffXmlRoot(absPath);
      if (root !== 'smses' && root !== 'calls') {
        yield {
          type: 'skipped',
          skipped: {
            file: absPath,
            reason: root
              ? `an XML file whose root element is <${root}>, not an "SMS Backup & Restore" export (<smses> or <calls>)`
              : 'an XML file without a root element that Lifeline could find; it is not an "SMS Backup & Restore" export',
          },
        };
        return;
      }
      const read = () => readSmsXmlFile(absPath, options);
      const file = announce(absPath, stat, read);
      yield file;
      if (file.reuse) return;
      yield* read();
      return;
    }
    case 'note': {
      async function* read(): AsyncGenerator<ImportEvent> {
        yield await readNoteFile(absPath, noteRelPath(relPath));
      }
      const file = announce(absPath, stat, read);
      yield file;
      if (file.reuse) return;
      yield* read();
      return;
    }
    case 'media':
      yield await mediaEvent(absPath, relPath, stat, options);
      return;
    default:
      yield { type: 'skipped', skipped: { file: absPath, reason: 'not a file type Lifeline imports (contacts .vcf, SMS/calls .xml, photos, videos, .txt/.md notes)' } };
  }
}

async function* importGuarded(absPath: string, relPath: string, stat: Stats, options: ScanOptions): AsyncGenerator<ImportEvent> {
  try {
    yield* importFile(absPath, relPath, stat, options);
  } catch (error) {
    throwIfAborted(options.signal);
    if ((error as Error).name === 'AbortError') throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const detail = code === 'ENOENT' ? 'it disappeared while it was read' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (error as Error).message;
    yield { type: 'skipped', skipped: { file: absPath, reason: `the file could not be read: ${detail}` } };
  }
}

/** Photos and videos whose header (type, EXIF) is read ahead of the one being handed out. */
const MEDIA_READ_AHEAD = 8;

async function collect(events: AsyncGenerator<ImportEvent>): Promise<ImportEvent[]> {
  const out: ImportEvent[] = [];
  for await (const ev of events) out.push(ev);
  return out;
}

/**
 * A folder's files in walk order. The headers of the next few photos and videos are read while earlier files
 * are handed out (each is a few small reads, and waiting for them one at a time was most of a backup with no
 * change); everything else is read only when its turn comes, so a record file's `reuse` answer still decides
 * whether it is parsed.
 */
async function* importFolder(root: string, options: ScanOptions): AsyncGenerator<ImportEvent> {
  const walker = walkFolder(root, options);
  const queue: { entry: WalkEntry; media?: Promise<ImportEvent[]> }[] = [];
  let reading = 0;
  let walked = false;
  const isMedia = (e: WalkEntry): boolean => e.type === 'file' && MEDIA_EXTENSIONS[extensionOf(e.relPath)] !== undefined;
  const fill = async (): Promise<void> => {
    while (!walked && reading < MEDIA_READ_AHEAD && queue.length < MEDIA_READ_AHEAD * 8) {
      const next = await walker.next();
      if (next.done) {
        walked = true;
        break;
      }
      const entry = next.value;
      if (entry.type === 'file' && isMedia(entry)) {
        reading++;
        const media = collect(importGuarded(entry.absPath, entry.relPath, entry.stat, options)).finally(() => {
          reading--;
        });
        media.catch(() => undefined); // awaited in turn; an abort in between must not surface as unhandled
        queue.push({ entry, media });
      } else queue.push({ entry });
    }
  };
  try {
    for (;;) {
      await fill();
      const head = queue.shift();
      if (!head) break;
      throwIfAborted(options.signal);
      const { entry } = head;
      if (head.media) yield* await head.media;
      else if (entry.type === 'skipped') yield entry;
      else yield* importGuarded(entry.absPath, entry.relPath, entry.stat, options);
    }
  } finally {
    await walker.return(undefined);
  }
}

export async function* scanSource(paths: string[], options: ScanOptions = {}): AsyncGenerator<ImportEvent> {
  for (const given of paths) {
    throwIfAborted(options.signal);
    const absolute = path.resolve(given);
    let stat: Stats;
    let real: string;
    try {
      // A path the person chose is followed even if it is a link; links inside folders are not.
      real = await fsp.realpath(absolute);
      stat = await fsp.stat(real);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      yield {
        type: 'skipped',
        skipped: { file: absolute, reason: code === 'ENOENT' ? 'the path does not exist' : `the path could not be opened (${code ?? (error as Error).message})` },
      };
      continue;
    }
    if (stat.isDirectory()) {
      yield* importFolder(real, options);
    } else if (stat.isFile()) {
      yield* importGuarded(real, path.basename(real), stat, options);
    } else {
      yield { type: 'skipped', skipped: { file: absolute, reason: 'not a file or folder (a socket, pipe or device)' } };
    }
  }
}
