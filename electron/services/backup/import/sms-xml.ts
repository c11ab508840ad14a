import fsp from 'node:fs/promises';
import { SaxesParser } from 'saxes';
import { ChunkedFileReader, CHANGED_WHILE_READ_ADVICE, PROGRESS_EVERY_BYTES, throwIfAborted } from './file-reader';
import {
  bomEncoding,
  decodeBytes,
  INVALID_BYTE_MARK,
  LabelChunkDecoder,
  supportedEncoding,
  Utf8ChunkDecoder,
  type ChunkDecoder,
} from './text-decoding';
import type { CallRecord, ImportEvent, MmsPart, MmsRecord, SmsRecord, SkippedItem } from './types';

/**
 * "SMS Backup & Restore" XML (sms.xml with <sms> and <mms>, calls.xml with <call>), streamed through
 * saxes chunk by chunk so memory stays flat whatever the file size. Every original attribute is kept
 * in `attrs`; MMS attachments are decoded from base64 one part at a time.
 *
 * Leniency, on purpose: SMS Backup & Restore writes characters XML 1.0 forbids (control characters,
 * and emoji as two numeric references to UTF-16 surrogates, `&#55357;&#56832;`). Strict XML parsers
 * reject such files; here numeric references are decoded as UTF-16 code units, so surrogate pairs
 * recombine into the emoji and control characters survive.
 */

export interface SmsXmlReadOptions {
  signal?: AbortSignal;
  /** A record (one <sms>, <mms> or <call> element) larger than this stops the file as damaged. */
  maxRecordChars?: number;
}

export const DEFAULT_MAX_RECORD_CHARS = 96 * 1024 * 1024;
/** Errors reported one by one per file before they are summarised, so a garbage file cannot flood the report. */
const MAX_REPORTED_ERRORS = 200;

type RecordElement = 'sms' | 'mms' | 'call';
const RECORD_ELEMENTS = new Set<string>(['sms', 'mms', 'call']);
const ROOTS = new Set(['smses', 'calls']);
const KIND_OF: Record<RecordElement, 'sms' | 'mms' | 'call'> = { sms: 'sms', mms: 'mms', call: 'call' };

interface OpenRecord {
  element: RecordElement;
  line: number;
  attrs: Record<string, string>;
  parts: MmsPart[];
  addrs: MmsRecord['addrs'];
  errors: string[];
}

/** The declared or byte-order-marked encoding of an XML file, from its first bytes. */
export function detectXmlEncoding(head: Uint8Array): { encoding: string; declared?: string; bom: boolean } {
  const bom = bomEncoding(head);
  if (bom) return { encoding: bom, bom: true };
  if (head[0] === 0x3c && head[1] === 0x00 && head[2] === 0x3f && head[3] === 0x00) return { encoding: 'utf-16le', bom: false };
  if (head[0] === 0x00 && head[1] === 0x3c && head[2] === 0x00 && head[3] === 0x3f) return { encoding: 'utf-16be', bom: false };
  const start = Buffer.from(head.buffer, head.byteOffset, Math.min(head.byteLength, 512)).toString('latin1');
  const decl = /^\s*<\?xml\s[^>]*?encoding\s*=\s*["']([^"']*)["']/.exec(start);
  if (decl?.[1] !== undefined) return { encoding: decl[1], declared: decl[1], bom: false };
  return { encoding: 'utf-8', bom: false };
}

/** Name of the root element of an XML file (reads only its first few KB). */
export async function sniffXmlRoot(file: string): Promise<string | undefined> {
  const handle = await fsp.open(file, 'r');
  try {
    const buffer = Buffer.alloc(8192);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const head = buffer.subarray(0, bytesRead);
    const { encoding } = detectXmlEncoding(head);
    let text: string;
    try {
      text = decodeBytes(supportedEncoding(encoding) ?? 'utf-8', head);
    } catch {
      text = head.toString('latin1');
    }
    text = text
      .replace(/^\uFEFF/, '')
      .replace(/<\?[\s\S]*?\?>/g, '')
      .replace(/<!--[\s\S]*?-->/g, '')
      .replace(/<!DOCTYPE[^>]*>/gi, '');
    return /<([A-Za-z_][\w.:-]*)/.exec(text)?.[1];
  } finally {
    await handle.close();
  }
}

interface ParserInternals {
  parseEntity(entity: string): string;
}

/** Decodes numeric references as UTF-16 code units (see the module comment); named ones as saxes does. */
function installLenientEntities(parser: SaxesParser): void {
  const internals = parser as unknown as ParserInternals;
  const original = internals.parseEntity;
  internals.parseEntity = function parseEntity(this: ParserInternals, entity: string): string {
    if (entity[0] === '#') {
      let code = NaN;
      if (/^#x[0-9a-f]+$/i.test(entity)) code = parseInt(entity.slice(2), 16);
      else if (/^#[0-9]+$/.test(entity)) code = parseInt(entity.slice(1), 10);
      if (code >= 0 && code <= 0xffff) return String.fromCharCode(code);
      if (code > 0xffff && code <= 0x10ffff) return String.fromCodePoint(code);
    }
    return original.call(this, entity);
  };
}

function toInteger(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (!/^-?\d+$/.test(trimmed)) return undefined;
  const n = Number(trimmed);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Attribute values phones write for "no value". */
function present(value: string | undefined): string | undefined {
  if (value === undefined || value === '' || value === 'null') return undefined;
  return value;
}

function contactNameOf(attrs: Record<string, string>): string | undefined {
  const name = present(attrs.contact_name);
  return name === '(Unknown)' ? undefined : name;
}

const BASE64_RE = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

function buildRecord(open: OpenRecord): SmsRecord | MmsRecord | CallRecord | string {
  const a = open.attrs;
  const date = toInteger(a.date);
  if (date === undefined) return `it has no valid date (date="${(a.date ?? '').slice(0, 40)}")`;
  if (open.element === 'sms') {
    const type = toInteger(a.type);
    if (type === undefined) return `it has no valid type (type="${(a.type ?? '').slice(0, 40)}")`;
    const record: SmsRecord = { kind: 'sms', address: a.address ?? '', date, type, body: a.body ?? '', attrs: a };
    const contactName = contactNameOf(a);
    if (contactName !== undefined) record.contactName = contactName;
    return record;
  }
  if (open.element === 'call') {
    const type = toInteger(a.type);
    if (type === undefined) return `it has no valid type (type="${(a.type ?? '').slice(0, 40)}")`;
    const record: CallRecord = { kind: 'call', number: a.number ?? '', duration: toInteger(a.duration) ?? 0, date, type, attrs: a };
    const contactName = contactNameOf(a);
    if (contactName !== undefined) record.contactName = contactName;
    return record;
  }
  const box = toInteger(a.msg_box);
  if (box === undefined) return `it has no valid msg_box (msg_box="${(a.msg_box ?? '').slice(0, 40)}")`;
  const fromAttr = (a.address ?? '').split('~').map((s) => s.trim()).filter((s) => s !== '');
  const addresses = fromAttr.length > 0 ? fromAttr : [...new Set(open.addrs.map((x) => x.address))];
  const record: MmsRecord = { kind: 'mms', addresses, date, box, parts: open.parts, addrs: open.addrs, attrs: a };
  const messageId = present(a.m_id);
  if (messageId !== undefined) record.messageId = messageId;
  const contactName = contactNameOf(a);
  if (contactName !== undefined) record.contactName = contactName;
  return record;
}

function makePart(attributes: Record<string, string>, index: number, errors: string[]): MmsPart {
  const attrs: Record<string, string> = {};
  let data: string | undefined;
  for (const key of Object.keys(attributes)) {
    const value = attributes[key] ?? '';
    // The base64 text is not kept twice: the decoded bytes are `data`, the writer re-encodes them.
    if (key === 'data') data = value;
    else attrs[key] = value;
  }
  const part: MmsPart = { seq: toInteger(attrs.seq) ?? index, contentType: present(attrs.ct) ?? 'application/octet-stream', attrs };
  const name = present(attrs.name) ?? present(attrs.fn) ?? present(attrs.cl);
  if (name !== undefined) part.name = name;
  if (attrs.text !== undefined && attrs.text !== 'null') part.text = attrs.text;
  if (data !== undefined && data !== '' && data !== 'null') {
    if (!BASE64_RE.test(data)) errors.push(`part ${index + 1} has data that is not valid base64`);
    else part.data = new Uint8Array(Buffer.from(data, 'base64'));
  }
  return part;
}

/**
 * Streams the records of one SMS Backup & Restore file (sms.xml or calls.xml). A bad record is
 * reported with its line and skipped; the records before and after it still import. A truncated
 * file yields everything before the break and names the line where it ends.
 */
export async function* readSmsXmlFile(file: string, options: SmsXmlReadOptions = {}): AsyncGenerator<ImportEvent> {
  const maxRecordChars = options.maxRecordChars ?? DEFAULT_MAX_RECORD_CHARS;
  const reader = await ChunkedFileReader.open(file);
  try {
    const out: ImportEvent[] = [];
    const skip = (item: Omit<SkippedItem, 'file'>): void => {
      out.push({ type: 'skipped', skipped: { file, ...item } });
    };

    let firstChunk = await reader.read();
    if (firstChunk === null) {
      skip({ reason: 'the file is empty (0 bytes); there is nothing to import from it' });
      yield* out.splice(0);
      return;
    }
    const detected = detectXmlEncoding(firstChunk);
    const encoding = supportedEncoding(detected.encoding);
    if (encoding === undefined) {
      skip({
        line: 1,
        reason: `the file declares the character encoding "${detected.encoding}", which Lifeline cannot decode, so nothing was imported from it. Convert it to UTF-8 (and change the declaration to encoding="UTF-8") and import it again.`,
      });
      yield* out.splice(0);
      return;
    }
    const decoder: ChunkDecoder = encoding === 'utf-8' ? new Utf8ChunkDecoder() : new LabelChunkDecoder(encoding);
    const invalidMark = encoding === 'utf-8' ? INVALID_BYTE_MARK : '\uFFFD';
    const encodingName = detected.declared ?? encoding.toUpperCase();

    const parser = new SaxesParser({ position: true });
    installLenientEntities(parser);

    let depth = 0;
    let rootSeen = false;
    let stopReason: string | undefined;
    let pending: { element: RecordElement; line: number; errors: string[] } | undefined;
    let open: OpenRecord | undefined;
    let inParts = false;
    let inAddrs = false;
    let recordChars = 0;
    let errorsReported = 0;
    let errorsSuppressed = 0;
    let imported = 0;
    let lastGoodLine = 0;
    let closing = false;
    const closeErrors: string[] = [];

    const reportFileError = (line: number, reason: string): void => {
      if (errorsReported < MAX_REPORTED_ERRORS) {
        errorsReported += 1;
        skip({ line, reason });
      } else {
        errorsSuppressed += 1;
      }
    };

    parser.on('error', (error) => {
      if (stopReason !== undefined) return;
      const message = error.message.replace(/^(?:.*:)?\d+:\d+: /, '');
      // Control characters written raw by the phone: kept, not an error (see module comment).
      if (message === 'disallowed character.') return;
      if (closing) {
        closeErrors.push(message);
        return;
      }
      if (open) open.errors.push(`${message} (line ${parser.line})`);
      else if (pending) pending.errors.push(`${message} (line ${parser.line})`);
      else reportFileError(parser.line, `line ${parser.line}: the XML is malformed here (${message}); the text around it was ignored`);
    });

    parser.on('opentagstart', (tag) => {
      if (stopReason !== undefined) return;
      if (depth === 1 && RECORD_ELEMENTS.has(tag.name)) {
        pending = { element: tag.name as RecordElement, line: parser.line, errors: [] };
        recordChars = 0;
      }
    });

    parser.on('opentag', (tag) => {
      depth += 1;
      if (stopReason !== undefined) return;
      const attributes = tag.attributes as Record<string, string>;
      if (depth === 1) {
        rootSeen = true;
        if (!ROOTS.has(tag.name)) {
          stopReason = `the root element is <${tag.name}>, not <smses> or <calls>: this is not an "SMS Backup & Restore" export, so nothing was imported from it`;
        }
        return;
      }
      if (depth === 2) {
        if (pending && RECORD_ELEMENTS.has(tag.name)) {
          open = { element: pending.element, line: pending.line, attrs: { ...attributes }, parts: [], addrs: [], errors: pending.errors };
          pending = undefined;
        } else {
          reportFileError(parser.line, `line ${parser.line}: unknown element <${tag.name}> was ignored`);
        }
        return;
      }
      if (!open || open.element !== 'mms') return;
      if (depth === 3 && tag.name === 'parts') inParts = true;
      else if (depth === 3 && tag.name === 'addrs') inAddrs = true;
      else if (depth === 4 && inParts && tag.name === 'part') open.parts.push(makePart(attributes, open.parts.length, open.errors));
      else if (depth === 4 && inAddrs && tag.name === 'addr') {
        const addr: MmsRecord['addrs'][number] = { address: attributes.address ?? '', type: toInteger(attributes.type) ?? 0 };
        const charset = present(attributes.charset);
        if (charset !== undefined) addr.charset = charset;
        open.addrs.push(addr);
      }
    });

    parser.on('closetag', (tag) => {
      if (stopReason !== undefined) {
        depth -= 1;
        return;
      }
      if (depth === 3 && tag.name === 'parts') inParts = false;
      if (depth === 3 && tag.name === 'addrs') inAddrs = false;
      if (depth === 2 && open) {
        const record = open;
        open = undefined;
        const kind = KIND_OF[record.element];
        if (record.errors.length > 0) {
          skip({ line: record.line, kind, reason: `the <${record.element}> at line ${record.line} is malformed: ${record.errors.slice(0, 3).join('; ')}` });
        } else if (decoder.sawInvalidBytes && hasMark(record, invalidMark)) {
          skip({
            line: record.line,
            kind,
            reason: `the <${record.element}> at line ${record.line} contains bytes that are not valid ${encodingName}, although the file declares ${encodingName}: the declared encoding is wrong. Fix the declaration (for example encoding="windows-1252") and import the file again.`,
          });
        } else {
          const built = buildRecord(record);
          if (typeof built === 'string') skip({ line: record.line, kind, reason: `the <${record.element}> at line ${record.line} was skipped: ${built}` });
          else {
            imported += 1;
            lastGoodLine = parser.line;
            out.push({ type: 'record', record: built, file });
          }
        }
      }
      depth -= 1;
    });

    let chunk: Uint8Array | null = firstChunk;
    firstChunk = null;
    let lastProgress = 0;
    while (chunk !== null && stopReason === undefined) {
      throwIfAborted(options.signal);
      const text = decoder.decode(chunk);
      if (pending || open) recordChars += text.length;
      parser.write(text);
      if ((pending || open) && recordChars > maxRecordChars) {
        stopReason = `the record starting at line ${(open ?? pending)?.line ?? parser.line} is larger than ${Math.round(maxRecordChars / 1048576)} M characters; the file is probably damaged there (an unclosed quote?). The ${imported} records before it were imported; nothing after it was read.`;
      }
      if (reader.bytesRead - lastProgress >= PROGRESS_EVERY_BYTES) {
        lastProgress = reader.bytesRead;
        out.push({ type: 'progress', file, bytesRead: reader.bytesRead, bytesTotal: Math.max(reader.size, reader.bytesRead) });
      }
      yield* out.splice(0);
      if (stopReason !== undefined) break;
      chunk = await reader.read();
    }

    if (stopReason !== undefined) {
      skip({ line: open?.line ?? pending?.line ?? parser.line, reason: stopReason });
    } else {
      parser.write(decoder.decode(new Uint8Array(0), true));
      closing = true;
      parser.close();
      const where = open ?? pending;
      if (where) {
        skip({
          line: where.line,
          kind: KIND_OF[where.element],
          reason: `the file ends in the middle of the <${where.element}> that starts at line ${where.line}: the export is truncated. The ${imported} records before it were imported; export the messages again to get the rest.`,
        });
      } else if (!rootSeen) {
        skip({ line: 1, reason: 'the file holds no XML element: it is not an "SMS Backup & Restore" export, or it is empty' });
      } else if (closeErrors.length > 0) {
        skip({
          line: parser.line,
          reason: `the file ends at line ${parser.line} without closing the document (${closeErrors[0] ?? 'truncated'}): it is probably truncated after line ${lastGoodLine}. The ${imported} records before that were imported.`,
        });
      }
      const change = await reader.checkUnchanged();
      if (change.changed) skip({ reason: `${change.reason ?? 'the file changed'}. ${CHANGED_WHILE_READ_ADVICE}` });
    }
    if (errorsSuppressed > 0) skip({ reason: `${errorsSuppressed} more problems in this file were not listed one by one` });
    out.push({ type: 'progress', file, bytesRead: reader.bytesRead, bytesTotal: Math.max(reader.size, reader.bytesRead) });
    yield* out.splice(0);
  } finally {
    await reader.close();
  }
}

function hasMark(record: OpenRecord, mark: string): boolean {
  const inAttrs = (attrs: Record<string, string>): boolean => Object.values(attrs).some((v) => v.includes(mark));
  return inAttrs(record.attrs) || record.parts.some((p) => inAttrs(p.attrs)) || record.addrs.some((a) => a.address.includes(mark));
}
