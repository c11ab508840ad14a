import crypto from 'node:crypto';
import { LifelineError } from '../../../contract';
import type { AnyNode } from './catalog';
import type { PieceLocation, StoreCore } from './core';
import type { ItemKind, PhoneRecord } from './import/types';
import type { SnapshotObject } from './layout';
import { isBlobRef, normalizeAddress, normalizeName, type MediaEntry, type StoredRecord } from './records';

/** What to restore; every field narrows, none given means everything. */
export interface RestoreSelection {
  kinds?: ItemKind[];
  /** A conversation or call partner: a phone number (any punctuation) or an address list as shown by `ls`. */
  thread?: string;
  /** A contact by name (case-insensitive substring) or phone number. */
  contact?: string;
  /** ms since epoch, inclusive / exclusive; items without a date (contacts) are kept. */
  from?: number;
  to?: number;
  /** Media or note paths: exact files or folder prefixes ("DCIM/Camera/"). */
  paths?: string[];
}

export type RestoreItem =
  | { type: 'record'; record: PhoneRecord }
  | { type: 'media'; media: MediaEntry; read: () => AsyncGenerator<Buffer> }
  | { type: 'damaged'; kind?: ItemKind; what: string; reason: string };

const TOP_KINDS: Record<string, ItemKind[]> = {
  messages: ['sms', 'mms'],
  calls: ['call'],
  contacts: ['contact'],
  notes: ['note'],
  media: ['media'],
};

function pathSelected(sel: RestoreSelection, p: string): boolean {
  if (!sel.paths || sel.paths.length === 0) return true;
  return sel.paths.some((want) => p === want || (want.endsWith('/') ? p.startsWith(want) : p.startsWith(`${want}/`)));
}

function dateSelected(sel: RestoreSelection, date: number | undefined): boolean {
  if (date === undefined) return true;
  if (sel.from !== undefined && date < sel.from) return false;
  if (sel.to !== undefined && date >= sel.to) return false;
  return true;
}

function recordSelected(sel: RestoreSelection, r: StoredRecord): boolean {
  if (sel.kinds && sel.kinds.length > 0 && !sel.kinds.includes(r.kind)) return false;
  switch (r.kind) {
    case 'sms':
      if (sel.thread !== undefined && normalizeAddress(r.address) !== normalizeAddress(sel.thread)) return false;
      return dateSelected(sel, r.date) && sel.contact === undefined && !sel.paths?.length;
    case 'mms': {
      if (sel.thread !== undefined) {
        const want = sel.thread.split(',').map(normalizeAddress).sort().join(',');
        const have = [...new Set(r.addresses.map(normalizeAddress))].sort();
        if (have.join(',') !== want && !have.includes(normalizeAddress(sel.thread))) return false;
      }
      return dateSelected(sel, r.date) && sel.contact === undefined && !sel.paths?.length;
    }
    case 'call':
      if (sel.thread !== undefined && normalizeAddress(r.number) !== normalizeAddress(sel.thread)) return false;
      return dateSelected(sel, r.date) && sel.contact === undefined && !sel.paths?.length;
    case 'contact': {
      if (sel.thread !== undefined || sel.paths?.length) return false;
      if (sel.contact === undefined) return true;
      const q = sel.contact.trim();
      const qn = normalizeAddress(q);
      return normalizeName(r.fullName).includes(normalizeName(q)) || (qn.length >= 3 && r.phones.some((p) => normalizeAddress(p.value) === qn));
    }
    case 'note':
      return sel.thread === undefined && sel.contact === undefined && dateSelected(sel, r.modified) && pathSelected(sel, r.relPath);
  }
}

async function* readChunks(core: StoreCore, chunks: readonly string[], sha: string, what: string): AsyncGenerator<Buffer> {
  const h = crypto.createHash('sha256');
  for (const c of chunks) {
    const data = core.readPiece(Buffer.from(c, 'hex'));
    h.update(data);
    yield data;
  }
  if (h.digest('hex') !== sha) throw new LifelineError('corrupt_data', `${what} does not match its checksum after reading; it is damaged in the store.`);
}

/** Whether a stored record holds blob references (only MMS parts and contact photos can). */
function hasBlobs(r: StoredRecord): boolean {
  if (r.kind === 'mms') return r.parts.some((p) => p.data !== undefined);
  if (r.kind === 'contact') return r.photo !== undefined;
  return false;
}

/** Synchronous: pieces are read with pread, so there is nothing to wait for (and no promise per field). */
function rehydrate(core: StoreCore, value: unknown): unknown {
  if (isBlobRef(value)) {
    const h = crypto.createHash('sha256');
    const parts: Buffer[] = [];
    for (const c of value.$blob.chunks) {
      const data = core.readPiece(Buffer.from(c, 'hex'));
      h.update(data);
      parts.push(data);
    }
    if (h.digest('hex') !== value.$blob.sha256) throw new LifelineError('corrupt_data', 'An attachment does not match its checksum after reading; it is damaged in the store.');
    return new Uint8Array(Buffer.concat(parts));
  }
  if (Array.isArray(value)) return value.map((v) => rehydrate(core, v));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = rehydrate(core, v);
    return out;
  }
  return value;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Walks a snapshot's tree in the packs and yields what the selection asks for. A damaged piece yields a
 * `damaged` item and the walk goes on, so everything that is intact still restores.
 */
export async function* restoreItems(core: StoreCore, snap: SnapshotObject, sel: RestoreSelection): AsyncGenerator<RestoreItem> {
  const wantKinds = sel.kinds && sel.kinds.length > 0 ? new Set(sel.kinds) : undefined;

  async function* walk(idHex: string, where: string, kinds: ItemKind[] | undefined, located?: PieceLocation): AsyncGenerator<RestoreItem> {
    let node: AnyNode;
    try {
      node = core.readJsonPiece<AnyNode>(idHex, located);
    } catch (error) {
      yield { type: 'damaged', ...(kinds?.length === 1 ? { kind: kinds[0] } : {}), what: `everything under ${where || 'the snapshot root'}`, reason: reason(error) };
      return;
    }
    if (node.type === 'tree') {
      const locs = core.locateMany(node.entries.map((e) => e.id));
      for (const e of node.entries) {
        const childKinds = where === '' ? TOP_KINDS[e.name] : kinds;
        if (where === '' && wantKinds && childKinds && !childKinds.some((k) => wantKinds.has(k))) continue;
        yield* walk(e.id, where ? `${where}/${e.name}` : e.name, childKinds, locs.get(e.id));
      }
      return;
    }
    if (node.type === 'media') {
      for (const entry of node.items) {
        if (!pathSelected(sel, entry.path) || !dateSelected(sel, entry.takenAt ?? entry.mtime)) continue;
        if (sel.thread !== undefined || sel.contact !== undefined) continue;
        const what = `media file ${entry.path}`;
        // A chunk verify marked as damaged, or whose pack is gone, makes the file unrestorable from here.
        const missing = entry.chunks.find((c) => !core.hasPiece(Buffer.from(c, 'hex')));
        if (missing) {
          yield { type: 'damaged', kind: 'media', what, reason: 'Part of the file is missing or damaged in the store (see "verify").' };
          continue;
        }
        yield { type: 'media', media: entry, read: () => readChunks(core, entry.chunks, entry.sha256, what) };
      }
      return;
    }
    // One lookup for the whole leaf, then reads in pack order: the records of a bundle come one after another,
    // so each bundle is decrypted once. They are handed out in the leaf's own order, so a restore's output does
    // not depend on where the records happen to be stored.
    const locs = core.locateMany(node.items);
    const order = [...node.items].sort((a, b) => {
      const la = locs.get(a);
      const lb = locs.get(b);
      if (!la || !lb) return la ? -1 : lb ? 1 : 0;
      return la.pack < lb.pack ? -1 : la.pack > lb.pack ? 1 : la.offset - lb.offset || la.bundle_at - lb.bundle_at;
    });
    const read = new Map<string, StoredRecord | { error: unknown }>();
    for (const item of order) {
      try {
        const stored = JSON.parse(core.readPiece(Buffer.from(item, 'hex'), locs.get(item)).toString('utf8')) as StoredRecord;
        if (recordSelected(sel, stored)) read.set(item, stored);
      } catch (error) {
        read.set(item, { error });
      }
    }
    for (const item of node.items) {
      const stored = read.get(item);
      if (stored === undefined) continue;
      if ('error' in stored) {
        yield { type: 'damaged', ...(kinds?.length === 1 ? { kind: kinds[0] } : {}), what: `a record in ${where}`, reason: reason(stored.error) };
        continue;
      }
      try {
        const record = (hasBlobs(stored) ? rehydrate(core, stored) : stored) as PhoneRecord;
        yield { type: 'record', record };
      } catch (error) {
        yield { type: 'damaged', kind: stored.kind, what: `a ${stored.kind} record in ${where}`, reason: reason(error) };
      }
    }
  }

  // Pieces are found through the directories of the packs they are in (see PackDirectories), not one by one.
  core.openDirectories();
  try {
    yield* walk(snap.root, '', undefined);
  } finally {
    core.closeDirectories();
  }
}
