/**
 * What importers hand to the backup store, and what restore writers get back.
 * Importers parse the formats people have (vCard, SMS Backup & Restore XML, photo folders, notes) into
 * these shapes; the store identifies, deduplicates, packs and catalogs them; restore turns them back
 * into the same standard formats.
 */

export type RecordKind = 'contact' | 'sms' | 'mms' | 'call' | 'note';
export type ItemKind = RecordKind | 'media';

/** One contact. `vcard` is the original vCard text, kept verbatim so a restore is lossless. */
export interface ContactRecord {
  kind: 'contact';
  vcard: string;
  /** Parsed for display, search and identity. */
  uid?: string;
  fullName: string;
  phones: { value: string; type?: string }[];
  emails: { value: string; type?: string }[];
  organization?: string;
  note?: string;
  birthday?: string;
  /** Embedded photo, decoded from the vCard (the bytes also stay inside `vcard`). */
  photo?: { mime: string; bytes: Uint8Array };
}

/** One SMS, field names as in "SMS Backup & Restore" XML; `attrs` keeps every original attribute. */
export interface SmsRecord {
  kind: 'sms';
  address: string;
  /** ms since epoch */
  date: number;
  /** 1 received, 2 sent, 3 draft, 4 outbox, 5 failed, 6 queued */
  type: number;
  body: string;
  contactName?: string;
  attrs: Record<string, string>;
}

export interface MmsPart {
  seq: number;
  contentType: string;
  name?: string;
  text?: string;
  /** Decoded attachment bytes (from the base64 `data` attribute). */
  data?: Uint8Array;
  attrs: Record<string, string>;
}

export interface MmsRecord {
  kind: 'mms';
  /** `~`-separated in the XML; normalized to a list here. */
  addresses: string[];
  date: number;
  /** msg_box: 1 inbox, 2 sent, ... */
  box: number;
  messageId?: string;
  contactName?: string;
  parts: MmsPart[];
  addrs: { address: string; type: number; charset?: string }[];
  attrs: Record<string, string>;
}

export interface CallRecord {
  kind: 'call';
  number: string;
  /** seconds */
  duration: number;
  date: number;
  /** CallLog.Calls.TYPE: 1 incoming, 2 outgoing, 3 missed, 4 voicemail, 5 rejected, 6 blocked, 7 answered externally */
  type: number;
  contactName?: string;
  attrs: Record<string, string>;
}

export interface NoteRecord {
  kind: 'note';
  /** Path relative to the notes folder, with forward slashes (e.g. "work/todo.md"). */
  relPath: string;
  title: string;
  text: string;
  /** ms since epoch (file mtime) */
  modified: number;
}

export type PhoneRecord = ContactRecord | SmsRecord | MmsRecord | CallRecord | NoteRecord;

/** A photo or video file found in a source; read lazily so big files are streamed, not loaded. */
export interface MediaSource {
  kind: 'media';
  /** Path relative to the source root, forward slashes, never containing ".." (e.g. "DCIM/Camera/IMG_1.jpg"). */
  relPath: string;
  /** Absolute path on disk, for the file cache and for reading. */
  absPath: string;
  size: number;
  /** ms since epoch */
  mtime: number;
  mime: string;
  /** From EXIF where present. */
  takenAt?: number;
  place?: { lat: number; lon: number };
}

/** Why one input item was skipped; the run goes on and reports these. */
export interface SkippedItem {
  file: string;
  line?: number;
  kind?: ItemKind;
  reason: string;
}

export type ImportEvent =
  | { type: 'record'; record: PhoneRecord; file: string }
  | { type: 'media'; media: MediaSource }
  | { type: 'skipped'; skipped: SkippedItem }
  | { type: 'progress'; file: string; bytesRead: number; bytesTotal: number }
  | RecordFileEvent;

/**
 * Sent before a record file (vCard, SMS/calls XML, note) is parsed. A consumer that already holds what this
 * exact file (path, size, mtime) produced sets `reuse` to true before asking for the next event, and the
 * scanner then skips parsing the file. Consumers that do not care ignore the event.
 */
export interface RecordFileEvent {
  type: 'file';
  file: string;
  size: number;
  /** ms since epoch */
  mtime: number;
  reuse?: boolean;
  /**
   * Reads the file's events (records, skipped items, progress) as the scanner would have: a consumer that set
   * `reuse` and then finds it cannot reuse after all (see the backup's deferred replays) reads it this way.
   */
  reread?: () => AsyncGenerator<ImportEvent>;
}
