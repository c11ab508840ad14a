/** File type detection from magic bytes and extensions (pure). */

function ascii(bytes: Uint8Array, start: number, length: number): string {
  let s = '';
  for (let i = start; i < start + length && i < bytes.length; i++) s += String.fromCharCode(bytes[i] ?? 0);
  return s;
}

const FTYP_BRANDS: Record<string, string> = {
  heic: 'image/heic',
  heix: 'image/heic',
  heim: 'image/heic',
  heis: 'image/heic',
  hevc: 'image/heic',
  mif1: 'image/heif',
  msf1: 'image/heif',
  avif: 'image/avif',
  avis: 'image/avif',
  'qt  ': 'video/quicktime',
  '3gp4': 'video/3gpp',
  '3gp5': 'video/3gpp',
  '3gp6': 'video/3gpp',
  '3g2a': 'video/3gpp2',
  'M4V ': 'video/x-m4v',
  isom: 'video/mp4',
  iso2: 'video/mp4',
  iso4: 'video/mp4',
  iso5: 'video/mp4',
  iso6: 'video/mp4',
  mp41: 'video/mp4',
  mp42: 'video/mp4',
  avc1: 'video/mp4',
  dash: 'video/mp4',
  MSNV: 'video/mp4',
};

/** MIME type of an image or video from its first bytes (at least 16 are needed), or undefined. */
export function sniffMediaMime(head: Uint8Array): string | undefined {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (ascii(head, 0, 8) === '\x89PNG\r\n\x1a\n') return 'image/png';
  if (ascii(head, 0, 4) === 'GIF8') return 'image/gif';
  if (ascii(head, 0, 4) === 'RIFF') {
    const form = ascii(head, 8, 4);
    if (form === 'WEBP') return 'image/webp';
    if (form === 'AVI ') return 'video/x-msvideo';
  }
  if (ascii(head, 4, 4) === 'ftyp') return FTYP_BRANDS[ascii(head, 8, 4)] ?? 'video/mp4';
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) return 'video/x-matroska';
  if (ascii(head, 0, 4) === 'II*\0' || ascii(head, 0, 4) === 'MM\0*') return 'image/tiff';
  if (ascii(head, 0, 2) === 'BM' && head.length >= 14) return 'image/bmp';
  return undefined;
}

/** Image MIME types only (for vCard photos and MMS parts). */
export function sniffImageMime(bytes: Uint8Array): string | undefined {
  const mime = sniffMediaMime(bytes);
  return mime?.startsWith('image/') ? mime : undefined;
}

export const MEDIA_EXTENSIONS: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  jpe: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
  avif: 'image/avif',
  bmp: 'image/bmp',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  dng: 'image/x-adobe-dng',
  mp4: 'video/mp4',
  m4v: 'video/x-m4v',
  mov: 'video/quicktime',
  '3gp': 'video/3gpp',
  '3g2': 'video/3gpp2',
  mkv: 'video/x-matroska',
  webm: 'video/webm',
  avi: 'video/x-msvideo',
};

export const NOTE_EXTENSIONS = new Set(['txt', 'md', 'markdown']);
export const VCARD_EXTENSIONS = new Set(['vcf', 'vcard']);

export function extensionOf(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot + 1).toLowerCase();
}

/**
 * The media type of a file from its extension and magic bytes. Magic wins over the extension (a
 * .jpg that is really a PNG is a PNG); a media extension with unknown content is still media, so
 * a damaged photo is backed up rather than dropped.
 */
export function detectMediaType(name: string, head: Uint8Array): string | undefined {
  const magic = sniffMediaMime(head);
  const ext = extensionOf(name);
  const byExtension = MEDIA_EXTENSIONS[ext];
  if (magic) {
    // WebM is Matroska; keep the more specific name the extension gives.
    if (magic === 'video/x-matroska' && byExtension === 'video/webm') return byExtension;
    if (magic === 'image/tiff' && byExtension === 'image/x-adobe-dng') return byExtension;
    return magic;
  }
  return byExtension;
}

export type SniffedKind = 'vcard' | 'xml' | 'media' | 'note' | undefined;

/** What a file is, by extension first, then by content for files without a known extension. */
export function sniffFileKind(name: string, head: Uint8Array): SniffedKind {
  const ext = extensionOf(name);
  if (VCARD_EXTENSIONS.has(ext)) return 'vcard';
  if (ext === 'xml') return 'xml';
  if (NOTE_EXTENSIONS.has(ext)) return 'note';
  if (detectMediaType(name, head)) return 'media';
  let text = ascii(head, 0, Math.min(head.length, 256));
  if (text.startsWith('\xef\xbb\xbf')) text = text.slice(3);
  text = text.trimStart();
  if (/^BEGIN:VCARD/i.test(text)) return 'vcard';
  if (text.startsWith('<?xml') || text.startsWith('<smses') || text.startsWith('<calls')) return 'xml';
  return undefined;
}
