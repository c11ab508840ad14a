import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeCallsXml, writeSmsXml } from '../formats/sms-xml-writer';
import { readSmsXmlFile, sniffXmlRoot } from './sms-xml';
import { collect, tempDir } from './test-helpers';
import type { CallRecord, MmsRecord, SmsRecord } from './types';

const dir = tempDir('lifeline-smsxml-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');

const sms = (date: number, body: string, extra = ''): string =>
  `  <sms protocol="0" address="+4915112345678" date="${date}" type="1" subject="null" body="${body}" toa="null" sc_toa="null" service_center="null" read="1" status="-1" locked="0" date_sent="0" readable_date="x" contact_name="Anna"${extra} />\n`;

const mms = `  <mms date="1700000100000" ct_t="application/vnd.wap.multipart.related" msg_box="1" address="+4915112345678~+4917699999" m_id="abc@mms" read="1" contact_name="(Unknown)">
    <parts>
      <part seq="-1" ct="application/smil" name="null" chset="null" cd="null" fn="null" cid="&lt;smil&gt;" cl="smil.xml" ctt_s="null" ctt_t="null" text="&lt;smil&gt;&lt;/smil&gt;" />
      <part seq="0" ct="image/png" name="../../x" chset="null" cd="null" fn="null" cid="&lt;x&gt;" cl="x.png" ctt_s="null" ctt_t="null" text="null" data="${PNG.toString('base64')}" />
      <part seq="0" ct="text/plain" name="null" chset="106" cd="null" fn="null" cid="&lt;t&gt;" cl="text_0.txt" ctt_s="null" ctt_t="null" text="Look 👀" />
    </parts>
    <addrs>
      <addr address="+4915112345678" type="137" charset="106" />
      <addr address="+4917699999" type="151" charset="106" />
    </addrs>
  </mms>
`;

function doc(body: string, decl = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>"): string {
  return `${decl}\n<smses count="3" backup_set="b" backup_date="1" type="full">\n${body}</smses>\n`;
}

function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

describe('readSmsXmlFile', () => {
  it('reads sms and mms with decoded parts, addrs and every original attribute', async () => {
    const file = write('ok.xml', doc(sms(1700000000000, 'Hello &amp; welcome') + mms));
    const { records, skipped } = await collect(readSmsXmlFile(file));
    expect(skipped).toEqual([]);
    const [s, m] = records as [SmsRecord, MmsRecord];
    expect(s).toMatchObject({ kind: 'sms', address: '+4915112345678', date: 1700000000000, type: 1, body: 'Hello & welcome', contactName: 'Anna' });
    expect(s.attrs.readable_date).toBe('x');
    expect(Object.keys(s.attrs)).toHaveLength(15);
    expect(m.kind).toBe('mms');
    expect(m.addresses).toEqual(['+4915112345678', '+4917699999']);
    expect(m.box).toBe(1);
    expect(m.messageId).toBe('abc@mms');
    expect(m.contactName).toBeUndefined();
    expect(m.parts).toHaveLength(3);
    expect(m.parts[0]?.text).toBe('<smil></smil>');
    expect(Buffer.from(m.parts[1]?.data ?? []).equals(PNG)).toBe(true);
    expect(m.parts[1]?.name).toBe('../../x');
    expect(m.parts[1]?.attrs.data).toBeUndefined();
    expect(m.parts[2]?.text).toBe('Look 👀');
    expect(m.addrs).toEqual([
      { address: '+4915112345678', type: 137, charset: '106' },
      { address: '+4917699999', type: 151, charset: '106' },
    ]);
    expect(await sniffXmlRoot(file)).toBe('smses');
  });

  it('keeps control characters and emoji, including SMS Backup & Restore surrogate-pair references', async () => {
    const body = 'a&#10;b&#1;c\u0002d 😀 &#55357;&#56832; &#x1F600; tab&#9;end';
    const file = write('control.xml', doc(sms(1, body)));
    const { records, skipped } = await collect(readSmsXmlFile(file));
    expect(skipped).toEqual([]);
    expect((records[0] as SmsRecord).body).toBe('a\nb\u0001c\u0002d 😀 😀 😀 tab\tend');
  });

  it('imports the records before a truncation and names the line where the file breaks', async () => {
    const full = doc(sms(1, 'one') + sms(2, 'two') + sms(3, 'three'));
    const cut = full.slice(0, full.indexOf('body="three"') + 4);
    const file = write('truncated.xml', cut);
    const { records, skipped } = await collect(readSmsXmlFile(file));
    expect(records.map((r) => (r as SmsRecord).body)).toEqual(['one', 'two']);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({ file, line: 5, kind: 'sms' });
    expect(skipped[0]?.reason).toMatch(/truncated/);
  });

  it('reports a file cut after a complete record (no closing root)', async () => {
    const file = write('no-close.xml', doc(sms(1, 'one')).replace('</smses>\n', ''));
    const { records, skipped } = await collect(readSmsXmlFile(file));
    expect(records).toHaveLength(1);
    expect(skipped[0]?.reason).toMatch(/truncated/);
  });

  it('skips a bad record with its line; records before and after still import', async () => {
    const file = write('bad-record.xml', doc(sms(1, 'one') + sms(Number.NaN, 'bad date') + '  <sms date="5" type="1" body="x"y="z" />\n' + sms(4, 'four')));
    const { records, skipped } = await collect(readSmsXmlFile(file));
    expect(records.map((r) => (r as SmsRecord).body)).toEqual(['one', 'four']);
    expect(skipped).toHaveLength(2);
    expect(skipped[0]).toMatchObject({ line: 4, kind: 'sms' });
    expect(skipped[0]?.reason).toMatch(/no valid date/);
    expect(skipped[1]).toMatchObject({ line: 5, kind: 'sms' });
    expect(skipped[1]?.reason).toMatch(/malformed/);
  });

  it('skips records whose bytes do not match a declared UTF-8, with a clear reason', async () => {
    const head = Buffer.from(doc(sms(1, 'fine') + sms(2, 'MARK') + sms(3, 'also fine')));
    const at = head.indexOf('MARK');
    const bytes = Buffer.concat([head.subarray(0, at), Buffer.from([0x4a, 0xf6, 0x72, 0x67]), head.subarray(at + 4)]);
    const file = write('wrong-utf8.xml', bytes);
    const { records, skipped } = await collect(readSmsXmlFile(file));
    expect(records.map((r) => (r as SmsRecord).body)).toEqual(['fine', 'also fine']);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]?.line).toBe(4);
    expect(skipped[0]?.reason).toMatch(/not valid UTF-8.*declared encoding is wrong/);
  });

  it('decodes a file in the encoding it declares (windows-1252)', async () => {
    const text = doc(sms(1, 'Jörg – café'), "<?xml version='1.0' encoding='windows-1252'?>");
    const bytes = Buffer.from(
      Array.from(text, (c) => (c === '–' ? 0x96 : c.charCodeAt(0))),
    );
    const file = write('cp1252.xml', bytes);
    const { records, skipped } = await collect(readSmsXmlFile(file));
    expect(skipped).toEqual([]);
    expect((records[0] as SmsRecord).body).toBe('Jörg – café');
  });

  it('refuses an encoding it cannot decode, saying what to do', async () => {
    const file = write('unknown-enc.xml', doc(sms(1, 'x'), "<?xml version='1.0' encoding='x-made-up-7'?>"));
    const { records, skipped } = await collect(readSmsXmlFile(file));
    expect(records).toEqual([]);
    expect(skipped[0]?.reason).toMatch(/x-made-up-7.*cannot decode.*Convert it to UTF-8/);
  });

  it('reads UTF-16 with a byte-order mark', async () => {
    const text = doc(sms(1, 'Grüße 😀'), "<?xml version='1.0' encoding='UTF-16'?>");
    const file = write('utf16.xml', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const { records, skipped } = await collect(readSmsXmlFile(file));
    expect(skipped).toEqual([]);
    expect((records[0] as SmsRecord).body).toBe('Grüße 😀');
  });

  it('rejects an XML file that is not an SMS Backup & Restore export', async () => {
    const file = write('other.xml', '<?xml version="1.0"?><html><body/></html>');
    const { records, skipped } = await collect(readSmsXmlFile(file));
    expect(records).toEqual([]);
    expect(skipped[0]?.reason).toMatch(/<html>/);
  });

  it('reads a calls file', async () => {
    const file = write(
      'calls.xml',
      `<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<calls count="2">\n  <call number="+4930123" duration="65" date="1700000000000" type="1" presentation="1" contact_name="Office" />\n  <call number="" duration="0" date="1700000000500" type="3" presentation="2" contact_name="(Unknown)" />\n</calls>\n`,
    );
    const { records, skipped } = await collect(readSmsXmlFile(file));
    expect(skipped).toEqual([]);
    expect(records).toEqual([
      { kind: 'call', number: '+4930123', duration: 65, date: 1700000000000, type: 1, contactName: 'Office', attrs: { number: '+4930123', duration: '65', date: '1700000000000', type: '1', presentation: '1', contact_name: 'Office' } },
      { kind: 'call', number: '', duration: 0, date: 1700000000500, type: 3, attrs: { number: '', duration: '0', date: '1700000000500', type: '3', presentation: '2', contact_name: '(Unknown)' } },
    ]);
    expect(await sniffXmlRoot(file)).toBe('calls');
  });
});

describe('SMS Backup & Restore writer round trip', () => {
  it('write -> re-import gives equal sms and mms records, with control characters and emoji intact', async () => {
    const src = write('rt-src.xml', doc(sms(1, 'a&#10;b&#1;c 😀 &#55357;&#56832; &lt;tag&gt; &quot;q&quot; &amp;') + mms + sms(3, 'x', ' extra_attr="kept"')));
    const first = await collect(readSmsXmlFile(src));
    expect(first.skipped).toEqual([]);
    const out = path.join(dir, 'rt-out.xml');
    const result = await writeSmsXml(out, first.records as (SmsRecord | MmsRecord)[], { rootAttrs: { backup_set: 'b', type: 'full' } });
    expect(result.count).toBe(3);
    const text = fs.readFileSync(out, 'utf8');
    expect(text).toMatch(/<smses count="3" +backup_set="b" type="full">/);
    expect(text).toContain('&#1;');
    const second = await collect(readSmsXmlFile(out));
    expect(second.skipped).toEqual([]);
    expect(second.records).toEqual(first.records);
  });

  it('writes records built without attrs so they read back equal', async () => {
    const records: (SmsRecord | MmsRecord)[] = [
      { kind: 'sms', address: '+1', date: 5, type: 2, body: 'lone surrogate \ud83d and \uffff', attrs: {} },
      {
        kind: 'mms',
        addresses: ['+1', '+2'],
        date: 6,
        box: 2,
        contactName: 'Group',
        parts: [{ seq: 0, contentType: 'image/png', name: 'p.png', data: new Uint8Array(PNG), attrs: {} }],
        addrs: [{ address: '+1', type: 151 }],
        attrs: {},
      },
    ];
    const out = path.join(dir, 'built.xml');
    await writeSmsXml(out, records);
    const back = await collect(readSmsXmlFile(out));
    expect(back.skipped).toEqual([]);
    const [s, m] = back.records as [SmsRecord, MmsRecord];
    expect(s.body).toBe(records[0]?.kind === 'sms' ? records[0].body : '');
    expect({ ...s, attrs: {} }).toEqual(records[0]);
    expect(m.addresses).toEqual(['+1', '+2']);
    expect(m.contactName).toBe('Group');
    expect(m.parts[0]?.name).toBe('p.png');
    expect(Buffer.from(m.parts[0]?.data ?? []).equals(PNG)).toBe(true);
  });

  it('round-trips calls', async () => {
    const calls: CallRecord[] = [
      { kind: 'call', number: '+49', duration: 12, date: 1, type: 2, attrs: { number: '+49', duration: '12', date: '1', type: '2', post_dial_digits: '', contact_name: 'A' }, contactName: 'A' },
      { kind: 'call', number: '+50', duration: 0, date: 2, type: 3, attrs: {} },
    ];
    const out = path.join(dir, 'calls-rt.xml');
    await writeCallsXml(out, calls, { count: 2 });
    const back = await collect(readSmsXmlFile(out));
    expect(back.records[0]).toEqual(calls[0]);
    expect({ ...(back.records[1] as CallRecord), attrs: {} }).toEqual(calls[1]);
  });

  it('refuses to overwrite an existing file unless asked, leaving it untouched', async () => {
    const out = write('exists.xml', 'keep me');
    await expect(writeSmsXml(out, [])).rejects.toThrow(/already exists/);
    expect(fs.readFileSync(out, 'utf8')).toBe('keep me');
    await writeSmsXml(out, [], { overwrite: true });
    expect(fs.readFileSync(out, 'utf8')).toMatch(/<smses count="0" *>/);
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});
