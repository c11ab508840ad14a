import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTimeReport, shaManifest } from './measure';
import { checkRestore, recordDigest } from './restore-check';

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-bench-check-'));
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

function tree(name: string, files: Record<string, string>): string {
  const dir = path.join(base, name);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const SMS_A = `<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count="2">\n  <sms address="+491" date="1" body="hi" />\n  <mms date="2" m_id="x"><parts><part seq="0" ct="text/plain" text="yo" /></parts></mms>\n</smses>\n`;
const SMS_B = `<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count="2"   >\n  <mms m_id="x" date="2"><parts><part text="yo" ct="text/plain" seq="0" /></parts></mms>\n  <sms body="hi" date="1" address="+491" />\n</smses>\n`;

describe('restore check', () => {
  it('treats record exports with reordered attributes and records as the same records, and nothing else', async () => {
    const src = tree('src', { 'sms.xml': SMS_A, 'DCIM/a.jpg': 'photo' });
    const same = tree('same', { 'sms.xml': SMS_B, 'DCIM/a.jpg': 'photo' });
    expect(recordDigest(path.join(src, 'sms.xml'))).toBe(recordDigest(path.join(same, 'sms.xml')));
    const manifest = await shaManifest(src);
    const ok = await checkRestore(manifest, same, src, true);
    expect(ok).toMatchObject({ ok: true, identical: 1, sameRecords: ['sms.xml'] });
    // Byte-exact tools get no such allowance.
    expect((await checkRestore(manifest, same, src, false)).different).toEqual(['sms.xml']);
  });

  it('reports missing, changed and extra files', async () => {
    const src = tree('src2', { 'a.txt': 'a', 'b.txt': 'b', 'sms.xml': SMS_A });
    const bad = tree('bad', { 'a.txt': 'A', 'c.txt': 'c', 'sms.xml': SMS_A.replace('body="hi"', 'body="ho"') });
    const result = await checkRestore(await shaManifest(src), bad, src, true);
    expect(result.ok).toBe(false);
    expect(result.missing).toEqual(['b.txt']);
    expect(result.different.sort()).toEqual(['a.txt', 'sms.xml']);
    expect(result.extra).toEqual(['c.txt']);
  });

  it('reads peak RSS and CPU times from GNU time -v', () => {
    const report = '\tUser time (seconds): 7.57\n\tSystem time (seconds): 1.45\n\tMaximum resident set size (kbytes): 295960\n';
    expect(parseTimeReport(report)).toEqual({ userS: 7.57, sysS: 1.45, maxRssKb: 295960 });
    expect(parseTimeReport('')).toEqual({});
  });
});
