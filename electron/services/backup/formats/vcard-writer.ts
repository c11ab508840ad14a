import type { ContactRecord } from '../import/types';
import { AtomicFileWriter, type AtomicFileOptions } from './atomic-file';

/**
 * Writes contacts.vcf. Each card is the original vCard text, verbatim, so re-importing a restored
 * file gives the same records. Cards without original text (built from fields elsewhere) are
 * written as vCard 3.0.
 */

function escapeText(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\r\n|\r|\n/g, '\\n').replace(/,/g, '\\,').replace(/;/g, '\\;');
}

/** Folds at 75 octets as RFC 2426/6350 ask, never inside a UTF-8 sequence. */
function fold(line: string): string {
  if (Buffer.byteLength(line) <= 75) return line;
  const out: string[] = [];
  let current = '';
  let bytes = 0;
  let limit = 75;
  for (const ch of line) {
    const size = Buffer.byteLength(ch);
    if (bytes + size > limit) {
      out.push(current);
      current = '';
      bytes = 0;
      limit = 74; // continuation lines start with a space
    }
    current += ch;
    bytes += size;
  }
  out.push(current);
  return out.join('\r\n ');
}

/** A vCard 3.0 text for a contact that has parsed fields only. */
export function contactToVcard(contact: ContactRecord): string {
  const lines = ['BEGIN:VCARD', 'VERSION:3.0', `FN:${escapeText(contact.fullName)}`, `N:;${escapeText(contact.fullName)};;;`];
  if (contact.uid) lines.push(`UID:${escapeText(contact.uid)}`);
  for (const phone of contact.phones) lines.push(`TEL${phone.type ? `;TYPE=${phone.type.toUpperCase()}` : ''}:${escapeText(phone.value)}`);
  for (const email of contact.emails) lines.push(`EMAIL${email.type ? `;TYPE=${email.type.toUpperCase()}` : ''}:${escapeText(email.value)}`);
  if (contact.organization) lines.push(`ORG:${escapeText(contact.organization)}`);
  if (contact.birthday) lines.push(`BDAY:${contact.birthday}`);
  if (contact.note) lines.push(`NOTE:${escapeText(contact.note)}`);
  if (contact.photo) {
    const type = contact.photo.mime.replace(/^image\//, '').toUpperCase();
    lines.push(`PHOTO;ENCODING=b;TYPE=${type}:${Buffer.from(contact.photo.bytes).toString('base64')}`);
  }
  lines.push('END:VCARD');
  return lines.map(fold).join('\r\n');
}

/** The text written for one contact, with the line ending its own text uses. */
export function vcardEntry(contact: ContactRecord): string {
  const text = contact.vcard !== '' ? contact.vcard : contactToVcard(contact);
  const eol = text.includes('\r\n') ? '\r\n' : text.includes('\n') ? '\n' : '\r\n';
  return text + eol;
}

export async function writeVcards(
  target: string,
  contacts: Iterable<ContactRecord> | AsyncIterable<ContactRecord>,
  options: AtomicFileOptions = {},
): Promise<{ count: number; bytes: number; path: string }> {
  const file = await AtomicFileWriter.create(target, options);
  let count = 0;
  try {
    for await (const contact of contacts) {
      await file.writeText(vcardEntry(contact));
      count += 1;
    }
  } catch (error) {
    await file.abort();
    throw error;
  }
  const { path, bytes } = await file.close();
  return { count, bytes, path };
}
