import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { scanSource } from '../../electron/services/backup/import/scan';
import type { ImportEvent } from '../../electron/services/backup/import/types';
import { applyOnePercentChange, CORPUS_SCALES, generateCorpus, type CorpusOptions } from './generate';

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-corpus-'));
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

const options: CorpusOptions = { seed: 42, ...CORPUS_SCALES.tiny, sms: 600, mms: 12 };

/** relPath -> sha256 + size + mtime, for every file under dir. */
function manifest(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const data = fs.readFileSync(p);
        const stat = fs.statSync(p);
        out[path.relative(dir, p).split(path.sep).join('/')] = `${crypto.createHash('sha256').update(data).digest('hex')} ${data.length} ${Math.round(stat.mtimeMs)}`;
      }
    }
  };
  walk(dir);
  return out;
}

async function scanCounts(dir: string): Promise<{ counts: Record<string, number>; skipped: string[] }> {
  const counts: Record<string, number> = {};
  const skipped: string[] = [];
  for await (const event of scanSource([dir]) as AsyncIterable<ImportEvent>) {
    if (event.type === 'record') counts[event.record.kind] = (counts[event.record.kind] ?? 0) + 1;
    else if (event.type === 'media') counts.media = (counts.media ?? 0) + 1;
    else if (event.type === 'skipped') skipped.push(`${event.skipped.file}: ${event.skipped.reason}`);
  }
  return { counts, skipped };
}

describe('corpus generator', () => {
  it('is deterministic for a seed (same bytes and mtimes), different for another seed', async () => {
    const a = path.join(base, 'a');
    const b = path.join(base, 'b');
    const c = path.join(base, 'c');
    const summaryA = await generateCorpus(a, options);
    await generateCorpus(b, options);
    await generateCorpus(c, { ...options, seed: 43 });
    expect(manifest(a)).toEqual(manifest(b));
    expect(manifest(c)).not.toEqual(manifest(a));
    expect(summaryA).toMatchObject({ photos: 12, duplicatePhotos: 1, videos: 1, sms: 600, mms: 12, calls: 100, contacts: 60, notes: 5 });
  });

  it('makes an export the importers read completely: EXIF, duplicates, messages, contacts, notes', async () => {
    const dir = path.join(base, 'a');
    const { counts, skipped } = await scanCounts(dir);
    expect(skipped).toEqual([]);
    expect(counts.sms).toBe(600);
    expect(counts.mms).toBe(12);
    expect(counts.call).toBe(100);
    expect(counts.contact).toBe(60);
    expect(counts.note).toBe(5);
    const saved = fs.existsSync(path.join(dir, 'Pictures/Messages')) ? fs.readdirSync(path.join(dir, 'Pictures/Messages')).length : 0;
    expect(counts.media).toBe(12 + 1 + 1 + saved);
    const vcf = fs.readFileSync(path.join(dir, 'contacts.vcf'), 'utf8');
    expect(vcf).toContain('VERSION:3.0');
    expect(vcf).toContain('VERSION:2.1');
    expect(vcf).toContain('ENCODING=QUOTED-PRINTABLE');
  });

  it('writes message text that compresses 3-6x', async () => {
    const xml = fs.readFileSync(path.join(base, 'a', 'sms.xml'), 'utf8');
    const smsLines = xml.split('\n').filter((l) => l.startsWith('  <sms ')).join('\n');
    const ratio = Buffer.byteLength(smsLines) / zlib.deflateSync(smsLines, { level: 6 }).length;
    expect(ratio).toBeGreaterThan(3);
    expect(ratio).toBeLessThan(6);
  });

  it('applies a deterministic 1 % change that re-dumps the exports and still imports cleanly', async () => {
    const x = path.join(base, 'x');
    const y = path.join(base, 'y');
    await generateCorpus(x, options);
    await generateCorpus(y, options);
    const before = manifest(x);
    const change = await applyOnePercentChange(x, 7);
    await applyOnePercentChange(y, 7);
    const after = manifest(x);
    expect(after).toEqual(manifest(y));
    expect(change.newPhotos + change.editedPhotos).toBeGreaterThan(0);
    expect(change.newSms).toBe(6);
    expect(change.newCalls).toBe(1);
    expect(change.changedBytes).toBeGreaterThan(0);
    expect(after['sms.xml']).not.toBe(before['sms.xml']);
    expect(after['contacts.vcf']).not.toBe(before['contacts.vcf']);
    const { counts, skipped } = await scanCounts(x);
    expect(skipped).toEqual([]);
    expect(counts.sms).toBe(606);
    expect(counts.call).toBe(101);
    expect(counts.contact).toBe(60 + change.newContacts);
    expect(fs.readFileSync(path.join(x, 'sms.xml'), 'utf8')).toMatch(/<smses count="618"/);
  });
});
