/** Typed records built from `content query` rows, and the projections that produce them. */
import { intOrNull, type ContentRow } from './content-query';

/** Free-text columns are last: see content-query.ts for why. */
export const SMS_COLUMNS = ['_id', 'thread_id', 'date', 'date_sent', 'type', 'read', 'status', 'sub_id', 'address', 'body'] as const;
export const MMS_COLUMNS = ['_id', 'thread_id', 'date', 'date_sent', 'msg_box', 'read', 'm_type', 'sub'] as const;
export const MMS_PART_COLUMNS = ['_id', 'mid', 'seq', 'ct', 'name', 'text'] as const;
export const CALL_COLUMNS = ['_id', 'date', 'duration', 'type', 'presentation', 'number', 'name'] as const;
export const CONTACT_DATA_COLUMNS = ['_id', 'raw_contact_id', 'mimetype', 'data2', 'data3', 'data1'] as const;

export interface SmsMessage {
  id: number;
  threadId: number | null;
  address: string | null;
  date: number | null;
  dateSent: number | null;
  /** 1 received, 2 sent, 3 draft, 4 outbox, 5 failed, 6 queued. */
  type: number | null;
  read: boolean;
  status: number | null;
  subId: number | null;
  body: string;
}

export function smsFromRow(r: ContentRow): SmsMessage | null {
  const id = intOrNull(r._id);
  if (id === null) return null;
  return {
    id,
    threadId: intOrNull(r.thread_id),
    address: r.address ?? null,
    date: intOrNull(r.date),
    dateSent: intOrNull(r.date_sent),
    type: intOrNull(r.type),
    read: r.read === '1',
    status: intOrNull(r.status),
    subId: intOrNull(r.sub_id),
    body: r.body ?? '',
  };
}

export interface MmsPart {
  id: number;
  seq: number | null;
  contentType: string | null;
  name: string | null;
  text: string | null;
}

export interface MmsMessage {
  id: number;
  threadId: number | null;
  /** Seconds since the epoch (MMS dates are in seconds, SMS in ms). */
  date: number | null;
  msgBox: number | null;
  read: boolean;
  subject: string | null;
  parts: MmsPart[];
}

export function mmsFromRows(messages: ContentRow[], parts: ContentRow[]): MmsMessage[] {
  const byMessage = new Map<number, MmsPart[]>();
  for (const p of parts) {
    const id = intOrNull(p._id);
    const mid = intOrNull(p.mid);
    if (id === null || mid === null) continue;
    const list = byMessage.get(mid) ?? [];
    list.push({ id, seq: intOrNull(p.seq), contentType: p.ct ?? null, name: p.name ?? null, text: p.text ?? null });
    byMessage.set(mid, list);
  }
  const out: MmsMessage[] = [];
  for (const m of messages) {
    const id = intOrNull(m._id);
    if (id === null) continue;
    out.push({ id, threadId: intOrNull(m.thread_id), date: intOrNull(m.date), msgBox: intOrNull(m.msg_box), read: m.read === '1', subject: m.sub ?? null, parts: byMessage.get(id) ?? [] });
  }
  return out;
}

export interface CallEntry {
  id: number;
  number: string | null;
  date: number | null;
  durationSec: number | null;
  /** 1 incoming, 2 outgoing, 3 missed, 4 voicemail, 5 rejected, 6 blocked, 7 answered externally. */
  type: number | null;
  presentation: number | null;
  name: string | null;
}

export function callFromRow(r: ContentRow): CallEntry | null {
  const id = intOrNull(r._id);
  if (id === null) return null;
  return { id, number: r.number || null, date: intOrNull(r.date), durationSec: intOrNull(r.duration), type: intOrNull(r.type), presentation: intOrNull(r.presentation), name: r.name ?? null };
}

export interface Contact {
  rawContactId: number;
  displayName: string | null;
  givenName: string | null;
  familyName: string | null;
  phones: { number: string; type: number | null }[];
  emails: { address: string; type: number | null }[];
  /** Other data rows kept as they were (organization, address, note...). */
  other: { mimetype: string; data1: string | null }[];
}

const NAME = 'vnd.android.cursor.item/name';
const PHONE = 'vnd.android.cursor.item/phone_v2';
const EMAIL = 'vnd.android.cursor.item/email_v2';

export function contactsFromDataRows(rows: ContentRow[]): Contact[] {
  const byRaw = new Map<number, Contact>();
  for (const r of rows) {
    const raw = intOrNull(r.raw_contact_id);
    if (raw === null) continue;
    let c = byRaw.get(raw);
    if (!c) {
      c = { rawContactId: raw, displayName: null, givenName: null, familyName: null, phones: [], emails: [], other: [] };
      byRaw.set(raw, c);
    }
    const mime = r.mimetype ?? '';
    if (mime === NAME) {
      c.displayName = r.data1 ?? null;
      c.givenName = r.data2 ?? null;
      c.familyName = r.data3 ?? null;
    } else if (mime === PHONE && r.data1) c.phones.push({ number: r.data1, type: intOrNull(r.data2) });
    else if (mime === EMAIL && r.data1) c.emails.push({ address: r.data1, type: intOrNull(r.data2) });
    else c.other.push({ mimetype: mime, data1: r.data1 ?? null });
  }
  return [...byRaw.values()];
}
