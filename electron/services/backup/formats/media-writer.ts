import fsp from 'node:fs/promises';
import path from 'node:path';
import { LifelineError } from '../../../../contract';
import { AtomicFileWriter, type SyncBatch } from './atomic-file';
import { sanitizeRelativePath } from './safe-path';

export interface RestoreFileOptions {
  /** ms since epoch; the restored file gets this modification time. */
  mtime?: number;
  /** Replace a file that is already there. Default: refuse (a renamed file gets a free name instead). */
  overwrite?: boolean;
  /** Apply Windows naming rules (default: only on Windows). */
  windowsRules?: boolean;
  /** Leave the fsync to this batch (a restore of many files syncs them together at the end). */
  syncBatch?: SyncBatch;
}

export interface RestoredFile {
  /** Absolute path written. */
  path: string;
  /** Path relative to the target, forward slashes. */
  relPath: string;
  bytes: number;
  /** Why the file was written under another name than the one it had. */
  renamed?: string;
}

export type FileContent = Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** Creates each folder level itself, refusing to go through a symlink an attacker (or a stale restore) left. */
async function ensureDirInside(root: string, segments: string[]): Promise<string> {
  let current = root;
  for (const segment of segments) {
    current = path.join(current, segment);
    const stat = await fsp.lstat(current).catch(() => undefined);
    if (!stat) {
      await fsp.mkdir(current).catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
      continue;
    }
    if (stat.isSymbolicLink()) {
      throw new LifelineError('conflict', `${current} is a symbolic link; Lifeline does not restore through links. Remove it or choose an empty folder.`);
    }
    if (!stat.isDirectory()) {
      throw new LifelineError('conflict', `${current} is a file where a folder is needed. Choose an empty folder.`);
    }
  }
  return current;
}

async function freeName(dir: string, name: string): Promise<string> {
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  for (let i = 1; i < 10_000; i++) {
    const candidate = `${stem} (${i})${ext}`;
    const exists = await fsp.lstat(path.join(dir, candidate)).then(
      () => true,
      () => false,
    );
    if (!exists) return candidate;
  }
  throw new LifelineError('conflict', `No free name for ${name} in ${dir}.`);
}

/**
 * Writes one file (a photo, video, note or MMS attachment) at its relative path under `targetDir`
 * and gives it its original modification time. The path is sanitized first: `../../x` or an
 * absolute path is written inside the target under a safe name, and `renamed` says so.
 */
export async function writeRestoredFile(targetDir: string, relPath: string, content: FileContent, options: RestoreFileOptions = {}): Promise<RestoredFile> {
  const safe = sanitizeRelativePath(relPath, options.windowsRules);
  await fsp.mkdir(targetDir, { recursive: true });
  const root = await fsp.realpath(targetDir);
  const dirSegments = safe.segments.slice(0, -1);
  let name = safe.segments[safe.segments.length - 1] ?? 'unnamed';
  const dir = await ensureDirInside(root, dirSegments);
  let renamed = safe.changed;
  let overwrite = options.overwrite ?? false;
  const existing = await fsp.lstat(path.join(dir, name)).catch(() => undefined);
  if (existing && renamed !== undefined) {
    // A sanitized name must not replace a real file that happens to have that name.
    name = await freeName(dir, name);
    renamed = `${renamed}; "${safe.relPath}" already existed, so it was named "${name}"`;
    overwrite = false;
  }
  const dest = path.join(dir, name);
  if (!isInside(root, dest)) {
    throw new LifelineError('forbidden', `Refused to write ${relPath} outside ${targetDir}.`);
  }
  const writer = await AtomicFileWriter.create(dest, {
    overwrite,
    ...(options.mtime !== undefined ? { mtime: options.mtime } : {}),
    ...(options.syncBatch ? { syncBatch: options.syncBatch } : {}),
  });
  try {
    if (content instanceof Uint8Array) await writer.writeBytes(content);
    else for await (const piece of content) await writer.writeBytes(piece);
  } catch (error) {
    await writer.abort();
    throw error;
  }
  const { bytes } = await writer.close();
  const result: RestoredFile = { path: dest, relPath: path.relative(root, dest).split(path.sep).join('/'), bytes };
  if (renamed !== undefined) result.renamed = renamed;
  return result;
}

/** Where an MMS attachment goes when a restore extracts it as a file: its name, made safe. */
export function mmsAttachmentPath(part: { name?: string; seq: number; contentType: string }, messageDate: number): string {
  const fallback = `part-${part.seq}`;
  const name = sanitizeRelativePath(part.name ?? fallback).segments.join('_');
  return `MMS/${messageDate}-${part.seq}-${name}`;
}
