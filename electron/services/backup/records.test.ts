import { describe, expect, it } from 'vitest';
import type { ContactRecord, SmsRecord } from './import/types';
import { bucketPath, canonicalJson, identityString, isCompressedMedia, normalizeAddress, recordCatalog } from './records';

const sms: SmsRecord = { kind: 'sms', address: '+1 (555) 010-2000', date: 1_700_000_000_000, type: 1, body: 'hi 🙂\u0007', attrs: { _id: '17', read: '1' } };

describe('record identity', () => {
  it('ignores punctuation in numbers and phone-side ids, and sees body, date and type', () => {
    expect(normalizeAddress('+1 (555) 010-2000')).toBe('+15550102000');
    expect(normalizeAddress('0812-3456 7890')).toBe('081234567890');
    expect(normalizeAddress('VERIZON')).toBe('verizon');
    const same = { ...sms, address: '+15550102000', attrs: { _id: '99', read: '0' } };
    expect(identityString(same)).toBe(identityString(sms));
    expect(identityString({ ...sms, body: 'hi' })).not.toBe(identityString(sms));
    expect(identityString({ ...sms, date: sms.date + 1 })).not.toBe(identityString(sms));
    expect(identityString({ ...sms, type: 2 })).not.toBe(identityString(sms));
  });

  it('identifies contacts by UID when present, else by name, numbers and emails in any order', () => {
    const base: ContactRecord = { kind: 'contact', vcard: 'BEGIN:VCARD\r\nEND:VCARD', fullName: 'Ana  Lima', phones: [{ value: '+1 555 1' }, { value: '+1 555 2' }], emails: [{ value: 'Ana@x.org' }] };
    const reordered = { ...base, fullName: 'ana lima', phones: [{ value: '+15552' }, { value: '+15551' }], emails: [{ value: 'ana@x.org' }], vcard: 'other text' };
    expect(identityString(reordered)).toBe(identityString(base));
    const withUid = { ...base, uid: 'u-1' };
    expect(identityString({ ...withUid, fullName: 'Renamed' })).toBe(identityString(withUid));
  });

  it('serializes canonically: key order does not matter, undefined is dropped, bytes are refused', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: undefined }], c: 'x' } })).toBe('{"a":{"c":"x","d":[2,{"z":1}]},"b":1}');
    expect(() => canonicalJson({ data: new Uint8Array(2) })).toThrow(TypeError);
  });

  it('groups messages by conversation, year and month, and fills the catalog row', () => {
    const month = new Date(sms.date).toISOString().slice(0, 7);
    expect(bucketPath(sms, 'ab')).toEqual(['messages', '+15550102000', '2023', month]);
    const cat = recordCatalog(sms, 100);
    expect(cat).toMatchObject({ kind: 'sms', thread: '+15550102000', date: sms.date, size: 100 });
    expect(cat.text).toContain('hi');
  });

  it('knows which media are already compressed', () => {
    expect(isCompressedMedia('image/jpeg')).toBe(true);
    expect(isCompressedMedia('application/octet-stream', 'clip.MP4')).toBe(true);
    expect(isCompressedMedia('text/plain', 'a.txt')).toBe(false);
  });
});
