import type { ItemKind, PhoneRecord } from './import/types';

/**
 * How records become stored payloads, identities, bucket paths and catalog rows. Everything here is a pure
 * function of the payload, so `rebuildIndex` recomputes exactly what a backup wrote.
 */

/** A stored reference to bytes that went through the chunker (MMS parts, contact photos). */
export interface BlobRef {
  $blob: { size: number; sha256: string; chunks: string[] };
}

/** A media file as stored in a media bucket. */
export interface MediaEntry {
  path: string;
  size: number;
  mtime: number;
  mime: string;
  takenAt?: number;
  place?: { lat: number; lon: number };
  /** SHA-256 of the file's bytes, hex. */
  sha256: string;
  /** Piece ids of the file's chunks in order, hex. */
  chunks: string[];
}

/** Whether a record carries bytes that must go through the chunker (only MMS parts and contact photos do). */
export function recordHasBytes(record: PhoneRecord): boolean {
  if (record.kind === 'mms') return record.parts.some((p) => p.data !== undefined);
  if (record.kind === 'contact') return record.photo !== undefined;
  return false;
}

export function isBlobRef(value: unknown): value is BlobRef {
  return typeof value === 'object' && value !== null && '$blob' in value && Object.keys(value).length === 1;
}

/** JSON with object keys sorted at every level, so equal content always serializes to equal bytes. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value instanceof Uint8Array) throw new TypeError('Binary data must be replaced by a blob reference before serializing.');
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/**
 * Phone numbers differ in punctuation between exports ("+1 (555) 010-2000" vs "+15550102000"); the digits and a
 * leading + are what identify them. Anything with letters (short codes, email addresses) is compared lowercased.
 */
export function normalizeAddress(address: string): string {
  const trimmed = address.trim();
  if (/[a-z]/i.test(trimmed)) return trimmed.toLowerCase();
  const digits = trimmed.replace(/[^\d+]/g, '');
  return digits.startsWith('+') ? `+${digits.slice(1).replace(/\+/g, '')}` : digits.replace(/\+/g, '');
}

export function normalizeName(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

function mmsText(parts: readonly { text?: string | undefined }[]): string {
  return parts
    .map((p) => p.text ?? '')
    .filter((t) => t.length > 0)
    .join('\n');
}

function mmsThread(addresses: readonly string[]): string {
  return [...new Set(addresses.map(normalizeAddress))].sort().join(',');
}

/**
 * What makes two records "the same" across exports and runs (phone-side ids are not stable, so they are left
 * out). Messages: kind, address, date, type and body or message id. Contacts: the UID when present, else name,
 * numbers and emails. Notes: their path.
 */
export function identityString(record: PhoneRecord | StoredRecord): string {
  switch (record.kind) {
    case 'sms':
      return ['sms', normalizeAddress(record.address), record.date, record.type, record.body].join('\u0000');
    case 'mms': {
      const content = record.messageId ? `mid:${record.messageId}` : `text:${mmsText(record.parts)}\u0000parts:${record.parts.map((p) => `${p.contentType}:${p.name ?? ''}`).join('|')}`;
      return ['mms', mmsThread(record.addresses), record.date, record.box, content].join('\u0000');
    }
    case 'call':
      return ['call', normalizeAddress(record.number), record.date, record.type, record.duration].join('\u0000');
    case 'contact':
      if (record.uid) return ['contact', 'uid', record.uid.trim()].join('\u0000');
      return [
        'contact',
        normalizeName(record.fullName),
        record.phones.map((p) => normalizeAddress(p.value)).sort().join(','),
        record.emails.map((e) => e.value.trim().toLowerCase()).sort().join(','),
      ].join('\u0000');
    case 'note':
      return ['note', record.relPath].join('\u0000');
  }
}

export function mediaIdentityString(relPath: string): string {
  return ['media', relPath].join('\u0000');
}

function monthOf(ms: number): string {
  const d = new Date(Number.isFinite(ms) ? ms : 0);
  return `${d.getUTCFullYear().toString().padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

function dirOf(relPath: string): string {
  const at = relPath.lastIndexOf('/');
  return at < 0 ? '.' : relPath.slice(0, at);
}

/**
 * Where a record lives in the snapshot tree. Buckets group records that change together (a conversation's
 * year), so a new message rewrites one bucket and every other bucket is shared with the last snapshot. A year
 * rather than a month: most conversations have a few messages a month, and a leaf per month made the tree
 * (and its per-leaf costs) nearly as big as the messages themselves.
 */
export function bucketPath(record: PhoneRecord, identityHex: string): string[] {
  switch (record.kind) {
    case 'sms':
      return ['messages', normalizeAddress(record.address) || '(none)', monthOf(record.date).slice(0, 4), monthOf(record.date)];
    case 'mms':
      return ['messages', mmsThread(record.addresses) || '(none)', monthOf(record.date).slice(0, 4), monthOf(record.date)];
    case 'call':
      return ['calls', monthOf(record.date).slice(0, 4), monthOf(record.date)];
    case 'contact':
      return ['contacts', identityHex.slice(0, 2)];
    case 'note':
      return ['notes', dirOf(record.relPath)];
  }
}

export function mediaBucketPath(relPath: string): string[] {
  return ['media', dirOf(relPath)];
}

/** The catalog row of one item: what the browser lists and searches. */
export interface CatalogFields {
  kind: ItemKind;
  name: string | null;
  address: string | null;
  thread: string | null;
  date: number | null;
  size: number;
  relPath: string | null;
  mime: string | null;
  preview: string | null;
  /** Full text for search. */
  text: string;
}

function blobSize(value: unknown): number {
  return isBlobRef(value) ? value.$blob.size : 0;
}

/** Catalog fields from a stored record payload (blob refs in place of bytes). */
export function recordCatalog(payload: StoredRecord, payloadSize: number): CatalogFields {
  switch (payload.kind) {
    case 'sms': {
      const addr = normalizeAddress(payload.address);
      return {
        kind: 'sms',
        name: payload.contactName ?? null,
        address: payload.address,
        thread: addr,
        date: payload.date,
        size: payloadSize,
        relPath: null,
        mime: null,
        preview: payload.body.slice(0, 200),
        text: [payload.body, payload.contactName ?? '', payload.address, addr].join(' '),
      };
    }
    case 'mms': {
      const text = mmsText(payload.parts);
      const partBytes = payload.parts.reduce((n, p) => n + blobSize(p.data), 0);
      const names = payload.parts.map((p) => p.name ?? '').filter(Boolean);
      return {
        kind: 'mms',
        name: payload.contactName ?? null,
        address: payload.addresses.join(', '),
        thread: mmsThread(payload.addresses),
        date: payload.date,
        size: payloadSize + partBytes,
        relPath: null,
        mime: null,
        preview: text.slice(0, 200),
        text: [text, payload.contactName ?? '', ...payload.addresses, ...names].join(' '),
      };
    }
    case 'call':
      return {
        kind: 'call',
        name: payload.contactName ?? null,
        address: payload.number,
        thread: normalizeAddress(payload.number),
        date: payload.date,
        size: payloadSize,
        relPath: null,
        mime: null,
        preview: `${payload.duration}s`,
        text: [payload.contactName ?? '', payload.number, normalizeAddress(payload.number)].join(' '),
      };
    case 'contact': {
      const phones = payload.phones.map((p) => p.value);
      const emails = payload.emails.map((e) => e.value);
      return {
        kind: 'contact',
        name: payload.fullName,
        address: [...phones, ...emails].join(', ') || null,
        thread: null,
        date: null,
        size: payloadSize + blobSize(payload.photo?.bytes),
        relPath: null,
        mime: null,
        preview: payload.organization ?? null,
        text: [payload.fullName, ...phones, ...phones.map(normalizeAddress), ...emails, payload.organization ?? '', payload.note ?? ''].join(' '),
      };
    }
    case 'note':
      return {
        kind: 'note',
        name: payload.title,
        address: null,
        thread: null,
        date: payload.modified,
        size: payloadSize,
        relPath: payload.relPath,
        mime: payload.relPath.endsWith('.md') ? 'text/markdown' : 'text/plain',
        preview: payload.text.slice(0, 200),
        text: [payload.title, payload.text, payload.relPath].join(' '),
      };
  }
}

export function mediaCatalog(entry: MediaEntry): CatalogFields {
  const base = entry.path.slice(entry.path.lastIndexOf('/') + 1);
  return {
    kind: 'media',
    name: base,
    address: null,
    thread: dirOf(entry.path),
    date: entry.takenAt ?? entry.mtime,
    size: entry.size,
    relPath: entry.path,
    mime: entry.mime,
    preview: null,
    text: entry.path.replace(/[/_.-]/g, ' ') + ' ' + entry.path,
  };
}

/** A record as stored: the importer's record with every byte array replaced by a blob reference. */
export type StoredRecord = ReplaceBytes<PhoneRecord>;
type ReplaceBytes<T> = T extends Uint8Array
  ? BlobRef
  : T extends (infer U)[]
    ? ReplaceBytes<U>[]
    : T extends object
      ? { [K in keyof T]: ReplaceBytes<T[K]> }
      : T;

/** Whether a mime type (or file name) is already compressed, so deflating it would waste time. */
export function isCompressedMedia(mime: string, name = ''): boolean {
  const m = mime.toLowerCase();
  if (/^(image\/(jpeg|jpg|heic|heif|png|webp|avif|gif)|video\/|audio\/(mpeg|mp4|aac|ogg|amr))/.test(m)) return true;
  return /\.(jpe?g|heic|heif|png|webp|avif|gif|mp4|mov|m4v|3gp|mkv|webm|mp3|m4a|aac|ogg|amr|zip|gz)$/i.test(name);
}
