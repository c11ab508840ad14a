/**
 * Seeded generator of a realistic phone export, for tests and the backup benchmark:
 *
 *   DCIM/Camera/IMG_*.jpg      JPEG-like photos: real EXIF header (date + GPS), random payload
 *   DCIM/Camera/VID_*.mp4      video-like files (ftyp + mdat)
 *   Pictures/WhatsApp/*.jpg    5 % duplicates of camera photos (same bytes, other name)
 *   Pictures/Messages/*.jpg    saved MMS pictures (same bytes as the MMS part)
 *   sms.xml, calls.xml         "SMS Backup & Restore" format; message text compresses 3-6x
 *   contacts.vcf               vCard 3.0, about 10 % 2.1 with quoted-printable
 *   notes/**.md                Markdown notes
 *
 * Same seed and options -> byte-identical files and mtimes.
 *
 * Command line:
 *   tsx bench/corpus/generate.ts --out DIR [--seed S] [--scale tiny|small|full] [--photos N] ...
 *   tsx bench/corpus/generate.ts --change DIR [--seed S]     (applies the "1 % change")
 */
import { once } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import { pathToFileURL } from 'node:url';
import { callElement, createCallsXmlWriter, createSmsXmlWriter, smsElement } from '../../electron/services/backup/formats/sms-xml-writer';
import type { CallRecord, MmsRecord, SmsRecord } from '../../electron/services/backup/import/types';
import { jpegHeader, JPEG_END, type ExifFields } from './jpeg';
import { ByteStream, Rng } from './random';

export interface CorpusOptions {
  seed: string | number;
  photos: number;
  /** Average photo size in bytes (sizes vary from 0.5x to 1.5x). */
  photoBytes: number;
  videos: number;
  /** Average video size; default 8 x photoBytes. */
  videoBytes?: number;
  sms: number;
  mms: number;
  /** Average MMS picture size; default 16 KB. */
  mmsImageBytes?: number;
  calls: number;
  contacts: number;
  notes: number;
}

export interface CorpusSummary {
  files: number;
  bytes: number;
  photos: number;
  duplicatePhotos: number;
  videos: number;
  sms: number;
  mms: number;
  calls: number;
  contacts: number;
  notes: number;
}

export const CORPUS_SCALES: Record<'tiny' | 'small' | 'full', Omit<CorpusOptions, 'seed'>> = {
  tiny: { photos: 12, photoBytes: 40_000, videos: 1, sms: 300, mms: 10, calls: 100, contacts: 60, notes: 5 },
  small: { photos: 200, photoBytes: 300_000, videos: 2, sms: 20_000, mms: 300, calls: 5_000, contacts: 2_000, notes: 100 },
  // About 2 GiB of photos, as BACKUP.md's benchmark describes.
  full: { photos: 500, photoBytes: 4_300_000, videos: 4, sms: 500_000, mms: 10_000, calls: 100_000, contacts: 50_000, notes: 2_000 },
};

/** 2023-01-01T00:00:00Z: the corpus covers the three years after. */
const START = Date.UTC(2023, 0, 1);
const SPAN = 3 * 365 * 86_400_000;

const FIRST_NAMES = [
  'Anna', 'Jörg', 'Müge', 'Sven', 'Budi', 'Siti', 'Putri', 'Agus', 'Dewi', 'Rizky', 'Lukas', 'Sophie', 'Mia', 'Jonas', 'Léa',
  'Zoë', 'Noah', 'Emma', 'Ayşe', 'Mehmet', 'Olga', 'Piotr', 'Łukasz', 'Ana', 'José', 'María', 'Chloé', 'Björn', 'Eva', 'Tom',
  'Nina', 'Ravi', 'Priya', 'Wei', 'Yuki', 'Hana', 'Omar', 'Fatima', 'Ingrid', 'Søren', 'Kai', 'Lina', 'Paul', 'Clara', 'Ben',
];
const LAST_NAMES = [
  'Müller', 'Schmidt', 'Santoso', 'Wijaya', 'Hartono', 'Nguyen', 'Kowalski', 'García', 'Öztürk', 'Fischer', 'Weber', 'Meyer',
  'Wagner', 'Becker', 'Hoffmann', 'Schäfer', 'Koch', 'Richter', 'Klein', 'Wolf', 'Neumann', 'Schwarz', 'Zimmermann', 'Braun',
  'Krüger', 'Hofmann', 'Hartmann', 'Lange', 'Schmitt', 'Werner', 'Pratama', 'Saputra', 'Lestari', 'Kusuma', 'Halim', 'Tan',
];
const COMPANIES = ['Acme GmbH', 'Toko Maju', 'Stadtwerke', 'PT Sinar Jaya', 'Bäckerei Lange', 'City Clinic', 'Repair Corner', 'Uni Hamburg'];
const WORDS = (
  'ok yes no thanks see you later tomorrow today tonight morning evening home work office train bus car late soon ' +
  'where are you now call me back please when will arrive i am on my way just left running minutes coffee lunch dinner ' +
  'meeting moved to pm am can we talk sure sounds good great love it happy birthday congrats nice weekend plans ' +
  'what about the kids school pick up shopping list milk bread eggs cheese apples need anything else dont forget keys ' +
  'phone charger battery dead sorry missed your call busy right now text me address is near station park hotel ' +
  'doctor appointment at tuesday wednesday thursday friday saturday sunday monday next week month ticket booked flight ' +
  'landed boarding delayed traffic jam weather rain sunny cold hot game tonight match score won lost dinner at mine ' +
  'bring wine beer cake party starts pm send photo pics video link check this out haha lol really wow omg sure thing ' +
  'terima kasih sampai jumpa besok nanti pagi malam kantor rumah makan siang sudah belum ya tidak bisa tolong ' +
  'danke bis später morgen heute abend gleich unterwegs zug bahn verspätung kein problem alles gut super'
).split(' ');
const EMOJI = ['😀', '😂', '👍', '❤️', '🎉', '🙏', '😅', '🔥', '😊', '🤔', '👋', '😢'];
const PLACES: [number, number][] = [
  [53.5511, 9.9937],
  [52.52, 13.405],
  [48.1351, 11.582],
  [-6.2088, 106.8456],
  [-8.4095, 115.1889],
  [51.5074, -0.1278],
  [40.7128, -74.006],
  [35.6762, 139.6503],
];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** SMS Backup & Restore's readable_date, in UTC so the corpus does not depend on the machine. */
function readableDate(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()} ${h % 12 === 0 ? 12 : h % 12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
}

function fileStamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}_${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}

function exifDate(ms: number): ExifFields['date'] {
  const d = new Date(ms);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
}

interface Person {
  given: string;
  family: string;
  phone: string;
}

function people(rng: Rng, n: number): Person[] {
  const list: Person[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    let phone: string;
    do {
      phone = rng.chance(0.7) ? `+49${rng.pick(['151', '160', '170', '176'])}${rng.digits(8)}` : `+628${rng.pick(['11', '12', '13', '21'])}${rng.digits(8)}`;
    } while (seen.has(phone));
    seen.add(phone);
    list.push({ given: rng.pick(FIRST_NAMES), family: rng.pick(LAST_NAMES), phone });
  }
  return list;
}

const TOKEN_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
function token(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += TOKEN_CHARS[rng.int(TOKEN_CHARS.length)] ?? 'x';
  return s;
}

function sentence(rng: Rng, min = 2, max = 24): string {
  const n = rng.range(min, max);
  const words: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = rng.float();
    if (r < 0.07) words.push(String(rng.range(1, 20000)));
    else if (r < 0.09) words.push(rng.pick(EMOJI));
    else words.push(WORDS[rng.skewed(WORDS.length, 1.3)] ?? 'ok');
  }
  let text = words.join(' ');
  if (rng.chance(0.6)) text = text.charAt(0).toUpperCase() + text.slice(1);
  if (rng.chance(0.5)) text += rng.pick(['.', '!', '?', '...', ' :)']);
  if (rng.chance(0.05)) text += `\n${sentence(rng, 2, 8)}`;
  // One-time codes and links: the random part real message text has.
  if (rng.chance(0.25)) text += rng.chance(0.5) ? ` code ${rng.digits(6)}` : ` https://t.example/${token(rng, rng.range(8, 14))}`;
  return text;
}

function writeFileSyncWithTime(file: string, data: Uint8Array | string, mtime: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data);
  const t = new Date(mtime);
  fs.utimesSync(file, t, t);
}

/** Writes a photo: header + random payload, streamed so big photos never sit in memory whole. */
export function writePhoto(file: string, bytes: ByteStream, size: number, taken: number, place: [number, number] | undefined, mtime: number): number {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fields: ExifFields = { date: exifDate(taken), offset: '+00:00', make: 'Lifeline', model: 'Corpus Phone' };
  if (place) {
    fields.lat = place[0];
    fields.lon = place[1];
  }
  const header = jpegHeader(fields);
  const payload = Math.max(0, size - header.length - JPEG_END.length);
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, header);
    let left = payload;
    while (left > 0) {
      const take = Math.min(left, 1 << 20);
      fs.writeSync(fd, bytes.bytes(take));
      left -= take;
    }
    fs.writeSync(fd, JPEG_END);
  } finally {
    fs.closeSync(fd);
  }
  const t = new Date(mtime);
  fs.utimesSync(file, t, t);
  return header.length + payload + JPEG_END.length;
}

/** A small JPEG-like picture in memory (MMS attachments, contact photos). */
function smallJpeg(bytes: ByteStream, rng: Rng, size: number, taken: number): Buffer {
  const header = jpegHeader({ date: exifDate(taken), make: 'Lifeline', model: 'Corpus Phone' }, rng.range(320, 1280), rng.range(240, 960));
  return Buffer.concat([header, bytes.bytes(Math.max(0, size - header.length - 2)), JPEG_END]);
}

function writeVideo(file: string, bytes: ByteStream, size: number, mtime: number): number {
  const ftyp = Buffer.alloc(24);
  ftyp.writeUInt32BE(24, 0);
  ftyp.write('ftypisom', 4, 'latin1');
  ftyp.writeUInt32BE(0x200, 12);
  ftyp.write('isomiso2', 16, 'latin1');
  const mdatSize = Math.max(8, size - ftyp.length);
  const mdatHeader = Buffer.alloc(8);
  mdatHeader.writeUInt32BE(mdatSize, 0);
  mdatHeader.write('mdat', 4, 'latin1');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, ftyp);
    fs.writeSync(fd, mdatHeader);
    let left = mdatSize - 8;
    while (left > 0) {
      const take = Math.min(left, 1 << 20);
      fs.writeSync(fd, bytes.bytes(take));
      left -= take;
    }
  } finally {
    fs.closeSync(fd);
  }
  const t = new Date(mtime);
  fs.utimesSync(file, t, t);
  return ftyp.length + mdatSize;
}

// --- vCard ---------------------------------------------------------------------------------------

function qpEncode(text: string): string {
  let out = '';
  for (const b of Buffer.from(text, 'utf8')) {
    out += (b >= 33 && b <= 126 && b !== 61) || b === 32 ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  // Soft line breaks as Android writes them: '=' at the end, continuation unindented.
  const lines: string[] = [];
  let rest = out;
  while (rest.length > 74) {
    let cut = 74;
    while (rest[cut - 1] === '=' || rest[cut - 2] === '=') cut -= 1;
    lines.push(`${rest.slice(0, cut)}=`);
    rest = rest.slice(cut);
  }
  lines.push(rest);
  return lines.join('\r\n');
}

function escapeVcardText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/,/g, '\\,').replace(/;/g, '\\;');
}

function foldBase64(prefix: string, b64: string): string {
  const lines = [prefix + b64.slice(0, 75 - prefix.length)];
  for (let i = 75 - prefix.length; i < b64.length; i += 74) lines.push(` ${b64.slice(i, i + 74)}`);
  return lines.join('\r\n');
}

function makeVcard(rng: Rng, bytes: ByteStream, person: Person, index: number): string {
  const legacy = rng.chance(0.1);
  const full = `${person.given} ${person.family}`;
  const lines = ['BEGIN:VCARD'];
  if (legacy) {
    lines.push('VERSION:2.1');
    const ascii = /^[\x20-\x7e]*$/.test(full);
    if (ascii) {
      lines.push(`N:${person.family};${person.given};;;`, `FN:${full}`);
    } else {
      lines.push(`N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:${qpEncode(`${person.family};${person.given};;;`)}`);
      lines.push(`FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:${qpEncode(full)}`);
    }
    lines.push(`TEL;CELL;PREF:${person.phone}`);
    if (rng.chance(0.3)) lines.push(`TEL;HOME:0${rng.digits(9)}`);
    if (rng.chance(0.2)) lines.push(`NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:${qpEncode(`${sentence(rng, 10, 30)} – ${full}`)}`);
  } else {
    lines.push('VERSION:3.0', `N:${escapeVcardText(person.family)};${escapeVcardText(person.given)};;;`, `FN:${escapeVcardText(full)}`);
    lines.push(`TEL;TYPE=CELL:${person.phone}`);
    if (rng.chance(0.25)) lines.push(`TEL;TYPE=WORK:+49${rng.digits(10)}`);
    if (rng.chance(0.4)) lines.push(`EMAIL;TYPE=HOME:${person.given.toLowerCase().replace(/[^a-z]/g, 'x')}.${index}@example.com`);
    if (rng.chance(0.15)) lines.push(`ORG:${escapeVcardText(rng.pick(COMPANIES))}`);
    if (rng.chance(0.1)) lines.push(`BDAY:${rng.range(1950, 2010)}-${pad(rng.range(1, 12))}-${pad(rng.range(1, 28))}`);
    if (rng.chance(0.08)) lines.push(`NOTE:${escapeVcardText(sentence(rng, 4, 20))}`);
    if (rng.chance(0.03)) {
      const photo = smallJpeg(bytes, rng, rng.range(2_000, 6_000), START);
      lines.push(foldBase64('PHOTO;ENCODING=b;TYPE=JPEG:', photo.toString('base64')));
    }
  }
  lines.push('END:VCARD');
  return lines.join('\r\n');
}

// --- messages ------------------------------------------------------------------------------------

function smsRecord(rng: Rng, person: Person | undefined, number: string, date: number): SmsRecord {
  const type = rng.chance(0.55) ? 1 : 2;
  const body = sentence(rng);
  const attrs: Record<string, string> = {
    protocol: '0',
    address: number,
    date: String(date),
    type: String(type),
    subject: 'null',
    body,
    toa: 'null',
    sc_toa: 'null',
    service_center: type === 1 ? '+491760000121' : 'null',
    read: '1',
    status: '-1',
    locked: '0',
    date_sent: type === 1 ? String(date - rng.range(500, 60_000)) : '0',
    sub_id: '1',
    readable_date: readableDate(date),
    contact_name: person ? `${person.given} ${person.family}` : '(Unknown)',
  };
  const record: SmsRecord = { kind: 'sms', address: number, date, type, body, attrs };
  if (person) record.contactName = `${person.given} ${person.family}`;
  return record;
}

const OWN_NUMBER = '+4915100000001';

function mmsRecord(rng: Rng, person: Person | undefined, number: string, date: number, picture: Buffer, pictureName: string): MmsRecord {
  const box = rng.chance(0.5) ? 1 : 2;
  const text = rng.chance(0.6) ? sentence(rng, 1, 12) : undefined;
  const smil = `<smil><head><layout><root-layout/><region id="Image" fit="meet" top="0" left="0" height="80%" width="100%"/><region id="Text" top="80%" left="0" height="20%" width="100%" fit="meet"/></layout></head><body><par dur="5000ms"><img src="${pictureName}" region="Image" />${text ? '<text src="text_0.txt" region="Text" />' : ''}</par></body></smil>`;
  const mId = `mms${rng.digits(12)}`;
  const attrs: Record<string, string> = {
    date: String(date),
    rr: '129',
    sub: 'null',
    ct_t: 'application/vnd.wap.multipart.related',
    read_status: 'null',
    seen: '1',
    msg_box: String(box),
    address: number,
    sub_cs: 'null',
    resp_st: 'null',
    retr_st: 'null',
    d_tm: 'null',
    text_only: '0',
    exp: 'null',
    locked: '0',
    m_id: mId,
    st: 'null',
    retr_txt_cs: 'null',
    retr_txt: 'null',
    creator: 'com.google.android.apps.messaging',
    date_sent: '0',
    read: '1',
    m_size: String(picture.length),
    rpt_a: 'null',
    ct_cls: 'null',
    pri: '129',
    sub_id: '1',
    tr_id: `T${rng.digits(10)}`,
    resp_txt: 'null',
    ct_l: 'null',
    m_cls: 'personal',
    d_rpt: '129',
    v: '18',
    m_type: box === 1 ? '132' : '128',
    readable_date: readableDate(date),
    contact_name: person ? `${person.given} ${person.family}` : '(Unknown)',
  };
  const partAttrs = (seq: string, ct: string, name: string, extra: Record<string, string>): Record<string, string> => ({
    seq,
    ct,
    name,
    chset: ct === 'text/plain' ? '106' : 'null',
    cd: 'null',
    fn: 'null',
    cid: `<${name}>`,
    cl: name,
    ctt_s: 'null',
    ctt_t: 'null',
    ...extra,
  });
  const parts: MmsRecord['parts'] = [
    { seq: -1, contentType: 'application/smil', name: 'smil.xml', text: smil, attrs: partAttrs('-1', 'application/smil', 'smil.xml', { text: smil }) },
    { seq: 0, contentType: 'image/jpeg', name: pictureName, data: new Uint8Array(picture), attrs: partAttrs('0', 'image/jpeg', pictureName, { text: 'null' }) },
  ];
  if (text) parts.push({ seq: 0, contentType: 'text/plain', name: 'text_0.txt', text, attrs: partAttrs('0', 'text/plain', 'text_0.txt', { text }) });
  const from = box === 1 ? number : OWN_NUMBER;
  const to = box === 1 ? OWN_NUMBER : number;
  const record: MmsRecord = {
    kind: 'mms',
    addresses: [number],
    date,
    box,
    messageId: mId,
    parts,
    addrs: [
      { address: from, type: 137, charset: '106' },
      { address: to, type: 151, charset: '106' },
    ],
    attrs,
  };
  if (person) record.contactName = `${person.given} ${person.family}`;
  return record;
}

function callRecord(rng: Rng, person: Person | undefined, number: string, date: number): CallRecord {
  const r = rng.float();
  const type = r < 0.45 ? 1 : r < 0.85 ? 2 : r < 0.97 ? 3 : rng.pick([4, 5, 6]);
  const duration = type === 1 || type === 2 ? rng.skewed(3600, 3) : 0;
  const attrs: Record<string, string> = {
    number,
    duration: String(duration),
    date: String(date),
    type: String(type),
    presentation: '1',
    subscription_id: '1',
    post_dial_digits: '',
    subscription_component_name: 'com.android.phone/com.android.services.telephony.TelephonyConnectionService',
    readable_date: readableDate(date),
    contact_name: person ? `${person.given} ${person.family}` : '(Unknown)',
  };
  const record: CallRecord = { kind: 'call', number, duration, date, type, attrs };
  if (person) record.contactName = `${person.given} ${person.family}`;
  return record;
}

function correspondent(rng: Rng, contacts: Person[]): { person: Person | undefined; number: string } {
  if (contacts.length === 0 || rng.chance(0.08)) return { person: undefined, number: rng.chance(0.5) ? `+49${rng.digits(10)}` : `${rng.range(10000, 99999)}` };
  const person = contacts[rng.skewed(Math.min(contacts.length, 600))] ?? contacts[0];
  return { person, number: person?.phone ?? '' };
}

// --- the corpus ----------------------------------------------------------------------------------

export async function generateCorpus(dir: string, options: CorpusOptions): Promise<CorpusSummary> {
  const seed = String(options.seed);
  const root = new Rng(seed);
  const summary: CorpusSummary = { files: 0, bytes: 0, photos: 0, duplicatePhotos: 0, videos: 0, sms: 0, mms: 0, calls: 0, contacts: 0, notes: 0 };
  await fsp.mkdir(dir, { recursive: true });
  const contacts = people(root.fork('people'), Math.max(options.contacts, 1));

  // Photos and videos.
  const photoRng = root.fork('photos');
  const photoBytes = new ByteStream(`${seed}:photos`);
  const photoPaths: string[] = [];
  const photoStep = SPAN / Math.max(1, options.photos);
  for (let i = 0; i < options.photos; i++) {
    const taken = Math.floor(START + i * photoStep + photoRng.int(Math.max(1, Math.floor(photoStep / 2))));
    const size = Math.max(4096, Math.floor(options.photoBytes * (0.5 + photoRng.float())));
    const place = photoRng.chance(0.8) ? photoRng.pick(PLACES) : undefined;
    const jitter: [number, number] | undefined = place ? [place[0] + (photoRng.float() - 0.5) / 50, place[1] + (photoRng.float() - 0.5) / 50] : undefined;
    const rel = `DCIM/Camera/IMG_${fileStamp(taken)}_${pad(i, 5)}.jpg`;
    summary.bytes += writePhoto(path.join(dir, rel), photoBytes, size, taken, jitter, taken + 1000);
    photoPaths.push(rel);
    summary.photos += 1;
    summary.files += 1;
  }
  const duplicates = Math.round(options.photos * 0.05);
  for (let i = 0; i < duplicates; i++) {
    const source = photoPaths[photoRng.int(photoPaths.length)];
    if (source === undefined) break;
    const rel = `Pictures/WhatsApp/IMG-${pad(i, 5)}-WA.jpg`;
    const target = path.join(dir, rel);
    await fsp.mkdir(path.dirname(target), { recursive: true });
    await fsp.copyFile(path.join(dir, source), target);
    const stat = await fsp.stat(path.join(dir, source));
    const t = new Date(stat.mtimeMs + 60_000);
    await fsp.utimes(target, t, t);
    summary.bytes += stat.size;
    summary.duplicatePhotos += 1;
    summary.files += 1;
  }
  const videoBytes = options.videoBytes ?? options.photoBytes * 8;
  for (let i = 0; i < options.videos; i++) {
    const taken = START + photoRng.int(SPAN);
    const rel = `DCIM/Camera/VID_${fileStamp(taken)}_${pad(i, 3)}.mp4`;
    summary.bytes += writeVideo(path.join(dir, rel), photoBytes, Math.floor(videoBytes * (0.5 + photoRng.float())), taken);
    summary.videos += 1;
    summary.files += 1;
  }

  // Messages: SMS and MMS interleaved in date order, as the phone app writes them.
  const msgRng = root.fork('messages');
  const mmsBytes = new ByteStream(`${seed}:mms`);
  const total = options.sms + options.mms;
  const smsWriter = await createSmsXmlWriter(path.join(dir, 'sms.xml'), {
    count: total,
    overwrite: true,
    rootAttrs: { backup_set: `corpus-${seed}`, backup_date: String(START + SPAN), type: 'full' },
  });
  let smsLeft = options.sms;
  let mmsLeft = options.mms;
  const msgStep = SPAN / Math.max(1, total);
  for (let i = 0; i < total; i++) {
    const date = Math.floor(START + i * msgStep) + msgRng.int(Math.max(1, Math.floor(msgStep)));
    const { person, number } = correspondent(msgRng, contacts);
    const isMms = msgRng.float() * (smsLeft + mmsLeft) < mmsLeft;
    if (isMms) {
      mmsLeft -= 1;
      const picture = smallJpeg(mmsBytes, msgRng, Math.floor((options.mmsImageBytes ?? 16_000) * (0.5 + msgRng.float())), date);
      const name = `IMG_${fileStamp(date)}.jpg`;
      await smsWriter.write(mmsRecord(msgRng, person, number, date, picture, name));
      if (msgRng.chance(0.2)) {
        // Saved attachments: the same picture in the gallery, which the store should keep once.
        writeFileSyncWithTime(path.join(dir, 'Pictures/Messages', `${pad(summary.mms, 6)}-${name}`), picture, date);
        summary.files += 1;
        summary.bytes += picture.length;
      }
      summary.mms += 1;
    } else {
      smsLeft -= 1;
      await smsWriter.write(smsRecord(msgRng, person, number, date));
      summary.sms += 1;
    }
  }
  summary.bytes += (await smsWriter.close()).bytes;
  summary.files += 1;
  await setTime(path.join(dir, 'sms.xml'), START + SPAN);

  const callRng = root.fork('calls');
  const callWriter = await createCallsXmlWriter(path.join(dir, 'calls.xml'), { count: options.calls, overwrite: true });
  const callStep = SPAN / Math.max(1, options.calls);
  for (let i = 0; i < options.calls; i++) {
    const { person, number } = correspondent(callRng, contacts);
    await callWriter.write(callRecord(callRng, person, number, Math.floor(START + i * callStep) + callRng.int(Math.max(1, Math.floor(callStep)))));
    summary.calls += 1;
  }
  summary.bytes += (await callWriter.close()).bytes;
  summary.files += 1;
  await setTime(path.join(dir, 'calls.xml'), START + SPAN);

  // Contacts.
  const cardRng = root.fork('contacts');
  const cardBytes = new ByteStream(`${seed}:contacts`);
  const cards: string[] = [];
  for (let i = 0; i < options.contacts; i++) {
    const person = contacts[i];
    if (person) cards.push(makeVcard(cardRng, cardBytes, person, i));
  }
  summary.contacts = cards.length;
  const vcf = cards.length > 0 ? `${cards.join('\r\n')}\r\n` : '';
  writeFileSyncWithTime(path.join(dir, 'contacts.vcf'), vcf, START + SPAN);
  summary.bytes += Buffer.byteLength(vcf);
  summary.files += 1;

  // Notes.
  const noteRng = root.fork('notes');
  for (let i = 0; i < options.notes; i++) {
    const folder = noteRng.chance(0.3) ? `${noteRng.pick(['work', 'home', 'travel'])}/` : '';
    const modified = START + noteRng.int(SPAN);
    const text = makeNote(noteRng);
    writeFileSyncWithTime(path.join(dir, 'notes', `${folder}note-${pad(i, 5)}.md`), text, modified);
    summary.notes += 1;
    summary.files += 1;
    summary.bytes += Buffer.byteLength(text);
  }
  return summary;
}

function makeNote(rng: Rng): string {
  const paragraphs: string[] = [`# ${sentence(rng, 2, 6).replace(/[.!?:)]+$/, '')}`];
  const n = rng.range(1, 6);
  for (let p = 0; p < n; p++) {
    if (rng.chance(0.3)) {
      const items = rng.range(2, 6);
      const list: string[] = [];
      for (let i = 0; i < items; i++) list.push(`- ${sentence(rng, 1, 6)}`);
      paragraphs.push(list.join('\n'));
    } else paragraphs.push(sentence(rng, 10, 60));
  }
  return `${paragraphs.join('\n\n')}\n`;
}

async function setTime(file: string, ms: number): Promise<void> {
  const t = new Date(ms);
  await fsp.utimes(file, t, t);
}

// --- the "1 % change" ----------------------------------------------------------------------------

export interface ChangeSummary {
  newPhotos: number;
  editedPhotos: number;
  newSms: number;
  editedSms: number;
  newCalls: number;
  editedContacts: number;
  newContacts: number;
  editedNotes: number;
  newNotes: number;
  /**
   * Bytes that really changed: new files and edited photos whole, plus the serialized size of new and
   * edited records (not the re-dumped files around them).
   */
  changedBytes: number;
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await fsp.readdir(d, { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  await walk(dir);
  return out;
}

/** Rewrites a file line by line through a temp file (the way a phone re-dumps an export). */
async function rewriteLines(file: string, transform: (line: string) => string | undefined, trailer: () => string): Promise<void> {
  const temp = `${file}.tmp-change`;
  const out = fs.createWriteStream(temp);
  const input = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  let failed: Error | undefined;
  out.on('error', (error) => {
    failed = error;
  });
  const write = async (text: string): Promise<void> => {
    if (failed) throw failed;
    if (!out.write(text)) await once(out, 'drain');
  };
  for await (const line of input) {
    const replaced = transform(line);
    if (replaced !== undefined) await write(replaced);
  }
  await write(trailer());
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  await fsp.rename(temp, file);
}

const attr = (line: string, name: string): string | undefined => new RegExp(` ${name}="([^"]*)"`).exec(line)?.[1];

/**
 * The benchmark's "1 % change": about 1 % new and edited photos, messages appended and edited,
 * new calls, contacts edited and added, notes edited and added; sms.xml, calls.xml and
 * contacts.vcf are re-dumped whole, as phones do.
 */
export async function applyOnePercentChange(dir: string, seed: string | number): Promise<ChangeSummary> {
  const rng = new Rng(`change:${seed}`);
  const bytes = new ByteStream(`change:${seed}`);
  const summary: ChangeSummary = { newPhotos: 0, editedPhotos: 0, newSms: 0, editedSms: 0, newCalls: 0, editedContacts: 0, newContacts: 0, editedNotes: 0, newNotes: 0, changedBytes: 0 };
  const now = START + SPAN + 86_400_000;

  const camera = (await listFiles(path.join(dir, 'DCIM', 'Camera'))).filter((f) => f.endsWith('.jpg'));
  const photoCount = Math.max(1, Math.round(camera.length * 0.01));
  const sizes = await Promise.all(camera.slice(0, 20).map(async (f) => (await fsp.stat(f)).size));
  const typical = sizes.length > 0 ? Math.floor(sizes.reduce((a, b) => a + b, 0) / sizes.length) : 100_000;
  for (let i = 0; i < Math.ceil(photoCount / 2); i++) {
    const taken = now + i * 60_000;
    const rel = `DCIM/Camera/IMG_${fileStamp(taken)}_new${pad(i, 3)}.jpg`;
    summary.changedBytes += writePhoto(path.join(dir, rel), bytes, typical, taken, rng.pick(PLACES), taken);
    summary.newPhotos += 1;
  }
  for (let i = 0; i < Math.floor(photoCount / 2) && camera.length > 0; i++) {
    // An edit saved in place (crop, filter): same EXIF, new image data.
    const file = camera[rng.int(camera.length)] ?? '';
    const stat = await fsp.stat(file);
    summary.changedBytes += writePhoto(file, bytes, stat.size, stat.mtimeMs - 1000, rng.pick(PLACES), now + i * 1000);
    summary.editedPhotos += 1;
  }

  // sms.xml: edit ~0.5 % of SMS (read/locked flags), append ~1 % new SMS.
  const smsFile = path.join(dir, 'sms.xml');
  if (fs.existsSync(smsFile)) {
    const sample: { address: string; name: string }[] = [];
    let smsSeen = 0;
    let lastDate = now;
    let newCount = 0;
    await rewriteLines(
      smsFile,
      (line) => {
        if (line.startsWith('<smses ')) return `${line}\n`;
        if (line === '</smses>') return undefined;
        if (line.startsWith('  <sms ')) {
          smsSeen += 1;
          const address = attr(line, 'address') ?? '';
          const name = attr(line, 'contact_name') ?? '(Unknown)';
          if (sample.length < 500) sample.push({ address, name });
          else if (rng.chance(0.01)) sample[rng.int(sample.length)] = { address, name };
          lastDate = Math.max(lastDate, Number(attr(line, 'date') ?? 0));
          if (rng.chance(0.005)) {
            summary.editedSms += 1;
            const edited = line.replace(/ read="[01]"/, ' read="0"').replace(/ locked="[01]"/, ' locked="1"');
            summary.changedBytes += Buffer.byteLength(edited) + 1;
            return `${edited}\n`;
          }
        }
        return `${line}\n`;
      },
      () => {
        const lines: string[] = [];
        newCount = Math.max(1, Math.round(smsSeen * 0.01));
        for (let i = 0; i < newCount; i++) {
          const who = sample.length > 0 ? rng.pick(sample) : { address: '+4917600000000', name: '(Unknown)' };
          const person = who.name === '(Unknown)' ? undefined : { given: who.name.split(' ')[0] ?? '', family: who.name.split(' ').slice(1).join(' '), phone: who.address };
          const record = smsRecord(rng, person, who.address, lastDate + (i + 1) * 45_000);
          lines.push(smsElement(record));
        }
        summary.newSms = newCount;
        const text = lines.join('');
        summary.changedBytes += Buffer.byteLength(text);
        return `${text}</smses>\n`;
      },
    );
    await patchCount(smsFile, 'smses', newCount);
    await setTime(smsFile, now + 3_600_000);
  }

  const callsFile = path.join(dir, 'calls.xml');
  if (fs.existsSync(callsFile)) {
    const sample: { number: string; name: string }[] = [];
    let seen = 0;
    let lastDate = now;
    let newCount = 0;
    await rewriteLines(
      callsFile,
      (line) => {
        if (line === '</calls>') return undefined;
        if (line.startsWith('  <call ')) {
          seen += 1;
          if (sample.length < 300) sample.push({ number: attr(line, 'number') ?? '', name: attr(line, 'contact_name') ?? '(Unknown)' });
          lastDate = Math.max(lastDate, Number(attr(line, 'date') ?? 0));
        }
        return `${line}\n`;
      },
      () => {
        newCount = Math.max(1, Math.round(seen * 0.01));
        const lines: string[] = [];
        for (let i = 0; i < newCount; i++) {
          const who = sample.length > 0 ? rng.pick(sample) : { number: '+4917600000000', name: '(Unknown)' };
          const person = who.name === '(Unknown)' ? undefined : { given: who.name.split(' ')[0] ?? '', family: who.name.split(' ').slice(1).join(' '), phone: who.number };
          lines.push(callElement(callRecord(rng, person, who.number, lastDate + (i + 1) * 600_000)));
        }
        summary.newCalls = newCount;
        const text = lines.join('');
        summary.changedBytes += Buffer.byteLength(text);
        return `${text}</calls>\n`;
      },
    );
    await patchCount(callsFile, 'calls', newCount);
    await setTime(callsFile, now + 3_600_000);
  }

  // contacts.vcf: re-dumped whole with ~1 % of cards edited and ~0.5 % added.
  const vcfFile = path.join(dir, 'contacts.vcf');
  if (fs.existsSync(vcfFile)) {
    const text = await fsp.readFile(vcfFile, 'utf8');
    const cards = text.split(/(?<=END:VCARD)\r\n/).filter((c) => c.trim() !== '');
    const editCount = Math.max(1, Math.round(cards.length * 0.01));
    for (let i = 0; i < editCount && cards.length > 0; i++) {
      const index = rng.int(cards.length);
      const card = cards[index] ?? '';
      const edited = card.replace(/\r\nEND:VCARD$/, `\r\nEMAIL;TYPE=WORK:changed.${i}@example.org\r\nEND:VCARD`);
      cards[index] = edited;
      summary.editedContacts += 1;
      summary.changedBytes += Buffer.byteLength(edited) + 2;
    }
    const added = Math.max(1, Math.round(cards.length * 0.005));
    const extra = people(rng.fork('new-people'), added);
    extra.forEach((person, i) => {
      const card = makeVcard(rng, bytes, person, 1_000_000 + i);
      cards.push(card);
      summary.changedBytes += Buffer.byteLength(card) + 2;
    });
    summary.newContacts = added;
    await fsp.writeFile(`${vcfFile}.tmp-change`, `${cards.join('\r\n')}\r\n`);
    await fsp.rename(`${vcfFile}.tmp-change`, vcfFile);
    await setTime(vcfFile, now + 3_600_000);
  }

  // Notes: edit ~1 %, add ~1 %.
  const notes = (await listFiles(path.join(dir, 'notes'))).filter((f) => f.endsWith('.md'));
  const noteCount = Math.max(1, Math.round(notes.length * 0.01));
  for (let i = 0; i < noteCount && notes.length > 0; i++) {
    const file = notes[rng.int(notes.length)] ?? '';
    const addition = `\n${sentence(rng, 5, 20)}\n`;
    await fsp.appendFile(file, addition);
    await setTime(file, now + i * 1000);
    summary.editedNotes += 1;
    summary.changedBytes += Buffer.byteLength(addition);
  }
  for (let i = 0; i < noteCount; i++) {
    const text = makeNote(rng);
    writeFileSyncWithTime(path.join(dir, 'notes', `new-note-${pad(i, 4)}.md`), text, now + i * 1000);
    summary.newNotes += 1;
    summary.changedBytes += Buffer.byteLength(text);
  }
  return summary;
}

async function patchCount(file: string, root: string, added: number): Promise<void> {
  const handle = await fsp.open(file, 'r+');
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const text = head.subarray(0, bytesRead).toString('latin1');
    const m = new RegExp(`<${root} count="(\\d+)("\\s*)`).exec(text);
    if (!m || m[1] === undefined || m[2] === undefined) return;
    const before = m[1] + m[2];
    const updated = `${Number(m[1]) + added}"`.padEnd(before.length, ' ');
    // Same width only (the writer pads an unknown count); otherwise the count is left as it was.
    if (updated.length !== before.length) return;
    await handle.write(Buffer.from(updated, 'latin1'), 0, updated.length, m.index + `<${root} count="`.length);
  } finally {
    await handle.close();
  }
}

// --- command line --------------------------------------------------------------------------------

function parseArgs(argv: string[]): Map<string, string> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a.startsWith('--')) {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        args.set(a.slice(2), next);
        i += 1;
      } else args.set(a.slice(2), 'true');
    }
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const seed = args.get('seed') ?? '1';
  const change = args.get('change');
  if (change) {
    console.log(JSON.stringify(await applyOnePercentChange(change, seed), null, 2));
    return;
  }
  const out = args.get('out');
  if (!out) {
    console.error('Usage: tsx bench/corpus/generate.ts --out DIR [--seed S] [--scale tiny|small|full] [--photos N --photoBytes N --videos N --sms N --mms N --calls N --contacts N --notes N]\n       tsx bench/corpus/generate.ts --change DIR [--seed S]');
    process.exitCode = 2;
    return;
  }
  const scale = (args.get('scale') ?? 'small') as keyof typeof CORPUS_SCALES;
  const base = CORPUS_SCALES[scale];
  if (!base) throw new Error(`Unknown scale ${scale}; use tiny, small or full.`);
  const options: CorpusOptions = { seed, ...base };
  for (const key of ['photos', 'photoBytes', 'videos', 'videoBytes', 'sms', 'mms', 'mmsImageBytes', 'calls', 'contacts', 'notes'] as const) {
    const value = args.get(key);
    if (value !== undefined) options[key] = Number(value);
  }
  const started = Date.now();
  const summary = await generateCorpus(out, options);
  console.log(JSON.stringify({ ...summary, seconds: (Date.now() - started) / 1000 }, null, 2));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}

