/**
 * The backup step: copy what the phone holds into a staging folder (resumable: finished files are kept,
 * half-copied ones are redone), feed the staging folder to the backup store as one snapshot, then read
 * the snapshot back and count what it holds. Staging exists because the store reads media from files;
 * it lives in the data dir and is deleted once the snapshot is verified.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { LifelineError } from '../../../contract/errors';
import type { ShopKind, ShopKindCount } from '../../../contract/shop';
import type { ImportEvent, PhoneRecord } from '../backup/import/types';
import type { BackupReceipt } from '../backup/backup-run';
import type { BackupStore } from '../backup/store';
import type { PhoneDevice } from '../phone/device';
import { listMedia, readCalls, readContacts, readMms, readSms, type KindResult, type MediaFile } from '../phone/readers';
import { callRecord, contactRecord, distinctCount, mmsRecord, smsRecord } from './phone-records';

export const RECORD_KINDS = ['contacts', 'sms', 'mms', 'calls'] as const;
export type RecordKindName = (typeof RECORD_KINDS)[number];

export interface StagedKind {
  kind: RecordKindName;
  status: 'ok' | 'refused' | 'unavailable';
  reason: string | null;
  onPhone: number | null;
  distinct: number | null;
  warnings: string[];
  records: PhoneRecord[];
}

export interface StagedMediaFile {
  relPath: string;
  /** The phone path as hex bytes (names need not be UTF-8). */
  pathHex: string;
  size: number;
  mtime: number;
  staged: string;
  renamed: boolean;
}

export interface StagedMedia {
  files: StagedMediaFile[];
  skipped: { where: string; name: string; reason: string }[];
  unreadable: { path: string; reason: string }[];
}

export interface StageProgress {
  phase: 'records' | 'listing' | 'files';
  items: number;
  itemsTotal: number | null;
  bytes: number;
  bytesTotal: number | null;
  message: string | null;
}

const MIME: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', heic: 'image/heic', heif: 'image/heif', webp: 'image/webp', gif: 'image/gif', dng: 'image/x-adobe-dng', bmp: 'image/bmp', mp4: 'video/mp4', '3gp': 'video/3gpp', mkv: 'video/x-matroska', mov: 'video/quicktime', webm: 'video/webm' };

export function mimeOf(name: string): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase() ?? '';
  return MIME[ext] ?? 'application/octet-stream';
}

/**
 * The name the backup keeps for a phone file. Names that are not valid UTF-8 are shown with U+FFFD; two
 * such names could then look alike, so they get a short tag from their raw bytes to stay distinct.
 */
export function backupRelPath(file: MediaFile): { relPath: string; renamed: boolean } {
  if (file.nameIsUtf8) return { relPath: file.relativePath, renamed: false };
  const tag = crypto.createHash('sha256').update(file.path).digest('hex').slice(0, 8);
  const m = /^(.*?)(\.[A-Za-z0-9]{1,5})?$/.exec(file.relativePath);
  return { relPath: `${m?.[1] ?? file.relativePath}~${tag}${m?.[2] ?? ''}`, renamed: true };
}

async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  const tmp = `${file}.tmp`;
  await fsp.writeFile(tmp, JSON.stringify(value));
  await fsp.rename(tmp, file);
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) throw new LifelineError('cancelled', 'The backup was stopped. What was copied is kept; press Back up again to resume.');
}

async function readKind(device: PhoneDevice, kind: RecordKindName): Promise<StagedKind> {
  const done = <A>(r: KindResult<A>, map: (a: A) => PhoneRecord): StagedKind => {
    if (r.status !== 'ok') return { kind, status: r.status, reason: r.reason, onPhone: null, distinct: null, warnings: [], records: [] };
    const records = r.items.map(map);
    return { kind, status: 'ok', reason: null, onPhone: records.length, distinct: distinctCount(records), warnings: r.warnings, records };
  };
  switch (kind) {
    case 'contacts':
      return done(await readContacts(device), contactRecord);
    case 'sms':
      return done(await readSms(device), smsRecord);
    case 'mms':
      return done(await readMms(device), mmsRecord);
    case 'calls':
      return done(await readCalls(device), callRecord);
  }
}

/** Copies the phone's records and media into `dir`; anything already complete there is kept. */
export async function stagePhone(
  device: PhoneDevice,
  dir: string,
  opts: { signal?: AbortSignal; onProgress?: (p: StageProgress) => void } = {},
): Promise<{ kinds: StagedKind[]; media: StagedMedia }> {
  await fsp.mkdir(path.join(dir, 'media'), { recursive: true });
  const kinds: StagedKind[] = [];
  for (const [i, kind] of RECORD_KINDS.entries()) {
    checkAbort(opts.signal);
    const file = path.join(dir, `records-${kind}.json`);
    let staged = readJson<StagedKind>(file);
    if (!staged) {
      opts.onProgress?.({ phase: 'records', items: i, itemsTotal: RECORD_KINDS.length, bytes: 0, bytesTotal: null, message: kind });
      staged = await readKind(device, kind);
      await writeJsonAtomic(file, staged);
    }
    kinds.push(staged);
  }
  checkAbort(opts.signal);
  opts.onProgress?.({ phase: 'listing', items: 0, itemsTotal: null, bytes: 0, bytesTotal: null, message: null });
  const listing = await listMedia(device);
  const media: StagedMedia = { files: [], skipped: listing.skipped, unreadable: listing.unreadable };
  const bytesTotal = listing.files.reduce((n, f) => n + f.size, 0);
  let bytes = 0;
  let lastReport = 0;
  for (const [i, f] of listing.files.entries()) {
    checkAbort(opts.signal);
    const { relPath, renamed } = backupRelPath(f);
    const pathHex = f.path.toString('hex');
    // Staged under a hash of the raw path: phone names never become paths on this computer.
    const staged = path.join(dir, 'media', crypto.createHash('sha256').update(f.path).digest('hex').slice(0, 40));
    const have = fs.statSync(staged, { throwIfNoEntry: false });
    if (!have || have.size !== f.size || Math.round(have.mtimeMs / 1000) !== f.mtime) {
      const part = `${staged}.part`;
      const out = fs.createWriteStream(part);
      let got = 0;
      try {
        for await (const chunk of device.pull(f.path)) {
          if (opts.signal?.aborted) break;
          got += chunk.length;
          bytes += chunk.length;
          if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', r));
          const now = Date.now();
          if (now - lastReport > 250) {
            lastReport = now;
            opts.onProgress?.({ phase: 'files', items: i, itemsTotal: listing.files.length, bytes, bytesTotal, message: relPath });
          }
        }
      } finally {
        await new Promise<void>((r) => out.end(r));
      }
      checkAbort(opts.signal);
      if (got !== f.size) {
        fs.rmSync(part, { force: true });
        throw new LifelineError('device_unreachable', `The phone sent ${got} of ${f.size} bytes of ${relPath}. Reconnect it and press Back up again; finished files are kept.`, { reason: 'disconnected' });
      }
      fs.utimesSync(part, f.mtime, f.mtime);
      fs.renameSync(part, staged);
    } else {
      bytes += f.size;
    }
    media.files.push({ relPath, pathHex, size: f.size, mtime: f.mtime, staged, renamed });
  }
  opts.onProgress?.({ phase: 'files', items: listing.files.length, itemsTotal: listing.files.length, bytes, bytesTotal, message: null });
  return { kinds, media };
}

async function* eventsFrom(kinds: StagedKind[], media: StagedMedia): AsyncGenerator<ImportEvent> {
  for (const k of kinds) for (const record of k.records) yield { type: 'record', record, file: `phone:${k.kind}` };
  for (const f of media.files) {
    yield { type: 'media', media: { kind: 'media', relPath: f.relPath, absPath: f.staged, size: f.size, mtime: f.mtime * 1000, mime: mimeOf(f.relPath) } };
  }
}

export function backupStaged(
  store: BackupStore,
  deviceName: string,
  staged: { kinds: StagedKind[]; media: StagedMedia },
  opts: { signal?: AbortSignal; onProgress?: (items: number, bytes: number) => void } = {},
): Promise<BackupReceipt> {
  return store.backup({
    device: deviceName,
    events: eventsFrom(staged.kinds, staged.media),
    ...(opts.signal ? { signal: opts.signal } : {}),
    onProgress: (p) => opts.onProgress?.(p.items, p.bytes),
  });
}

export interface ReadBack {
  counts: Record<string, number>;
  mediaBytes: number;
  problems: string[];
}

/** Reads every item of the snapshot back (decrypt, re-hash media) and counts what it holds per kind. */
export async function readBackSnapshot(store: BackupStore, snapshot: string, signal?: AbortSignal): Promise<ReadBack> {
  const counts: Record<string, number> = {};
  const problems: string[] = [];
  let mediaBytes = 0;
  for await (const item of store.restoreItems(snapshot)) {
    checkAbort(signal);
    if (item.type === 'record') counts[item.record.kind] = (counts[item.record.kind] ?? 0) + 1;
    else if (item.type === 'media') {
      const hash = crypto.createHash('sha256');
      let size = 0;
      for await (const b of item.read()) {
        hash.update(b);
        size += b.length;
      }
      mediaBytes += size;
      if (size !== item.media.size || hash.digest('hex') !== item.media.sha256) problems.push(`${item.media.path}: the copy in the backup does not match the original.`);
      else counts.media = (counts.media ?? 0) + 1;
    } else problems.push(`${item.what}: ${item.reason}`);
  }
  return { counts, mediaBytes, problems };
}

const STORE_KIND: Record<ShopKind, string> = { contacts: 'contact', sms: 'sms', mms: 'mms', calls: 'call', media: 'media' };

/** Counts on the phone against counts in the backup, with every difference explained. */
export function compareCounts(staged: { kinds: StagedKind[]; media: StagedMedia }, readBack: ReadBack): { counts: ShopKindCount[]; complete: boolean } {
  const counts: ShopKindCount[] = [];
  let complete = readBack.problems.length === 0;
  for (const k of staged.kinds) {
    if (k.status !== 'ok') {
      counts.push({ kind: k.kind, status: k.status, onPhone: null, inBackup: null, note: k.status === 'refused' ? `Not allowed on this phone: ${k.reason ?? 'the phone refused to share this kind.'}` : `Not available: ${k.reason ?? ''}` });
      continue;
    }
    const inBackup = readBack.counts[STORE_KIND[k.kind]] ?? 0;
    const notes: string[] = [];
    const same = (k.onPhone ?? 0) - (k.distinct ?? 0);
    if (same > 0) notes.push(`${same} exact ${same === 1 ? 'copy' : 'copies'} (same content, date and number) stored once.`);
    const missing = (k.distinct ?? 0) - inBackup;
    if (missing !== 0) {
      complete = false;
      notes.push(missing > 0 ? `${missing} not found in the backup.` : `${-missing} more in the backup than read from the phone.`);
    }
    notes.push(...k.warnings);
    counts.push({ kind: k.kind, status: 'ok', onPhone: k.onPhone, inBackup, note: notes.length ? notes.join(' ') : null });
  }
  const inBackup = readBack.counts.media ?? 0;
  const onPhone = staged.media.files.length + staged.media.skipped.length;
  const notes: string[] = [];
  if (staged.media.skipped.length) {
    notes.push(`${staged.media.skipped.length} file(s) not copied because their names are not allowed on a computer: ${staged.media.skipped.slice(0, 5).map((s) => `${s.name} (${s.reason})`).join(', ')}.`);
  }
  const renamed = staged.media.files.filter((f) => f.renamed).length;
  if (renamed) notes.push(`${renamed} file name(s) were not valid text and are kept with a readable name plus a tag.`);
  if (staged.media.unreadable.length) notes.push(`Folders the phone did not let us read: ${staged.media.unreadable.map((u) => u.path).join(', ')}.`);
  const missing = staged.media.files.length - inBackup;
  if (missing !== 0) {
    complete = false;
    notes.push(`${missing} file(s) missing from the backup.`);
  }
  counts.push({ kind: 'media', status: 'ok', onPhone, inBackup, note: notes.length ? notes.join(' ') : null });
  return { counts, complete };
}
