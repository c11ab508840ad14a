import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jpegHeader, JPEG_END } from '../../../../bench/corpus/jpeg';
import { walkFolder } from './media';
import { scanSource } from './scan';
import { collect, tempDir } from './test-helpers';

const dir = tempDir('lifeline-scan-');
const outside = tempDir('lifeline-scan-outside-');
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

function put(rel: string, data: Buffer | string, root = dir): string {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data);
  return file;
}

const photo = Buffer.concat([jpegHeader({ date: { year: 2022, month: 1, day: 2, hour: 3, minute: 4, second: 5 }, lat: 10, lon: 20 }), Buffer.alloc(1000, 1), JPEG_END]);
const smsXml = (bodies: string[]): string =>
  `<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count="${bodies.length}">\n${bodies
    .map((b, i) => `  <sms address="+1" date="${i + 1}" type="1" body="${b}" />\n`)
    .join('')}</smses>\n`;

describe('scanSource', () => {
  it('imports a phone export folder holding a mix of everything, and reports what it skipped', async () => {
    const root = path.join(dir, 'export');
    put('contacts/all.vcf', 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:2.1\r\nFN:B\r\nTEL;CELL:1\r\nEND:VCARD\r\n', root);
    put('sms-20240101.xml', smsXml(['one', 'two']), root);
    put('calls-20240101.xml', `<?xml version="1.0"?>\n<calls count="1">\n  <call number="+1" duration="3" date="9" type="2" />\n</calls>\n`, root);
    put('DCIM/Camera/IMG_1.jpg', photo, root);
    put('DCIM/Camera/IMG_empty.jpg', '', root);
    put('Pictures/Screenshots/noext', photo, root);
    put('notes/work/plan.md', '# Plan\n\ntext\n', root);
    put('notes/todo.txt', 'buy milk\n', root);
    put('random.bin', Buffer.from([1, 2, 3]), root);
    put('settings.xml', '<?xml version="1.0"?><settings/>', root);
    put('DCIM/unknown-contacts', 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Sniffed\r\nEND:VCARD\r\n', root);
    const secret = put('secret.vcf', 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Secret\r\nEND:VCARD\r\n', outside);
    fs.symlinkSync(secret, path.join(root, 'contacts', 'link.vcf'));

    const { records, media, skipped, progress } = await collect(scanSource([root]));
    const byKind = (k: string): number => records.filter((r) => r.kind === k).length;
    expect(byKind('contact')).toBe(3);
    expect(byKind('sms')).toBe(2);
    expect(byKind('call')).toBe(1);
    expect(records.filter((r) => r.kind === 'note').map((r) => (r.kind === 'note' ? [r.relPath, r.title] : []))).toEqual([
      ['todo.txt', 'buy milk'],
      ['work/plan.md', 'Plan'],
    ]);
    expect(records.some((r) => r.kind === 'contact' && r.fullName === 'Secret')).toBe(false);
    expect(media.map((m) => [m.relPath, m.mime])).toEqual([
      ['DCIM/Camera/IMG_1.jpg', 'image/jpeg'],
      ['Pictures/Screenshots/noext', 'image/jpeg'],
    ]);
    const reasons = Object.fromEntries(skipped.map((s) => [path.basename(s.file), s.reason]));
    expect(Object.keys(reasons).sort()).toEqual(['IMG_empty.jpg', 'link.vcf', 'random.bin', 'settings.xml']);
    expect(reasons['IMG_empty.jpg']).toMatch(/empty \(0 bytes\)/);
    expect(reasons['link.vcf']).toMatch(/outside the source folder/);
    expect(reasons['settings.xml']).toMatch(/<settings>/);
    expect(reasons['random.bin']).toMatch(/not a file type/);
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.every((p) => p.bytesRead <= p.bytesTotal)).toBe(true);
  });

  it('reads photo headers ahead but hands everything out in walk order, and still honours reuse', async () => {
    const root = path.join(dir, 'ahead');
    for (let i = 0; i < 30; i++) put(`DCIM/Camera/IMG_${String(i).padStart(2, '0')}.jpg`, photo, root);
    put('DCIM/Camera/IMG_15.xml', smsXml(['between photos']), root);
    put('DCIM/zero.jpg', '', root);
    put('sms.xml', smsXml(['kept', 'also kept']), root);
    const walked: string[] = [];
    for await (const e of walkFolder(root)) if (e.type === 'file') walked.push(e.relPath);
    const order: string[] = [];
    const bodies: string[] = [];
    for await (const ev of scanSource([root])) {
      if (ev.type === 'media') order.push(ev.media.relPath);
      else if (ev.type === 'skipped') order.push(path.relative(root, ev.skipped.file).split(path.sep).join('/'));
      else if (ev.type === 'file') {
        order.push(path.relative(root, ev.file).split(path.sep).join('/'));
        if (ev.file.endsWith('IMG_15.xml')) ev.reuse = true;
      } else if (ev.type === 'record' && ev.record.kind === 'sms') bodies.push(ev.record.body);
    }
    expect(order).toEqual(walked);
    expect(bodies.sort()).toEqual(['also kept', 'kept']);
  });

  it('takes single files of each kind, and reports paths that do not exist', async () => {
    const vcf = put('single/one.vcf', 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:One\r\nEND:VCARD\r\n');
    const xml = put('single/backup.xml', smsXml(['hi']));
    const jpg = put('single/p.jpg', photo);
    const md = put('single/n.md', '# N\n');
    const { records, media, skipped } = await collect(scanSource([vcf, xml, jpg, md, path.join(dir, 'missing.vcf')]));
    expect(records.map((r) => r.kind)).toEqual(['contact', 'sms', 'note']);
    expect(media.map((m) => m.relPath)).toEqual(['p.jpg']);
    expect(media[0]?.place).toEqual({ lat: 10, lon: 20 });
    expect(skipped).toEqual([{ file: path.join(dir, 'missing.vcf'), reason: 'the path does not exist' }]);
  });

  it('keeps importing after a broken file: records before and after the bad one arrive', async () => {
    const root = path.join(dir, 'broken');
    put('a.vcf', 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Before\r\nEND:VCARD\r\n', root);
    const full = smsXml(['x', 'y']);
    put('b.xml', full.slice(0, full.indexOf('body="y"')), root);
    put('c.vcf', 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:After\r\nEND:VCARD\r\n', root);
    const { records, skipped } = await collect(scanSource([root]));
    expect(records.map((r) => (r.kind === 'contact' ? r.fullName : r.kind))).toEqual(['Before', 'sms', 'After']);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]?.file).toBe(path.join(fs.realpathSync(root), 'b.xml'));
    expect(skipped[0]?.line).toBe(4);
  });

  it('stops when cancelled', async () => {
    const root = path.join(dir, 'cancel');
    for (let i = 0; i < 5; i++) put(`n${i}.txt`, `note ${i}`, root);
    const controller = new AbortController();
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const event of scanSource([root], { signal: controller.signal })) {
          if (event.type === 'record') seen.push(event.file);
          if (seen.length === 2) controller.abort();
        }
      })(),
    ).rejects.toThrow(/abort/i);
    expect(seen).toHaveLength(2);
  });
});
