import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeVcards } from '../formats/vcard-writer';
import { collect, tempDir } from './test-helpers';
import type { ContactRecord } from './types';
import { parsePropertyLine, parseVcard, readVcardFile } from './vcard';

const dir = tempDir('lifeline-vcard-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 1, 2, 3, 4, 0xff, 0xd9]);

const card30 = [
  'BEGIN:VCARD',
  'VERSION:3.0',
  'N:Müller;Anna;;;',
  'FN:Anna Müller',
  'item1.TEL;TYPE=CELL,VOICE:+49 151 1234567',
  'TEL;TYPE=WORK:+49 40 555',
  'EMAIL;TYPE=INTERNET,HOME:anna@example.com',
  'ORG:Acme\\, Inc.;Sales',
  'NOTE:Line one\\nLine two\\; with semicolon',
  'BDAY:1980-02-29',
  'UID:abc-123',
  `PHOTO;ENCODING=b;TYPE=JPEG:${JPEG.toString('base64').slice(0, 10)}`,
  ` ${JPEG.toString('base64').slice(10)}`,
  'END:VCARD',
].join('\r\n');

const card21 = [
  'BEGIN:VCARD',
  'VERSION:2.1',
  'N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=B6rg;;;',
  'FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=B6rg M=C3=BCller',
  'TEL;CELL;PREF:+4917612345',
  'TEL;HOME:040123',
  'NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Eine sehr lange Notiz =C3=BCber J=C3=B6rg, die =',
  'auf mehrere Zeilen umgebrochen wurde =E2=80=93 mit weichem Zeilenumbruch.',
  'PHOTO;ENCODING=BASE64;TYPE=JPEG:',
  ` ${JPEG.toString('base64')}`,
  '',
  'END:VCARD',
].join('\r\n');

const card40 = [
  'BEGIN:VCARD',
  'VERSION:4.0',
  'FN:Budi Santoso',
  'UID:urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1',
  'TEL;VALUE=uri;TYPE="voice,cell";PREF=1:tel:+62-811-555-0100',
  'EMAIL:budi@example.id',
  'ADR;LABEL="Jl. Merdeka 1^nJakarta ^\'Pusat^\'":;;Jl. Merdeka 1;Jakarta;;;Indonesia',
  `PHOTO:data:image/jpeg;base64,${JPEG.toString('base64')}`,
  'END:VCARD',
].join('\n');

function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

describe('parseVcard', () => {
  it('reads vCard 3.0 fields, escapes, groups and a base64 photo', () => {
    const c = parseVcard(card30);
    expect(c.vcard).toBe(card30);
    expect(c.fullName).toBe('Anna Müller');
    expect(c.phones).toEqual([
      { value: '+49 151 1234567', type: 'cell,voice' },
      { value: '+49 40 555', type: 'work' },
    ]);
    expect(c.emails).toEqual([{ value: 'anna@example.com', type: 'home' }]);
    expect(c.organization).toBe('Acme, Inc., Sales');
    expect(c.note).toBe('Line one\nLine two; with semicolon');
    expect(c.birthday).toBe('1980-02-29');
    expect(c.uid).toBe('abc-123');
    expect(c.photo?.mime).toBe('image/jpeg');
    expect(Buffer.from(c.photo?.bytes ?? []).equals(JPEG)).toBe(true);
  });

  it('decodes vCard 2.1 quoted-printable with soft line breaks, CHARSET and bare TYPE params', () => {
    const c = parseVcard(card21);
    expect(c.fullName).toBe('Jörg Müller');
    expect(c.phones).toEqual([
      { value: '+4917612345', type: 'cell' },
      { value: '040123', type: 'home' },
    ]);
    expect(c.note).toBe('Eine sehr lange Notiz über Jörg, die auf mehrere Zeilen umgebrochen wurde – mit weichem Zeilenumbruch.');
    expect(Buffer.from(c.photo?.bytes ?? []).equals(JPEG)).toBe(true);
  });

  it('reads vCard 4.0 data: URI photos, tel: URIs and RFC 6868 parameter escapes', () => {
    const c = parseVcard(card40);
    expect(c.fullName).toBe('Budi Santoso');
    expect(c.uid).toBe('urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1');
    expect(c.phones).toEqual([{ value: '+62-811-555-0100', type: 'voice,cell' }]);
    expect(c.photo?.mime).toBe('image/jpeg');
    const adr = parsePropertyLine('ADR;LABEL="Jl. Merdeka 1^nJakarta ^\'Pusat^\'":;;x', true);
    expect(adr?.params.get('LABEL')).toEqual(['Jl. Merdeka 1\nJakarta "Pusat"']);
  });

  it('builds a name from N, or ORG, when FN is missing', () => {
    expect(parseVcard('BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Jane;Q.;Dr.;\r\nEND:VCARD').fullName).toBe('Dr. Jane Q. Doe');
    expect(parseVcard('BEGIN:VCARD\r\nVERSION:3.0\r\nORG:Toko Maju\r\nEND:VCARD').fullName).toBe('Toko Maju');
  });
});

describe('readVcardFile', () => {
  it('streams a mixed 2.1/3.0/4.0 file and keeps each card verbatim', async () => {
    const file = write('mixed.vcf', `${card30}\r\n${card21}\r\n${card40}\n`);
    const { records, skipped, progress } = await collect(readVcardFile(file));
    expect(skipped).toEqual([]);
    expect(records.map((r) => (r as ContactRecord).vcard)).toEqual([card30, card21, card40]);
    expect(progress.at(-1)?.bytesRead).toBe(fs.statSync(file).size);
  });

  it('skips a card without END:VCARD and still imports the next one, naming the line', async () => {
    const broken = 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Broken\r\n';
    const file = write('missing-end.vcf', `${card30}\r\n${broken}${card40}\r\n`);
    const { records, skipped } = await collect(readVcardFile(file));
    expect(records.map((r) => (r as ContactRecord).fullName)).toEqual(['Anna Müller', 'Budi Santoso']);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]?.file).toBe(file);
    expect(skipped[0]?.line).toBe(15);
    expect(skipped[0]?.reason).toMatch(/no END:VCARD/);
  });

  it('skips a card with a 1 MB line without holding it, and imports the cards around it', async () => {
    const huge = `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Huge\r\nNOTE:${'x'.repeat(1024 * 1024)}\r\nEND:VCARD`;
    const file = write('long-line.vcf', `${card30}\r\n${huge}\r\n${card21}\r\n`);
    const { records, skipped } = await collect(readVcardFile(file));
    expect(records.map((r) => (r as ContactRecord).fullName)).toEqual(['Anna Müller', 'Jörg Müller']);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]?.line).toBe(15);
    expect(skipped[0]?.reason).toMatch(/line 18 is 1\.0 MB long/);
  });

  it('reports a file that ends inside a card (truncated)', async () => {
    const file = write('truncated.vcf', `${card30}\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cut off`);
    const { records, skipped } = await collect(readVcardFile(file));
    expect(records).toHaveLength(1);
    expect(skipped[0]?.reason).toMatch(/ends before END:VCARD.*line 15/);
  });

  it('reads a non-UTF-8 card with a declared CHARSET, and writes it back so it re-imports equal', async () => {
    const latin = Buffer.concat([
      Buffer.from('BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=ISO-8859-1:J'),
      Buffer.from([0xf6]),
      Buffer.from('rg\r\nTEL;CELL:123\r\nEND:VCARD\r\n'),
    ]);
    const file = write('latin1.vcf', latin);
    const first = await collect(readVcardFile(file));
    expect((first.records[0] as ContactRecord).fullName).toBe('Jörg');
    const out = path.join(dir, 'latin1-restored.vcf');
    await writeVcards(out, first.records as ContactRecord[]);
    const second = await collect(readVcardFile(out));
    expect(second.records).toEqual(first.records);
  });

  it('round-trips: write -> re-import gives equal records and identical text', async () => {
    const file = write('round.vcf', `${card30}\r\n${card21}\r\n${card40}`);
    const first = await collect(readVcardFile(file));
    const out = path.join(dir, 'round-restored.vcf');
    await writeVcards(out, first.records as ContactRecord[]);
    const second = await collect(readVcardFile(out));
    expect(second.skipped).toEqual([]);
    expect(second.records).toEqual(first.records);
  });

  it('reports a file that changed while it was read, keeping what it read', async () => {
    const cards = Array.from({ length: 3000 }, (_, i) => card30.replace('FN:Anna Müller', `FN:Person ${i}`)).join('\r\n');
    const file = write('growing.vcf', `${cards}\r\n`);
    const events = readVcardFile(file);
    let records = 0;
    const skipped: string[] = [];
    let appended = false;
    for await (const event of events) {
      if (event.type === 'record') {
        records += 1;
        if (!appended) {
          appended = true;
          fs.appendFileSync(file, `${card40}\r\n`);
        }
      }
      if (event.type === 'skipped') skipped.push(event.skipped.reason);
    }
    expect(records).toBe(3001);
    expect(skipped.join('\n')).toMatch(/changed while it was read/);
  });
});
