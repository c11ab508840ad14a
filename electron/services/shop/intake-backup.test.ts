import { describe, expect, it } from 'vitest';
import type { MediaFile } from '../phone/readers';
import { backupRelPath, compareCounts, mimeOf, type StagedKind, type StagedMedia } from './intake-backup';
import { callRecord, contactRecord, distinctCount, mmsRecord, smsRecord } from './phone-records';
import { receiptPdf, type IntakeReceipt } from './receipt';
import { parseServerAddress } from './shop-service';

const file = (over: Partial<MediaFile>): MediaFile => ({ path: Buffer.from('/sdcard/DCIM/a.jpg'), relativePath: 'DCIM/a.jpg', name: 'a.jpg', nameIsUtf8: true, size: 1, mtime: 1, kind: 'image', ...over });

describe('phone rows to backup records', () => {
  it('builds a vCard for a contact and counts exact duplicates once, as the store will', () => {
    const c = contactRecord({ rawContactId: 1, displayName: 'Budi; "Wijaya"', givenName: 'Budi', familyName: 'Wijaya', phones: [{ number: '+62 812-1', type: 2 }], emails: [{ address: 'b@x.id', type: 1 }], other: [{ mimetype: 'vnd.android.cursor.item/note', data1: 'line 1\nline 2' }] });
    expect(c.vcard).toMatch(/^BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Budi\\; "Wijaya"/);
    expect(c.vcard).toContain('TEL;TYPE=CELL:+62 812-1');
    expect(c.vcard).toContain('NOTE:line 1\\nline 2');
    const sms = { id: 1, threadId: 1, address: '+628121', date: 1000, dateSent: null, type: 1, read: true, status: null, subId: null, body: 'Hi, "you"\nthere' };
    const records = [smsRecord(sms), smsRecord({ ...sms, id: 2 }), smsRecord({ ...sms, id: 3, body: 'other' })];
    expect(records[0]?.body).toBe('Hi, "you"\nthere');
    expect(distinctCount(records)).toBe(2);
    expect(mmsRecord({ id: 5, threadId: 1, date: 1_700_000_000, msgBox: 1, read: true, subject: null, parts: [] }).date).toBe(1_700_000_000_000);
    expect(callRecord({ id: 1, number: null, date: 5, durationSec: null, type: 3, presentation: 2, name: null })).toMatchObject({ number: '', duration: 0, type: 3 });
  });
});

describe('names the phone gives files', () => {
  it('keeps UTF-8 names, tags invalid ones so two of them never collide, and guesses types', () => {
    expect(backupRelPath(file({}))).toEqual({ relPath: 'DCIM/a.jpg', renamed: false });
    const a = backupRelPath(file({ path: Buffer.from([0x2f, 0x61, 0xff, 0x2e, 0x6a, 0x70, 0x67]), relativePath: 'DCIM/a\ufffd.jpg', nameIsUtf8: false }));
    const b = backupRelPath(file({ path: Buffer.from([0x2f, 0x61, 0xfe, 0x2e, 0x6a, 0x70, 0x67]), relativePath: 'DCIM/a\ufffd.jpg', nameIsUtf8: false }));
    expect(a.relPath).toMatch(/^DCIM\/a\ufffd~[0-9a-f]{8}\.jpg$/);
    expect(a.relPath).not.toBe(b.relPath);
    expect(mimeOf('x.MP4')).toBe('video/mp4');
    expect(mimeOf('notes')).toBe('application/octet-stream');
  });
});

describe('counts on the phone against the backup', () => {
  const kind = (k: StagedKind['kind'], over: Partial<StagedKind> = {}): StagedKind => ({ kind: k, status: 'ok', reason: null, onPhone: 10, distinct: 10, warnings: [], records: [], ...over });
  const media: StagedMedia = { files: [{ relPath: 'DCIM/a.jpg', pathHex: '', size: 1, mtime: 1, staged: '', renamed: false }], skipped: [{ where: '/sdcard/DCIM', name: '"../x.jpg"', reason: 'contains "/"' }], unreadable: [] };

  it('reports refused kinds as not allowed with null counts, and explains duplicates and skipped names', () => {
    const { counts, complete } = compareCounts(
      { kinds: [kind('contacts', { onPhone: 11 }), kind('sms', { status: 'refused', reason: 'Permission Denial: requires READ_SMS', onPhone: null, distinct: null })], media },
      { counts: { contact: 10, media: 1 }, mediaBytes: 1, problems: [] },
    );
    expect(complete).toBe(true);
    expect(counts[0]).toMatchObject({ kind: 'contacts', onPhone: 11, inBackup: 10, note: expect.stringMatching(/1 exact copy/) });
    expect(counts[1]).toEqual({ kind: 'sms', status: 'refused', onPhone: null, inBackup: null, note: expect.stringMatching(/^Not allowed on this phone: Permission Denial/) });
    expect(counts[2]).toMatchObject({ kind: 'media', onPhone: 2, inBackup: 1, note: expect.stringMatching(/not allowed on a computer: "..\/x.jpg"/) });
  });

  it('is not complete when something is missing or damaged', () => {
    expect(compareCounts({ kinds: [kind('calls')], media }, { counts: { call: 9, media: 1 }, mediaBytes: 1, problems: [] }).complete).toBe(false);
    expect(compareCounts({ kinds: [kind('calls')], media }, { counts: { call: 10, media: 1 }, mediaBytes: 1, problems: ['x: damaged'] }).complete).toBe(false);
  });
});

describe('the rest', () => {
  it('parses adb server addresses', () => {
    expect(parseServerAddress('127.0.0.1:5037')).toEqual({ host: '127.0.0.1', port: 5037 });
    expect(parseServerAddress('5038')).toEqual({ host: '127.0.0.1', port: 5038 });
    expect(parseServerAddress('host:99999')).toBeNull();
    expect(parseServerAddress('a b:1')).toBeNull();
  });

  it('prints a receipt PDF even for names outside Latin-1', async () => {
    const r: IntakeReceipt = {
      format: 'lifeline-shop-intake-receipt', version: 1,
      ticket: { number: 'S-0001', customerName: '王小明 🙂', contact: '+62', device: 'x', problem: 'y', consentBackup: true, consentRetention: true },
      phone: { brand: 'Redmi', model: 'M1', serial: 's', android: '14', imeis: ['•••1234'] }, operator: 'Ayu', createdAt: '2026-01-01T00:00:00.000Z', verified: true, deleteAfter: null,
      counts: [{ kind: 'sms', status: 'refused', onPhone: null, inBackup: null, note: 'Not allowed' }],
      backup: { storeId: 'st', snapshot: 'sn', device: 'Ticket S-0001', committedAt: '2026', digest: { algorithm: 'sha256', value: 'ab', over: 'x' }, totalItems: 0, totalBytes: 0, storedBytes: 0 },
    };
    const pdf = await receiptPdf(r);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(1000);
  });
});
