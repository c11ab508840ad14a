import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collect, tempDir } from '../import/test-helpers';
import { readSmsXmlFile } from '../import/sms-xml';
import type { MmsRecord } from '../import/types';
import { mmsAttachmentPath, writeRestoredFile } from './media-writer';
import { sanitizeRelativePath } from './safe-path';

const dir = tempDir('lifeline-restore-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function listAll(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(root, p).split(path.sep).join('/'));
    }
  };
  walk(root);
  return out.sort();
}

describe('sanitizeRelativePath', () => {
  it('keeps normal paths and says nothing', () => {
    expect(sanitizeRelativePath('DCIM/Camera/IMG_1.jpg', false)).toEqual({ relPath: 'DCIM/Camera/IMG_1.jpg', segments: ['DCIM', 'Camera', 'IMG_1.jpg'] });
  });

  it('drops "..", absolute prefixes and empty names, explaining why', () => {
    expect(sanitizeRelativePath('../../x', false).relPath).toBe('x');
    expect(sanitizeRelativePath('../../x', false).changed).toMatch(/outside the folder/);
    expect(sanitizeRelativePath('/etc/passwd', false).relPath).toBe('etc/passwd');
    expect(sanitizeRelativePath('C:\\Windows\\x.dll', false).relPath).toBe('Windows/x.dll');
    expect(sanitizeRelativePath('..', false).relPath).toBe('unnamed');
  });

  it('applies Windows naming rules when asked', () => {
    expect(sanitizeRelativePath('a:b?.jpg', true).relPath).toBe('a_b_.jpg');
    expect(sanitizeRelativePath('CON.txt', true).relPath).toBe('_CON.txt');
    expect(sanitizeRelativePath('name. ', true).relPath).toBe('name');
  });
});

describe('writeRestoredFile', () => {
  it('writes at the relative path and restores the modification time', async () => {
    const target = path.join(dir, 't1');
    const result = await writeRestoredFile(target, 'DCIM/Camera/IMG_1.jpg', Buffer.from('photo'), { mtime: 1_600_000_000_000 });
    expect(result.renamed).toBeUndefined();
    expect(result.relPath).toBe('DCIM/Camera/IMG_1.jpg');
    expect(fs.readFileSync(result.path, 'utf8')).toBe('photo');
    expect(fs.statSync(result.path).mtimeMs).toBe(1_600_000_000_000);
  });

  it('never writes an MMS part named ../../x outside the target', async () => {
    const xml = `<?xml version='1.0' encoding='UTF-8'?>\n<smses count="1">\n  <mms date="1" msg_box="1" address="+1"><parts><part seq="0" ct="image/png" name="../../x" data="${Buffer.from('png-bytes').toString('base64')}" /></parts></mms>\n</smses>\n`;
    const src = path.join(dir, 'mms.xml');
    fs.writeFileSync(src, xml);
    const { records } = await collect(readSmsXmlFile(src));
    const part = (records[0] as MmsRecord).parts[0];
    expect(part?.name).toBe('../../x');
    const target = path.join(dir, 'nested', 'target');
    const result = await writeRestoredFile(target, part?.name ?? '', part?.data ?? new Uint8Array());
    expect(result.path.startsWith(fs.realpathSync(target) + path.sep)).toBe(true);
    expect(result.relPath).toBe('x');
    expect(result.renamed).toMatch(/"\.\.\/\.\.\/x" was restored as "x"/);
    expect(fs.existsSync(path.join(dir, 'x'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'nested', 'x'))).toBe(false);
    expect(mmsAttachmentPath({ name: '../../x', seq: 0, contentType: 'image/png' }, 1)).toBe('MMS/1-0-x');
  });

  it('gives a sanitized name a free name instead of replacing a real file', async () => {
    const target = path.join(dir, 't2');
    await writeRestoredFile(target, 'x', Buffer.from('real'));
    const result = await writeRestoredFile(target, '../x', Buffer.from('attacker'));
    expect(result.relPath).toBe('x (1)');
    expect(fs.readFileSync(path.join(target, 'x'), 'utf8')).toBe('real');
    expect(listAll(target)).toEqual(['x', 'x (1)']);
  });

  it('refuses to restore through a symlink in the target and to overwrite without permission', async () => {
    const target = path.join(dir, 't3');
    const elsewhere = path.join(dir, 'elsewhere');
    fs.mkdirSync(target, { recursive: true });
    fs.mkdirSync(elsewhere, { recursive: true });
    fs.symlinkSync(elsewhere, path.join(target, 'DCIM'));
    await expect(writeRestoredFile(target, 'DCIM/a.jpg', Buffer.from('a'))).rejects.toThrow(/symbolic link/);
    expect(fs.readdirSync(elsewhere)).toEqual([]);
    await writeRestoredFile(target, 'b.jpg', Buffer.from('one'));
    await expect(writeRestoredFile(target, 'b.jpg', Buffer.from('two'))).rejects.toThrow(/already exists/);
    await writeRestoredFile(target, 'b.jpg', Buffer.from('two'), { overwrite: true });
    expect(fs.readFileSync(path.join(target, 'b.jpg'), 'utf8')).toBe('two');
    expect(listAll(target).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});
