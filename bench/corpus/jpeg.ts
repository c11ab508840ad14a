/**
 * JPEG-like files: a real EXIF header (APP1 with IFD0, Exif IFD and GPS IFD, little-endian TIFF)
 * that exifr and other tools read, then quantisation/frame/scan segments and random payload.
 */

export interface ExifFields {
  /** Wall-clock time as the camera wrote it. */
  date: { year: number; month: number; day: number; hour: number; minute: number; second: number };
  /** "+01:00" style; omitted when undefined. */
  offset?: string;
  lat?: number;
  lon?: number;
  make?: string;
  model?: string;
}

type Entry = { tag: number; type: 1 | 2 | 3 | 4 | 5; count: number; data: Buffer };

const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8 };

function ascii(tag: number, text: string): Entry {
  const data = Buffer.from(`${text}\0`, 'latin1');
  return { tag, type: 2, count: data.length, data };
}

function long(tag: number, value: number): Entry {
  const data = Buffer.alloc(4);
  data.writeUInt32LE(value);
  return { tag, type: 4, count: 1, data };
}

function rationals(tag: number, values: [number, number][]): Entry {
  const data = Buffer.alloc(values.length * 8);
  values.forEach(([num, den], i) => {
    data.writeUInt32LE(num, i * 8);
    data.writeUInt32LE(den, i * 8 + 4);
  });
  return { tag, type: 5, count: values.length, data };
}

function bytes(tag: number, values: number[]): Entry {
  return { tag, type: 1, count: values.length, data: Buffer.from(values) };
}

/** Serialises one IFD at `offset` (from the TIFF header start); returns its bytes. */
function ifd(entries: Entry[], offset: number): Buffer {
  const sorted = [...entries].sort((a, b) => a.tag - b.tag);
  const headerSize = 2 + sorted.length * 12 + 4;
  const table = Buffer.alloc(headerSize);
  const extra: Buffer[] = [];
  let extraOffset = offset + headerSize;
  table.writeUInt16LE(sorted.length, 0);
  sorted.forEach((e, i) => {
    const at = 2 + i * 12;
    table.writeUInt16LE(e.tag, at);
    table.writeUInt16LE(e.type, at + 2);
    table.writeUInt32LE(e.count, at + 4);
    const size = (TYPE_SIZE[e.type] ?? 1) * e.count;
    if (size <= 4) {
      e.data.copy(table, at + 8);
    } else {
      table.writeUInt32LE(extraOffset, at + 8);
      const padded = size % 2 === 1 ? Buffer.concat([e.data, Buffer.alloc(1)]) : e.data;
      extra.push(padded);
      extraOffset += padded.length;
    }
  });
  table.writeUInt32LE(0, headerSize - 4);
  return Buffer.concat([table, ...extra]);
}

function dms(value: number): [number, number][] {
  const abs = Math.abs(value);
  const deg = Math.floor(abs);
  const minFloat = (abs - deg) * 60;
  const min = Math.floor(minFloat);
  const sec = Math.round((minFloat - min) * 60 * 10000);
  return [
    [deg, 1],
    [min, 1],
    [sec, 10000],
  ];
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

export function exifDateString(d: ExifFields['date']): string {
  return `${pad(d.year, 4)}:${pad(d.month)}:${pad(d.day)} ${pad(d.hour)}:${pad(d.minute)}:${pad(d.second)}`;
}

/** The APP1 "Exif" segment (marker included). */
export function exifSegment(fields: ExifFields): Buffer {
  const date = exifDateString(fields.date);
  const hasGps = fields.lat !== undefined && fields.lon !== undefined;
  const ifd0Entries = (exifOffset: number, gpsOffset: number): Entry[] => {
    const list: Entry[] = [ascii(0x010f, fields.make ?? 'Lifeline'), ascii(0x0110, fields.model ?? 'Corpus Phone'), ascii(0x0132, date), long(0x8769, exifOffset)];
    if (hasGps) list.push(long(0x8825, gpsOffset));
    return list;
  };
  // Lay out once with placeholder offsets to learn the sizes, then for real.
  const exifEntries: Entry[] = [ascii(0x9003, date), ascii(0x9004, date)];
  if (fields.offset) exifEntries.push(ascii(0x9011, fields.offset));
  const gpsEntries: Entry[] = hasGps
    ? [
        bytes(0x0000, [2, 3, 0, 0]),
        ascii(0x0001, (fields.lat ?? 0) >= 0 ? 'N' : 'S'),
        rationals(0x0002, dms(fields.lat ?? 0)),
        ascii(0x0003, (fields.lon ?? 0) >= 0 ? 'E' : 'W'),
        rationals(0x0004, dms(fields.lon ?? 0)),
      ]
    : [];
  const ifd0Size = ifd(ifd0Entries(0, 0), 8).length;
  const exifOffset = 8 + ifd0Size;
  const exifIfd = ifd(exifEntries, exifOffset);
  const gpsOffset = exifOffset + exifIfd.length;
  const gpsIfd = hasGps ? ifd(gpsEntries, gpsOffset) : Buffer.alloc(0);
  const ifd0Bytes = ifd(ifd0Entries(exifOffset, gpsOffset), 8);
  const tiff = Buffer.concat([Buffer.from([0x49, 0x49, 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00]), ifd0Bytes, exifIfd, gpsIfd]);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const header = Buffer.alloc(4);
  header.writeUInt16BE(0xffe1, 0);
  header.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([header, body]);
}

function segment(marker: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt16BE(marker, 0);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([header, payload]);
}

/** Everything before the entropy-coded payload: SOI, APP1 Exif, DQT, SOF0, SOS. */
export function jpegHeader(fields: ExifFields, width = 4000, height = 3000): Buffer {
  const dqt = Buffer.alloc(65);
  for (let i = 1; i < 65; i++) dqt[i] = 1 + ((i * 7) % 50);
  const sof = Buffer.alloc(15);
  sof[0] = 8;
  sof.writeUInt16BE(height, 1);
  sof.writeUInt16BE(width, 3);
  sof[5] = 3;
  sof.set([1, 0x22, 0, 2, 0x11, 0, 3, 0x11, 0], 6);
  const sos = Buffer.from([3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), exifSegment(fields), segment(0xffdb, dqt), segment(0xffc0, sof), segment(0xffda, sos)]);
}

export const JPEG_END = Buffer.from([0xff, 0xd9]);
