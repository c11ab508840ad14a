import path from 'node:path';
import type { NoteRecord } from '../import/types';
import { writeRestoredFile, type RestoredFile, type RestoreFileOptions } from './media-writer';

export const NOTES_FOLDER = 'notes';

/**
 * Writes a note back as `<target>/notes/<relPath>` with its modification time. The title is not
 * written separately: the importer derives it from the text, so a restored note reads back equal.
 */
export function writeNote(targetDir: string, note: NoteRecord, options: Omit<RestoreFileOptions, 'mtime'> = {}): Promise<RestoredFile> {
  return writeRestoredFile(path.join(targetDir, NOTES_FOLDER), note.relPath, Buffer.from(note.text, 'utf8'), { ...options, mtime: note.modified });
}

export async function writeNotes(
  targetDir: string,
  notes: Iterable<NoteRecord> | AsyncIterable<NoteRecord>,
  options: Omit<RestoreFileOptions, 'mtime'> = {},
): Promise<RestoredFile[]> {
  const written: RestoredFile[] = [];
  for await (const note of notes) written.push(await writeNote(targetDir, note, options));
  return written;
}
