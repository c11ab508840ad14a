/**
 * Deterministic content for fake phones: the same seed and sizes always give the same contacts, messages,
 * calls and photos, so a test or benchmark can compare what it read against what the profile holds.
 */
import crypto from 'node:crypto';
import { seededRandom } from '../../seeded-random';

export const prng = seededRandom;

function pick<T>(rand: () => number, items: readonly T[]): T {
  const item = items[Math.floor(rand() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

const GIVEN = ['Ana', 'Budi', 'Chloé', 'Dewi', 'Émile', 'Fatima', 'Gita', 'Hiro', 'Ines', 'Jörg', 'Kofi', 'Lena', 'Mateus', 'Nur', 'Olu', 'Priya', 'Zoë', 'Siti'];
const FAMILY = ['Santoso', "O'Brien", 'Müller', 'Nguyen', 'Wijaya', 'Smith, Jr.', 'Kowalski', 'Tan', 'García', 'Haddad', 'Lee = Kim', '李'];

export interface FakeContact {
  rawContactId: number;
  given: string;
  family: string;
  displayName: string;
  phones: { number: string; type: number }[];
  emails: string[];
  accountType: string | null;
}

export function makeContacts(count: number, seed: number): FakeContact[] {
  const rand = prng(seed ^ 0xc0ffee);
  const out: FakeContact[] = [];
  for (let i = 0; i < count; i += 1) {
    const given = pick(rand, GIVEN);
    const family = pick(rand, FAMILY);
    const phones = [{ number: `+62 812-${String(1000 + ((i * 7919) % 9000)).padStart(4, '0')}-${String(i % 10000).padStart(4, '0')}`, type: 2 }];
    if (rand() < 0.3) phones.push({ number: `(021) 555-${String(i % 10000).padStart(4, '0')}`, type: 1 });
    const emails = rand() < 0.4 ? [`${given.toLowerCase().replace(/[^a-z]/g, 'x')}.${i}@example.com`] : [];
    out.push({
      rawContactId: i + 1,
      given,
      family,
      displayName: `${given} ${family}`,
      phones,
      emails,
      accountType: rand() < 0.5 ? null : 'com.google',
    });
  }
  return out;
}

/** Bodies chosen to break naive `content query` parsers: separators, quotes, `=`, emoji, newlines. */
const BODIES = [
  'Your code is 482913. Do not share it.',
  'Hi, are we still on for 7pm, or later?',
  'She said "ok, fine" and left',
  'a=b, c=d, type=2, body=nested',
  'Line one\nLine two, with comma\nRow: 99 _id=5, body=not a row',
  'Paket Anda sudah dikirim 📦 — terima kasih!',
  "It's 50% off today only, don't miss it",
  'Trailing comma, ',
  '',
  'Emoji only 😀😀👍🏽',
  'Tab\tseparated\tvalues',
  'date=1700000000000, read=1',
];

export interface FakeSms {
  id: number;
  threadId: number;
  address: string;
  date: number;
  dateSent: number;
  type: number;
  read: number;
  body: string;
}

const BASE_TIME = Date.UTC(2025, 0, 1);

export function makeSms(count: number, seed: number): FakeSms[] {
  const rand = prng(seed ^ 0x5a5a5a);
  const out: FakeSms[] = [];
  for (let i = 0; i < count; i += 1) {
    const thread = 1 + Math.floor(rand() * Math.max(1, Math.min(200, count / 10)));
    const type = rand() < 0.55 ? 1 : 2;
    const date = BASE_TIME + i * 61_000;
    out.push({
      id: i + 1,
      threadId: thread,
      address: `+6281${String(2000000 + thread * 37).padStart(8, '0')}`,
      date,
      dateSent: type === 1 ? date - 3000 : 0,
      type,
      read: 1,
      body: `${BODIES[i % BODIES.length] ?? ''}${i >= BODIES.length ? ` #${i}` : ''}`,
    });
  }
  return out;
}

export interface FakeMms {
  id: number;
  threadId: number;
  date: number;
  msgBox: number;
  subject: string | null;
  parts: { id: number; ct: string; name: string | null; text: string | null; size: number }[];
}

export function makeMms(count: number, seed: number): FakeMms[] {
  const out: FakeMms[] = [];
  let partId = 1;
  for (let i = 0; i < count; i += 1) {
    const parts: FakeMms['parts'] = [
      { id: partId++, ct: 'application/smil', name: 'smil.xml', text: '<smil><body><par dur="5000ms"><img src="image0.jpg"/></par></body></smil>', size: 0 },
      { id: partId++, ct: 'image/jpeg', name: `image${i}.jpg`, text: null, size: 20_000 + ((i * 977 + seed) % 40_000) },
      { id: partId++, ct: 'text/plain', name: null, text: i % 2 === 0 ? 'Look at this, "wow"' : 'Photo\nfrom the trip', size: 0 },
    ];
    out.push({ id: i + 1, threadId: 1 + (i % 5), date: Math.floor((BASE_TIME + i * 3_600_000) / 1000), msgBox: i % 2 === 0 ? 1 : 2, subject: i % 3 === 0 ? 'Trip, day 1' : null, parts });
  }
  return out;
}

export interface FakeCall {
  id: number;
  number: string;
  date: number;
  duration: number;
  type: number;
  name: string | null;
}

export function makeCalls(count: number, seed: number): FakeCall[] {
  const rand = prng(seed ^ 0xca11);
  const out: FakeCall[] = [];
  for (let i = 0; i < count; i += 1) {
    const type = 1 + Math.floor(rand() * 3);
    out.push({
      id: i + 1,
      number: i % 17 === 0 ? '' : `+6281${String(3000000 + i * 13).padStart(8, '0')}`,
      date: BASE_TIME + i * 3_700_000,
      duration: type === 3 ? 0 : Math.floor(rand() * 900),
      type,
      name: i % 4 === 0 ? null : `${pick(rand, GIVEN)} ${pick(rand, FAMILY)}`,
    });
  }
  return out;
}

export interface FakePhoto {
  /** Raw file name bytes: may hold newlines or invalid UTF-8 on purpose. */
  name: Buffer;
  dir: 'DCIM/Camera' | 'Pictures/Screenshots' | 'Pictures' | 'DCIM';
  size: number;
  mtime: number;
  seed: number;
}

export interface PhotoSpec {
  count: number;
  /** Average size in bytes; actual sizes vary ±25 % deterministically. */
  averageBytes: number;
  /** Add names with a newline and with invalid UTF-8 (true by default). */
  awkwardNames?: boolean;
}

export function makePhotos(spec: PhotoSpec, seed: number): FakePhoto[] {
  const rand = prng(seed ^ 0xf070);
  const out: FakePhoto[] = [];
  for (let i = 0; i < spec.count; i += 1) {
    const size = Math.max(64, Math.round(spec.averageBytes * (0.75 + rand() * 0.5)));
    const mtime = Math.floor(BASE_TIME / 1000) + i * 3600;
    const isVideo = i % 25 === 24;
    const stamp = new Date(mtime * 1000).toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);
    let dir: FakePhoto['dir'] = i % 5 === 4 ? 'Pictures/Screenshots' : 'DCIM/Camera';
    let name = Buffer.from(isVideo ? `VID_${stamp}_${i}.mp4` : `IMG_${stamp}_${i}.jpg`);
    if (spec.awkwardNames !== false && i === 1) {
      dir = 'Pictures';
      name = Buffer.from(`holiday\nphoto ${i}.jpg`);
    }
    if (spec.awkwardNames !== false && i === 2) {
      dir = 'Pictures';
      name = Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from(`_${i}.jpg`)]);
    }
    out.push({ name, dir, size, mtime, seed: seed * 100_003 + i });
  }
  return out;
}

const JPEG_HEAD = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);

/** Bytes [offset, offset+length) of a fake photo: a JPEG-looking head then keyed pseudo-random filler. */
export function photoBytes(photo: { size: number; seed: number }, offset: number, length: number): Buffer {
  const end = Math.min(photo.size, offset + length);
  if (end <= offset) return Buffer.alloc(0);
  const key = crypto.createHash('sha256').update(`fake-photo:${photo.seed}`).digest();
  // AES-CTR is seekable: start the counter at the block that holds `offset`.
  const block = Math.floor(offset / 16);
  const iv = Buffer.alloc(16);
  iv.writeUInt32BE(block >>> 0, 12);
  iv.writeUInt32BE(Math.floor(block / 2 ** 32), 8);
  const skip = offset - block * 16;
  const stream = crypto.createCipheriv('aes-256-ctr', key, iv).update(Buffer.alloc(end - offset + skip));
  const out = Buffer.from(stream.subarray(skip));
  for (let i = offset; i < Math.min(end, JPEG_HEAD.length); i += 1) out[i - offset] = JPEG_HEAD[i] ?? 0;
  return out;
}
