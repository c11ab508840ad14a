import fsp from 'node:fs/promises';
import { extensionOf } from './sniff';
import { decodeBytes, decodeLineBytes } from './text-decoding';
import type { ImportEvent, NoteRecord } from './types';

/** Notes are read whole; anything bigger than this is not a note. */
export const MAX_NOTE_BYTES = 16 * 1024 * 1024;
const MAX_TITLE_CHARS = 200;

/**
 * Title of a note: for Markdown the first heading when the note starts with one (ATX `# x` or a
 * setext underline), otherwise the first non-empty line, without list or quote markers.
 * Falls back to the file name for an empty note.
 */
export function noteTitle(text: string, fileName: string): string {
  const lines = text.split(/\r\n|\n|\r/);
  const markdown = ['md', 'markdown'].includes(extensionOf(fileName));
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '') continue;
    let title = line;
    if (markdown) {
      const atx = /^#{1,6}\s+(.*?)(\s+#+)?$/.exec(line);
      if (atx) title = atx[1] ?? '';
      else if (/^#{1,6}$/.test(line)) continue;
      else title = line.replace(/^(>\s*)+/, '').replace(/^([-*+]|\d+[.)])\s+/, '').replace(/^\*\*(.*)\*\*$/, '$1');
    }
    title = title.trim();
    if (title === '') continue;
    return Array.from(title).slice(0, MAX_TITLE_CHARS).join('');
  }
  const base = fileName.slice(fileName.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

function decodeNote(bytes: Uint8Array): string {
  let body = bytes;
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) body = body.subarray(3);
  const utf8 = decodeLineBytes(body);
  // Notes saved by old Windows editors are in the ANSI code page, Windows-1252 in the west.
  return utf8.utf8 ? utf8.text : decodeBytes('windows-1252', body);
}

/**
 * Reads one .txt/.md note. `relPath` is the path relative to the notes folder (forward slashes).
 * A note that changes while it is read is read again once; if it keeps changing it is skipped.
 */
export async function readNoteFile(absPath: string, relPath: string): Promise<ImportEvent> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const before = await fsp.stat(absPath);
    if (!before.isFile()) return { type: 'skipped', skipped: { file: absPath, kind: 'note', reason: 'not a regular file' } };
    if (before.size > MAX_NOTE_BYTES) {
      return {
        type: 'skipped',
        skipped: { file: absPath, kind: 'note', reason: `the file is ${Math.round(before.size / 1048576)} MB, too large for a note (the limit is ${MAX_NOTE_BYTES / 1048576} MB)` },
      };
    }
    const bytes = await fsp.readFile(absPath);
    const after = await fsp.stat(absPath);
    if (after.size !== before.size || after.mtimeMs !== before.mtimeMs || bytes.length !== after.size) continue;
    const text = decodeNote(bytes);
    const record: NoteRecord = { kind: 'note', relPath, title: noteTitle(text, relPath), text, modified: Math.floor(after.mtimeMs) };
    return { type: 'record', record, file: absPath };
  }
  return {
    type: 'skipped',
    skipped: { file: absPath, kind: 'note', reason: 'the note kept changing while it was read; back it up again once nothing is writing to it' },
  };
}
