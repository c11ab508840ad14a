import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChunkerParams } from './chunker';
import type { ImportEvent, MediaSource, PhoneRecord } from './import/types';
import { seededRandom } from '../seeded-random';

/** Small parameters so tests exercise many chunks and packs without big data. */
export const TEST_CHUNKER: ChunkerParams = { min: 1024, avg: 4096, max: 16384 };
export const TEST_PACK_SIZE = 64 * 1024;
export const TEST_KDF_LOG_N = 12;

export function tempDir(prefix = 'lifeline-backup-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export const rng = seededRandom;

export function randomBytes(seed: number, n: number): Buffer {
  const key = Buffer.alloc(32);
  key.writeUInt32LE(seed >>> 0);
  return crypto.createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(n));
}

/** A JPEG-ish file: a real SOI/APP0 header, then incompressible bytes. */
export function fakeJpeg(seed: number, n: number): Buffer {
  const head = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]);
  return Buffer.concat([head, randomBytes(seed, Math.max(0, n - head.length))]);
}

export interface Corpus {
  records: PhoneRecord[];
  media: MediaSource[];
  root: string;
}

const WORDS = ['see', 'you', 'at', 'the', 'station', 'tomorrow', 'ok', 'thanks', 'running', 'late', 'call', 'me', 'when', 'home', 'dinner', '🙂', 'ya', 'nanti'];

function sentence(r: () => number, n: number): string {
  return Array.from({ length: n }, () => WORDS[Math.floor(r() * WORDS.length)]).join(' ');
}

/**
 * Writes media files under `root` and returns records and media sources. One MMS carries the same bytes as
 * a gallery photo, to prove cross-kind deduplication.
 */
export function makeCorpus(root: string, seed = 1, size: { sms?: number; calls?: number; contacts?: number; photos?: number } = {}): Corpus {
  const r = rng(seed);
  const records: PhoneRecord[] = [];
  const base = Date.UTC(2025, 0, 1);
  const people = ['+15550100001', '+15550100002', '+62 812-3456-7890', 'VERIZON'];
  for (let i = 0; i < (size.sms ?? 60); i++) {
    const address = people[i % people.length] as string;
    records.push({
      kind: 'sms',
      address,
      date: base + i * 3_600_000 * 13,
      type: i % 3 === 0 ? 2 : 1,
      body: `${sentence(r, 3 + Math.floor(r() * 12))} #${i}`,
      ...(i % 2 ? { contactName: `Person ${i % people.length}` } : {}),
      attrs: { protocol: '0', read: '1', status: '-1', service_center: 'null' },
    });
  }
  for (let i = 0; i < (size.calls ?? 20); i++) {
    records.push({ kind: 'call', number: people[i % 3] as string, duration: i * 7, date: base + i * 86_400_000 * 5, type: 1 + (i % 3), attrs: { presentation: '1' } });
  }
  for (let i = 0; i < (size.contacts ?? 10); i++) {
    const name = `Contact ${i} ${sentence(r, 1)}`;
    const tel = `+1555020${String(i).padStart(4, '0')}`;
    records.push({
      kind: 'contact',
      vcard: `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:${name}\r\nTEL;TYPE=CELL:${tel}\r\nEND:VCARD\r\n`,
      ...(i % 2 ? { uid: `uid-${i}` } : {}),
      fullName: name,
      phones: [{ value: tel, type: 'CELL' }],
      emails: i % 3 ? [{ value: `c${i}@example.org` }] : [],
    });
  }
  records.push({ kind: 'note', relPath: 'work/todo.md', title: 'todo', text: '# Todo\n- back up the phone\n', modified: base + 5000 });
  records.push({ kind: 'note', relPath: 'ideas.txt', title: 'ideas', text: 'a better backup', modified: base + 6000 });

  const media: MediaSource[] = [];
  const photos = size.photos ?? 4;
  const mmsPicture = fakeJpeg(seed * 100 + 1, 30_000);
  for (let i = 0; i < photos; i++) {
    const rel = `DCIM/Camera/IMG_${String(i).padStart(4, '0')}.jpg`;
    const data = i === 0 ? mmsPicture : fakeJpeg(seed * 100 + 2 + i, 20_000 + Math.floor(r() * 40_000));
    media.push(writeMedia(root, rel, data, 'image/jpeg', base + i * 1000));
  }
  media.push(writeMedia(root, 'Documents/readme.txt', Buffer.from('plain text that compresses '.repeat(400)), 'text/plain', base));
  media.push(writeMedia(root, 'DCIM/empty.jpg', Buffer.alloc(0), 'image/jpeg', base));
  records.push({
    kind: 'mms',
    addresses: ['+15550100001', '+15550100002'],
    date: base + 42_000,
    box: 1,
    messageId: 'mid-1@example',
    parts: [
      { seq: 0, contentType: 'text/plain', text: 'look at this', attrs: { ct: 'text/plain' } },
      { seq: 1, contentType: 'image/jpeg', name: 'IMG_0000.jpg', data: new Uint8Array(mmsPicture), attrs: { ct: 'image/jpeg', name: 'IMG_0000.jpg' } },
    ],
    addrs: [
      { address: '+15550100001', type: 137 },
      { address: '+15550100002', type: 151 },
    ],
    attrs: { msg_box: '1', read: '1' },
  });
  return { records, media, root };
}

export function writeMedia(root: string, relPath: string, data: Buffer, mime: string, mtime: number): MediaSource {
  const abs = path.join(root, ...relPath.split('/'));
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, data);
  fs.utimesSync(abs, new Date(mtime), new Date(mtime));
  const st = fs.statSync(abs);
  return { kind: 'media', relPath, absPath: abs, size: st.size, mtime: st.mtimeMs, mime, takenAt: mtime };
}

export async function* corpusEvents(corpus: { records: PhoneRecord[]; media: MediaSource[] }): AsyncGenerator<ImportEvent> {
  for (const record of corpus.records) yield { type: 'record', record, file: 'corpus' };
  for (const media of corpus.media) {
    const st = fs.statSync(media.absPath);
    yield { type: 'media', media: { ...media, size: st.size, mtime: st.mtimeMs } };
  }
  yield { type: 'skipped', skipped: { file: 'broken.xml', line: 3, kind: 'sms', reason: 'unclosed element' } };
}

export function treeFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of fs.readdirSync(d)) {
      const p = path.join(d, name);
      if (fs.statSync(p).isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * Writes a corpus as a phone export folder in the standard formats (through the restore writers), so the
 * CLI's `backup SOURCE` reads it through the real importers. Media files are already under `corpus.root`.
 */
export async function writeExportFolder(corpus: Corpus): Promise<void> {
  const { writeSmsXml, writeCallsXml } = await import('./formats/sms-xml-writer');
  const { writeVcards } = await import('./formats/vcard-writer');
  const { writeNote } = await import('./formats/notes-writer');
  const messages = corpus.records.filter((r): r is Extract<PhoneRecord, { kind: 'sms' | 'mms' }> => r.kind === 'sms' || r.kind === 'mms');
  await writeSmsXml(path.join(corpus.root, 'sms.xml'), messages, { overwrite: true });
  await writeCallsXml(path.join(corpus.root, 'calls.xml'), corpus.records.filter((r): r is Extract<PhoneRecord, { kind: 'call' }> => r.kind === 'call'), { overwrite: true });
  await writeVcards(path.join(corpus.root, 'contacts.vcf'), corpus.records.filter((r): r is Extract<PhoneRecord, { kind: 'contact' }> => r.kind === 'contact'), { overwrite: true });
  for (const n of corpus.records) if (n.kind === 'note') await writeNote(corpus.root, n, { overwrite: true });
}
