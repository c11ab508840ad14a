import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeNote } from '../formats/notes-writer';
import { noteTitle, readNoteFile } from './notes';
import { tempDir } from './test-helpers';

const dir = tempDir('lifeline-notes-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('notes', () => {
  it('takes the title from a Markdown heading or the first line', () => {
    expect(noteTitle('\n\n# Shopping list #\n- milk', 'a.md')).toBe('Shopping list');
    expect(noteTitle('- first item\n- second', 'list.md')).toBe('first item');
    expect(noteTitle('   \nPlain first line\nsecond', 'a.txt')).toBe('Plain first line');
    expect(noteTitle('# not a heading in text', 'a.txt')).toBe('# not a heading in text');
    expect(noteTitle('', 'work/empty.md')).toBe('empty');
  });

  it('reads a note and writes it back so it re-imports equal, with its time', async () => {
    const file = path.join(dir, 'src', 'work', 'todo.md');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '\uFEFF# Todo\n\n- call Jörg 📞\n');
    fs.utimesSync(file, new Date(1_700_000_000_000), new Date(1_700_000_000_000));
    const event = await readNoteFile(file, 'work/todo.md');
    expect(event.type).toBe('record');
    if (event.type !== 'record' || event.record.kind !== 'note') return;
    expect(event.record).toEqual({ kind: 'note', relPath: 'work/todo.md', title: 'Todo', text: '# Todo\n\n- call Jörg 📞\n', modified: 1_700_000_000_000 });
    const target = path.join(dir, 'restore');
    const written = await writeNote(target, event.record);
    expect(written.path).toBe(path.join(fs.realpathSync(target), 'notes', 'work', 'todo.md'));
    const again = await readNoteFile(written.path, 'work/todo.md');
    expect(again.type === 'record' && again.record).toEqual(event.record);
  });

  it('reads a Windows-1252 note', async () => {
    const file = path.join(dir, 'ansi.txt');
    fs.writeFileSync(file, Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x20, 0x96, 0x20, 0x6f, 0x6b]));
    const event = await readNoteFile(file, 'ansi.txt');
    expect(event.type === 'record' && event.record.kind === 'note' && event.record.text).toBe('Café – ok');
  });
});
