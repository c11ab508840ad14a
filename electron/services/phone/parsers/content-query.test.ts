import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentQueryCommand, parseContentQuery, parseRowBody } from './content-query';
import { CALL_COLUMNS, SMS_COLUMNS, callFromRow, contactsFromDataRows, mmsFromRows, smsFromRow, CONTACT_DATA_COLUMNS } from './records';

const fixture = (name: string): string => fs.readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8');

describe('content query rows', () => {
  it('splits SMS rows whose bodies hold commas, quotes, "=", emoji, newlines and fake "Row:" lines', () => {
    const r = parseContentQuery(fixture('sms-tricky.txt'), SMS_COLUMNS);
    expect(r.status).toBe('ok');
    if (r.status !== 'ok') return;
    const sms = r.rows.map(smsFromRow);
    expect(sms.map((m) => m?.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(sms[0]?.body).toBe('Hi, are we still on for 7pm, or later?');
    expect(sms[1]?.body).toBe('She said "ok, fine" and left');
    expect(sms[2]).toMatchObject({ address: 'Bank, XYZ', body: 'a=b, c=d, type=2, body=nested', subId: null, read: false, type: 2 });
    expect(sms[3]?.body).toBe('Line one\nLine two, with comma\nRow: 99 _id=5, body=not a row');
    expect(sms[4]?.body).toBe('Paket Anda 📦 — terima kasih! 😀👍🏽');
    expect(sms[5]?.body).toBe('');
    expect(sms[6]?.body).toBe('Trailing newline and fake row\nRow: 8 _id=99, thread_id=5');
    expect(sms[7]?.body).toBe('last, with comma, ');
    expect(r.warnings).toEqual(['Ignored 1 unexpected line(s) before the first row.']);
  });

  it('reports Permission Denial as refused, never as zero rows', () => {
    const r = parseContentQuery(fixture('sms-denied.txt'), SMS_COLUMNS);
    expect(r.status).toBe('refused');
    if (r.status === 'refused') expect(r.reason).toMatch(/Permission Denial.*READ_SMS/);
  });

  it('tells an empty provider from a missing one', () => {
    expect(parseContentQuery('No result found.\n', SMS_COLUMNS)).toEqual({ status: 'ok', rows: [], warnings: [] });
    expect(parseContentQuery('Error while accessing provider:foo\njava.lang.IllegalArgumentException: Unknown URI content://foo\n', SMS_COLUMNS).status).toBe('unavailable');
    expect(parseContentQuery('', SMS_COLUMNS).status).toBe('unavailable');
  });

  it('handles CRLF output from PTY shells and NULL values', () => {
    const out = 'Row: 0 _id=1, date=5, duration=0, type=3, presentation=2, number=, name=NULL\r\nRow: 1 _id=2, date=6, duration=61, type=1, presentation=1, number=+62811, name=O\'Brien, Jr.\r\n';
    const r = parseContentQuery(out, CALL_COLUMNS);
    expect(r.status === 'ok' && r.rows.map(callFromRow)).toEqual([
      { id: 1, number: null, date: 5, durationSec: 0, type: 3, presentation: 2, name: null },
      { id: 2, number: '+62811', date: 6, durationSec: 61, type: 1, presentation: 1, name: "O'Brien, Jr." },
    ]);
  });

  it('rejects a body that does not fit the columns', () => {
    expect(parseRowBody('_id=1, x=2', ['_id', 'y'])).toBeNull();
    const r = parseContentQuery('Row: 0 _id=1, name=a\nRow: 1 bogus\n', ['_id', 'name']);
    // "Row: 1 bogus" does not parse as a row, so it belongs to the previous value.
    expect(r.status === 'ok' && r.rows).toEqual([{ _id: '1', name: 'a\nRow: 1 bogus' }]);
  });

  it('parses 100,000 rows in one pass', () => {
    const lines: string[] = [];
    for (let i = 0; i < 100_000; i += 1) lines.push(`Row: ${i} _id=${i + 1}, thread_id=1, date=1, date_sent=0, type=1, read=1, status=-1, sub_id=1, address=+1, body=hi, ${i}\nsecond`);
    const r = parseContentQuery(`${lines.join('\n')}\n`, SMS_COLUMNS);
    expect(r.status === 'ok' && r.rows.length).toBe(100_000);
    expect(r.status === 'ok' && r.rows[99_999]?.body).toBe('hi, 99999\nsecond');
  });

  it('builds commands only from safe names', () => {
    expect(contentQueryCommand('content://sms', ['_id', 'body'])).toBe('content query --uri content://sms --projection _id:body');
    expect(contentQueryCommand('content://sms', ['_id'], { where: '_id>5' })).toBe('content query --uri content://sms --projection _id --where "_id>5"');
    expect(() => contentQueryCommand('content://sms; rm -rf /', ['_id'])).toThrow();
    expect(() => contentQueryCommand('content://sms', ['_id;x'])).toThrow();
  });
});

describe('records', () => {
  it('groups contact data rows per raw contact', () => {
    const out = [
      'Row: 0 _id=1, raw_contact_id=7, mimetype=vnd.android.cursor.item/name, data2=Ana, data3=Santoso, data1=Ana Santoso',
      'Row: 1 _id=2, raw_contact_id=7, mimetype=vnd.android.cursor.item/phone_v2, data2=2, data3=NULL, data1=+62 812-1000-0001',
      'Row: 2 _id=3, raw_contact_id=7, mimetype=vnd.android.cursor.item/email_v2, data2=1, data3=NULL, data1=ana@example.com',
      'Row: 3 _id=4, raw_contact_id=8, mimetype=vnd.android.cursor.item/note, data2=NULL, data3=NULL, data1=Met at the shop, said "call me"',
      '',
    ].join('\n');
    const r = parseContentQuery(out, CONTACT_DATA_COLUMNS);
    expect(r.status).toBe('ok');
    if (r.status !== 'ok') return;
    const contacts = contactsFromDataRows(r.rows);
    expect(contacts[0]).toEqual({ rawContactId: 7, displayName: 'Ana Santoso', givenName: 'Ana', familyName: 'Santoso', phones: [{ number: '+62 812-1000-0001', type: 2 }], emails: [{ address: 'ana@example.com', type: 1 }], other: [] });
    expect(contacts[1]?.other).toEqual([{ mimetype: 'vnd.android.cursor.item/note', data1: 'Met at the shop, said "call me"' }]);
  });

  it('attaches MMS parts to their messages', () => {
    const mms = mmsFromRows([{ _id: '1', thread_id: '2', date: '1735689600', msg_box: '1', read: '1', sub: null }], [{ _id: '10', mid: '1', seq: '0', ct: 'text/plain', name: null, text: 'hi, "x"' }, { _id: '11', mid: '9', seq: '0', ct: 'image/jpeg', name: 'a.jpg', text: null }]);
    expect(mms).toEqual([{ id: 1, threadId: 2, date: 1735689600, msgBox: 1, read: true, subject: null, parts: [{ id: 10, seq: 0, contentType: 'text/plain', name: null, text: 'hi, "x"' }] }]);
  });
});
