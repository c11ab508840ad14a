import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jpegHeader, JPEG_END } from '../../../../bench/corpus/jpeg';
import { parseExifDate, readMediaFile, readMediaFolder } from './media';
import { detectMediaType } from './sniff';
import { collect, tempDir } from './test-helpers';

const dir = tempDir('lifeline-media-');
const outside = tempDir('lifeline-media-outside-');
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

function photo(lat?: number, lon?: number, payload = 200_000): Buffer {
  const fields = { date: { year: 2024, month: 3, day: 9, hour: 14, minute: 5, second: 30 }, offset: '+07:00', ...(lat !== undefined && lon !== undefined ? { lat, lon } : {}) };
  return Buffer.concat([jpegHeader(fields), Buffer.alloc(payload, 0x5a), JPEG_END]);
}

function put(rel: string, data: Buffer | string, root = dir): string {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data);
  return file;
}

describe('media import', () => {
  it('reads type, EXIF date with offset and GPS place from the header', async () => {
    const file = put('DCIM/Camera/IMG_1.jpg', photo(-6.2, 106.8166));
    const event = await readMediaFile(file, 'DCIM/Camera/IMG_1.jpg');
    expect(event.type).toBe('media');
    if (event.type !== 'media') return;
    expect(event.media).toMatchObject({ kind: 'media', relPath: 'DCIM/Camera/IMG_1.jpg', absPath: file, mime: 'image/jpeg', size: fs.statSync(file).size });
    expect(event.media.takenAt).toBe(Date.UTC(2024, 2, 9, 7, 5, 30));
    expect(event.media.place?.lat).toBeCloseTo(-6.2, 4);
    expect(event.media.place?.lon).toBeCloseTo(106.8166, 4);
  });

  it('detects the type by magic bytes over the extension, and by extension for unknown content', () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    expect(detectMediaType('x.jpg', png)).toBe('image/png');
    const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypisom\0\0\0\0isom')]);
    expect(detectMediaType('noext', mp4)).toBe('video/mp4');
    const heic = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic\0\0\0\0mif1')]);
    expect(detectMediaType('a.HEIC', heic)).toBe('image/heic');
    expect(detectMediaType('damaged.jpg', Buffer.from('garbage'))).toBe('image/jpeg');
    expect(detectMediaType('readme', Buffer.from('hello'))).toBeUndefined();
  });

  it('parses EXIF dates with and without offsets', () => {
    expect(parseExifDate('2021:05:06 10:11:12', '-03:30')).toBe(Date.UTC(2021, 4, 6, 13, 41, 12));
    expect(parseExifDate('2021:05:06 10:11:12')).toBe(new Date(2021, 4, 6, 10, 11, 12).getTime());
    expect(parseExifDate('0000:00:00 00:00:00')).toBeUndefined();
    expect(parseExifDate(42)).toBeUndefined();
  });

  it('skips a 0-byte photo with a reason', async () => {
    const file = put('empty/IMG_0.jpg', '');
    const event = await readMediaFile(file, 'empty/IMG_0.jpg');
    expect(event).toEqual({ type: 'skipped', skipped: { file, kind: 'media', reason: 'the file is empty (0 bytes)' } });
  });

  it('walks a folder without following symlinks out of it', async () => {
    const root = path.join(dir, 'walk');
    put('DCIM/a.jpg', photo(), root);
    put('Pictures/b.jpg', photo(1, 2), root);
    const secret = put('secret.jpg', photo(), outside);
    fs.symlinkSync(secret, path.join(root, 'DCIM', 'escape.jpg'));
    fs.symlinkSync(outside, path.join(root, 'outside-dir'));
    fs.symlinkSync(path.join(root, 'DCIM'), path.join(root, 'loop'));
    fs.symlinkSync(path.join(root, 'Pictures', 'b.jpg'), path.join(root, 'DCIM', 'inside-link.jpg'));
    fs.symlinkSync(path.join(root, 'nowhere.jpg'), path.join(root, 'DCIM', 'broken.jpg'));
    const { media, skipped } = await collect(readMediaFolder(root));
    expect(media.map((m) => m.relPath).sort()).toEqual(['DCIM/a.jpg', 'DCIM/inside-link.jpg', 'Pictures/b.jpg']);
    expect(media.every((m) => !m.absPath.startsWith(outside))).toBe(true);
    const reasons = Object.fromEntries(skipped.map((s) => [path.basename(s.file), s.reason]));
    expect(reasons['escape.jpg']).toMatch(/points outside the source folder/);
    expect(reasons['outside-dir']).toMatch(/points outside the source folder/);
    expect(reasons.loop).toMatch(/link to a folder inside the source/);
    expect(reasons['broken.jpg']).toMatch(/does not exist/);
  });
});
