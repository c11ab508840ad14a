/**
 * Phone rows (from `content query`) to the backup store's record shapes. Pure, so the counting rules
 * (what the store will keep once, what it cannot take) are testable without a phone.
 */
import { contactToVcard } from '../backup/formats/vcard-writer';
import type { CallRecord, ContactRecord, MmsRecord, PhoneRecord, SmsRecord } from '../backup/import/types';
import { identityString } from '../backup/records';
import type { CallEntry, Contact, MmsMessage, SmsMessage } from '../phone/parsers/records';

const PHONE_TYPES: Record<number, string> = { 1: 'home', 2: 'cell', 3: 'work', 7: 'other' };

export function contactRecord(c: Contact): ContactRecord {
  const fullName = c.displayName ?? ([c.givenName, c.familyName].filter(Boolean).join(' ') || c.phones[0]?.number || c.emails[0]?.address || '(no name)');
  const base: ContactRecord = {
    kind: 'contact',
    vcard: '',
    fullName,
    phones: c.phones.map((p) => ({ value: p.number, ...(p.type !== null && PHONE_TYPES[p.type] ? { type: PHONE_TYPES[p.type] } : {}) })),
    emails: c.emails.map((e) => ({ value: e.address })),
  };
  const note = c.other.find((o) => o.mimetype === 'vnd.android.cursor.item/note')?.data1;
  const org = c.other.find((o) => o.mimetype === 'vnd.android.cursor.item/organization')?.data1;
  if (note) base.note = note;
  if (org) base.organization = org;
  return { ...base, vcard: contactToVcard(base) };
}

export function smsRecord(m: SmsMessage): SmsRecord {
  const attrs: Record<string, string> = { _id: String(m.id), read: m.read ? '1' : '0' };
  if (m.dateSent !== null) attrs.date_sent = String(m.dateSent);
  if (m.status !== null) attrs.status = String(m.status);
  if (m.subId !== null) attrs.sub_id = String(m.subId);
  if (m.threadId !== null) attrs.thread_id = String(m.threadId);
  return { kind: 'sms', address: m.address ?? '', date: m.date ?? 0, type: m.type ?? 1, body: m.body, attrs };
}

export function mmsRecord(m: MmsMessage): MmsRecord {
  return {
    kind: 'mms',
    addresses: [],
    // MMS dates are in seconds on the phone; the store keeps ms like everything else.
    date: (m.date ?? 0) * 1000,
    box: m.msgBox ?? 1,
    messageId: `phone-mms-${m.id}-${m.date ?? 0}`,
    parts: m.parts.map((p, i) => ({ seq: p.seq ?? i, contentType: p.contentType ?? 'application/octet-stream', ...(p.name ? { name: p.name } : {}), ...(p.text !== null ? { text: p.text } : {}), attrs: { _id: String(p.id) } })),
    addrs: [],
    attrs: { _id: String(m.id), ...(m.subject ? { sub: m.subject } : {}), ...(m.threadId !== null ? { thread_id: String(m.threadId) } : {}) },
  };
}

export function callRecord(c: CallEntry): CallRecord {
  const attrs: Record<string, string> = { _id: String(c.id) };
  if (c.presentation !== null) attrs.presentation = String(c.presentation);
  return { kind: 'call', number: c.number ?? '', duration: c.durationSec ?? 0, date: c.date ?? 0, type: c.type ?? 1, ...(c.name ? { contactName: c.name } : {}), attrs };
}

/** How many distinct records the store will keep: identical ones (same identity) are stored once. */
export function distinctCount(records: readonly PhoneRecord[]): number {
  return new Set(records.map(identityString)).size;
}
