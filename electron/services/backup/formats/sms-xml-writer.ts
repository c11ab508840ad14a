import { AtomicFileWriter } from './atomic-file';
import type { CallRecord, MmsPart, MmsRecord, SmsRecord } from '../import/types';
import { escapeXmlAttribute, isXmlName } from './xml-escape';

/**
 * Writes sms.xml (<smses> with <sms> and <mms>) and calls.xml (<calls> with <call>) in the
 * "SMS Backup & Restore" format, streaming, so the phone app and Lifeline's importer can read them.
 * Attributes are written in their original order from `attrs`; a typed field that no longer matches
 * what `attrs` says (an edited record, or one built without attrs) overrides it. Reading the file
 * back gives records equal to the ones written.
 */

export interface XmlWriterOptions {
  /** Number of records, when known up front; otherwise it is filled in on close. */
  count?: number;
  /** Root attributes SMS Backup & Restore writes (backup_set, backup_date, type). */
  rootAttrs?: Record<string, string>;
  /** Replace an existing file (atomically, on close). Default: refuse. */
  overwrite?: boolean;
}

const DECLARATION = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n";
/** Room for the count when it is only known at the end: digits plus padding spaces. */
const COUNT_WIDTH = 16;

function present(value: string | undefined): string | undefined {
  if (value === undefined || value === '' || value === 'null') return undefined;
  return value;
}

function readContactName(attrs: Map<string, string>): string | undefined {
  const name = present(attrs.get('contact_name'));
  return name === '(Unknown)' ? undefined : name;
}

function serializeAttrs(attrs: Map<string, string>): string {
  let s = '';
  for (const [name, value] of attrs) {
    if (!isXmlName(name)) continue;
    s += ` ${name}="${escapeXmlAttribute(value)}"`;
  }
  return s;
}

function withDefaults(attrs: Record<string, string>, defaults: [string, string | undefined][]): Map<string, string> {
  const map = new Map<string, string>();
  if (Object.keys(attrs).length === 0) {
    for (const [k, v] of defaults) if (v !== undefined) map.set(k, v);
  }
  for (const [k, v] of Object.entries(attrs)) map.set(k, v);
  return map;
}

function setContactName(map: Map<string, string>, typed: string | undefined): void {
  if (readContactName(map) !== typed) map.set('contact_name', typed ?? '(Unknown)');
}

export function smsElement(record: SmsRecord): string {
  const map = withDefaults(record.attrs, [
    ['protocol', '0'],
    ['address', record.address],
    ['date', String(record.date)],
    ['type', String(record.type)],
    ['subject', 'null'],
    ['body', record.body],
    ['toa', 'null'],
    ['sc_toa', 'null'],
    ['service_center', 'null'],
    ['read', '1'],
    ['status', '-1'],
    ['locked', '0'],
  ]);
  if ((map.get('address') ?? '') !== record.address) map.set('address', record.address);
  if (map.get('date')?.trim() !== String(record.date)) map.set('date', String(record.date));
  if (map.get('type')?.trim() !== String(record.type)) map.set('type', String(record.type));
  if ((map.get('body') ?? '') !== record.body) map.set('body', record.body);
  setContactName(map, record.contactName);
  return `  <sms${serializeAttrs(map)} />\n`;
}

export function callElement(record: CallRecord): string {
  const map = withDefaults(record.attrs, [
    ['number', record.number],
    ['duration', String(record.duration)],
    ['date', String(record.date)],
    ['type', String(record.type)],
    ['presentation', '1'],
  ]);
  if ((map.get('number') ?? '') !== record.number) map.set('number', record.number);
  const duration = map.get('duration');
  const readDuration = duration !== undefined && /^-?\d+$/.test(duration.trim()) ? Number(duration.trim()) : 0;
  if (readDuration !== record.duration) map.set('duration', String(record.duration));
  if (map.get('date')?.trim() !== String(record.date)) map.set('date', String(record.date));
  if (map.get('type')?.trim() !== String(record.type)) map.set('type', String(record.type));
  setContactName(map, record.contactName);
  return `  <call${serializeAttrs(map)} />\n`;
}

function partElement(part: MmsPart, index: number): string {
  const map = withDefaults(part.attrs, [
    ['seq', String(part.seq)],
    ['ct', part.contentType],
    ['name', part.name ?? 'null'],
    ['chset', 'null'],
    ['cd', 'null'],
    ['fn', 'null'],
    ['cid', 'null'],
    ['cl', part.name ?? 'null'],
    ['ctt_s', 'null'],
    ['ctt_t', 'null'],
    ['text', part.text ?? 'null'],
  ]);
  map.delete('data');
  const seq = map.get('seq');
  const readSeq = seq !== undefined && /^-?\d+$/.test(seq.trim()) ? Number(seq.trim()) : index;
  if (readSeq !== part.seq) map.set('seq', String(part.seq));
  if ((present(map.get('ct')) ?? 'application/octet-stream') !== part.contentType) map.set('ct', part.contentType);
  const readName = present(map.get('name')) ?? present(map.get('fn')) ?? present(map.get('cl'));
  if (readName !== part.name) map.set('name', part.name ?? 'null');
  const text = map.get('text');
  const readText = text !== undefined && text !== 'null' ? text : undefined;
  if (readText !== part.text) map.set('text', part.text ?? 'null');
  let s = `      <part${serializeAttrs(map)}`;
  // Base64 in one piece per part: MMS attachments are at most a few MB.
  if (part.data && part.data.length > 0) s += ` data="${Buffer.from(part.data.buffer, part.data.byteOffset, part.data.byteLength).toString('base64')}"`;
  return `${s} />\n`;
}

export function mmsElement(record: MmsRecord): string {
  const address = record.addresses.join('~');
  const map = withDefaults(record.attrs, [
    ['date', String(record.date)],
    ['ct_t', 'application/vnd.wap.multipart.related'],
    ['msg_box', String(record.box)],
    ['address', address],
    ['m_id', record.messageId],
    ['read', '1'],
    ['seen', '1'],
    ['text_only', '0'],
  ]);
  if (map.get('date')?.trim() !== String(record.date)) map.set('date', String(record.date));
  if (map.get('msg_box')?.trim() !== String(record.box)) map.set('msg_box', String(record.box));
  const readAddresses = (map.get('address') ?? '').split('~').map((s) => s.trim()).filter((s) => s !== '');
  const fromAddrs = [...new Set(record.addrs.map((a) => a.address))];
  const effective = readAddresses.length > 0 ? readAddresses : fromAddrs;
  if (effective.join('~') !== address) map.set('address', address);
  if (present(map.get('m_id')) !== record.messageId) map.set('m_id', record.messageId ?? 'null');
  setContactName(map, record.contactName);
  let s = `  <mms${serializeAttrs(map)}>\n    <parts>\n`;
  record.parts.forEach((part, i) => {
    s += partElement(part, i);
  });
  s += '    </parts>\n    <addrs>\n';
  for (const addr of record.addrs) {
    const attrs = new Map<string, string>([
      ['address', addr.address],
      ['type', String(addr.type)],
    ]);
    if (addr.charset !== undefined) attrs.set('charset', addr.charset);
    s += `      <addr${serializeAttrs(attrs)} />\n`;
  }
  return `${s}    </addrs>\n  </mms>\n`;
}

/** Streams one XML export to a temp file next to the target and renames it into place on close. */
export class ExportXmlWriter<R> {
  private count = 0;

  private constructor(
    private readonly file: AtomicFileWriter,
    private readonly root: string,
    private readonly element: (record: R) => string,
    private readonly declaredCount: number | undefined,
    private readonly countOffset: number,
  ) {}

  static async create<R>(target: string, root: string, element: (record: R) => string, options: XmlWriterOptions): Promise<ExportXmlWriter<R>> {
    const file = await AtomicFileWriter.create(target, { overwrite: options.overwrite });
    const head = `${DECLARATION}<${root} count="`;
    const rootAttrs = new Map(Object.entries(options.rootAttrs ?? {}).filter(([k]) => k !== 'count'));
    const count = options.count === undefined ? '0"'.padEnd(COUNT_WIDTH, ' ') : `${options.count}"`;
    await file.writeText(`${head}${count}${serializeAttrs(rootAttrs)}>\n`);
    return new ExportXmlWriter<R>(file, root, element, options.count, Buffer.byteLength(head));
  }

  async write(record: R): Promise<void> {
    await this.file.writeText(this.element(record));
    this.count += 1;
  }

  /** Finishes the file and moves it into place. */
  async close(): Promise<{ count: number; bytes: number; path: string }> {
    try {
      await this.file.writeText(`</${this.root}>\n`);
      if (this.declaredCount === undefined) {
        // Overwrites the reserved `0"` and its padding with the real count, same width.
        await this.file.patch(Buffer.from(`${this.count}"`.padEnd(COUNT_WIDTH, ' '), 'ascii'), this.countOffset);
      }
    } catch (error) {
      await this.file.abort();
      throw error;
    }
    const { path, bytes } = await this.file.close();
    return { count: this.count, bytes, path };
  }

  /** Drops the partial file; the target is left as it was. */
  async abort(): Promise<void> {
    await this.file.abort();
  }
}

export type SmsXmlWriter = ExportXmlWriter<SmsRecord | MmsRecord>;
export type CallsXmlWriter = ExportXmlWriter<CallRecord>;

export function createSmsXmlWriter(target: string, options: XmlWriterOptions = {}): Promise<SmsXmlWriter> {
  return ExportXmlWriter.create<SmsRecord | MmsRecord>(target, 'smses', (r) => (r.kind === 'sms' ? smsElement(r) : mmsElement(r)), options);
}

export function createCallsXmlWriter(target: string, options: XmlWriterOptions = {}): Promise<CallsXmlWriter> {
  return ExportXmlWriter.create<CallRecord>(target, 'calls', callElement, options);
}

async function writeAll<R>(writer: ExportXmlWriter<R>, records: Iterable<R> | AsyncIterable<R>): Promise<{ count: number; bytes: number; path: string }> {
  try {
    for await (const record of records) await writer.write(record);
  } catch (error) {
    await writer.abort();
    throw error;
  }
  return writer.close();
}

export async function writeSmsXml(
  target: string,
  records: Iterable<SmsRecord | MmsRecord> | AsyncIterable<SmsRecord | MmsRecord>,
  options: XmlWriterOptions = {},
): Promise<{ count: number; bytes: number; path: string }> {
  return writeAll(await createSmsXmlWriter(target, options), records);
}

export async function writeCallsXml(
  target: string,
  records: Iterable<CallRecord> | AsyncIterable<CallRecord>,
  options: XmlWriterOptions = {},
): Promise<{ count: number; bytes: number; path: string }> {
  return writeAll(await createCallsXmlWriter(target, options), records);
}
