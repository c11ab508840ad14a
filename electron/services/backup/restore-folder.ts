import fs from 'node:fs';
import path from 'node:path';
import { LifelineError } from '../../../contract';
import { writeRestoredFile } from './formats/media-writer';
import { writeNote, NOTES_FOLDER } from './formats/notes-writer';
import { sanitizeRelativePath } from './formats/safe-path';
import { createCallsXmlWriter, createSmsXmlWriter, type CallsXmlWriter, type SmsXmlWriter } from './formats/sms-xml-writer';
import { vcardEntry } from './formats/vcard-writer';
import { AtomicFileWriter, SyncBatch } from './formats/atomic-file';
import type { ItemKind } from './import/types';
import type { RestoreSelection } from './restore';
import type { BackupStore } from './store';

export interface RestoreFolderOptions {
  to: string;
  selection?: RestoreSelection;
  dryRun?: boolean;
  /** Allow a target folder that is not empty, replacing files of the same name. */
  overwrite?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: { items: number; bytes: number; current?: string }) => void;
}

export interface RestoreFolderResult {
  snapshot: string;
  target: string;
  dryRun: boolean;
  counts: Partial<Record<ItemKind, number>>;
  bytes: number;
  /** Files written (or, in a dry run, that would be written), relative to the target. */
  files: { path: string; exists: boolean }[];
  /** Items that could not be restored because the store is damaged there; the rest was restored. */
  damaged: { kind?: ItemKind; what: string; reason: string }[];
  renamed: { from: string; to: string; why: string }[];
}

export const RESTORE_FILES = { contacts: 'contacts.vcf', sms: 'sms.xml', calls: 'calls.xml' } as const;

/** Media files written at the same time: the next file is read and decrypted while earlier ones are written. */
const MEDIA_WRITES_IN_FLIGHT = 4;

/**
 * Restores a snapshot (or a selection) into a folder in the standard formats: contacts.vcf, sms.xml
 * (SMS and MMS), calls.xml, notes/ and media at their original relative paths and times. A folder that is
 * not empty is refused unless `overwrite`; every file is written through a temp file, so a failed or
 * cancelled restore never leaves a half-written file under a real name.
 */
export async function restoreToFolder(store: BackupStore, ref: string, opts: RestoreFolderOptions): Promise<RestoreFolderResult> {
  const target = path.resolve(opts.to);
  const snap = store.snapshot(ref);
  const existing = fs.existsSync(target) ? fs.readdirSync(target) : [];
  if (existing.length > 0 && !opts.overwrite && !opts.dryRun) {
    throw new LifelineError('not_empty', `The folder ${target} is not empty. Restore into an empty folder, or add --overwrite to replace files there.`);
  }
  const result: RestoreFolderResult = { snapshot: snap.id, target, dryRun: opts.dryRun ?? false, counts: {}, bytes: 0, files: [], damaged: [], renamed: [] };
  const noteFile = (rel: string): string => `${NOTES_FOLDER}/${rel}`;
  const seenFiles = new Set<string>();
  const addFile = (rel: string): void => {
    if (seenFiles.has(rel)) return;
    seenFiles.add(rel);
    result.files.push({ path: rel, exists: fs.existsSync(path.join(target, ...rel.split('/'))) });
  };
  const count = (k: ItemKind): void => {
    result.counts[k] = (result.counts[k] ?? 0) + 1;
  };
  let items = 0;

  let sms: SmsXmlWriter | undefined;
  let calls: CallsXmlWriter | undefined;
  let contacts: AtomicFileWriter | undefined;
  const overwrite = opts.overwrite ?? false;
  // Media files and notes are synced together at the end rather than one by one (the wait per file was most
  // of a restore's time); the restore reports success only after that.
  const syncBatch = new SyncBatch();
  // Media writes run a few at a time. A path that had to be made safe (and may be renamed to a free name) or
  // that could be the same file as one in flight on a case-insensitive disk waits for the others first.
  const inFlight = new Map<string, Promise<void>>();
  let writeError: unknown;
  const drain = async (): Promise<void> => {
    await Promise.all(inFlight.values());
  };
  const startMediaWrite = async (relPath: string, write: () => Promise<void>): Promise<void> => {
    const key = relPath.normalize('NFC').toLowerCase();
    if (sanitizeRelativePath(relPath).changed !== undefined || inFlight.has(key)) await drain();
    else if (inFlight.size >= MEDIA_WRITES_IN_FLIGHT) await Promise.race(inFlight.values());
    if (writeError !== undefined) throw writeError;
    const task = write().then(
      () => undefined,
      (error: unknown) => {
        writeError ??= error;
      },
    ).finally(() => inFlight.delete(key));
    inFlight.set(key, task);
  };
  const abortAll = async (): Promise<void> => {
    await drain();
    await Promise.all([sms?.abort(), calls?.abort(), contacts?.abort()]);
  };
  try {
    if (!opts.dryRun) fs.mkdirSync(target, { recursive: true });
    for await (const item of store.restoreItems(snap.id, opts.selection ?? {})) {
      if (opts.signal?.aborted) throw new LifelineError('cancelled', 'The restore was cancelled; files already restored stay, unfinished ones were removed.');
      if (item.type === 'damaged') {
        result.damaged.push({ ...(item.kind ? { kind: item.kind } : {}), what: item.what, reason: item.reason });
        continue;
      }
      items++;
      if (item.type === 'media') {
        addFile(item.media.path);
        count('media');
        result.bytes += item.media.size;
        if (!opts.dryRun) {
          const media = item.media;
          const read = item.read;
          await startMediaWrite(media.path, async () => {
            try {
              const written = await writeRestoredFile(target, media.path, read(), { mtime: media.mtime, overwrite, syncBatch });
              if (written.renamed) result.renamed.push({ from: media.path, to: written.relPath, why: written.renamed });
            } catch (error) {
              if (error instanceof LifelineError && error.code === 'corrupt_data') {
                result.damaged.push({ kind: 'media', what: `media file ${media.path}`, reason: error.message });
              } else throw error;
            }
          });
        }
      } else {
        const r = item.record;
        count(r.kind);
        switch (r.kind) {
          case 'sms':
          case 'mms':
            addFile(RESTORE_FILES.sms);
            if (!opts.dryRun) {
              sms ??= await createSmsXmlWriter(path.join(target, RESTORE_FILES.sms), { overwrite });
              await sms.write(r);
            }
            break;
          case 'call':
            addFile(RESTORE_FILES.calls);
            if (!opts.dryRun) {
              calls ??= await createCallsXmlWriter(path.join(target, RESTORE_FILES.calls), { overwrite });
              await calls.write(r);
            }
            break;
          case 'contact':
            addFile(RESTORE_FILES.contacts);
            if (!opts.dryRun) {
              contacts ??= await AtomicFileWriter.create(path.join(target, RESTORE_FILES.contacts), { overwrite });
              await contacts.writeText(vcardEntry(r));
            }
            break;
          case 'note':
            addFile(noteFile(r.relPath));
            if (!opts.dryRun) {
              const written = await writeNote(target, r, { overwrite, syncBatch });
              if (written.renamed) result.renamed.push({ from: noteFile(r.relPath), to: written.relPath, why: written.renamed });
            }
            break;
        }
      }
      opts.onProgress?.({ items, bytes: result.bytes });
    }
    await drain();
    if (writeError !== undefined) throw writeError;
    await sms?.close();
    await calls?.close();
    await contacts?.close();
    await syncBatch.sync();
  } catch (error) {
    await abortAll().catch(() => undefined);
    throw error;
  }
  return result;
}
