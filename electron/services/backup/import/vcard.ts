import { ChunkedFileReader, CHANGED_WHILE_READ_ADVICE, PROGRESS_EVERY_BYTES, throwIfAborted } from './file-reader';
import { LineSplitter } from './line-splitter';
import { sniffImageMime } from './sniff';
import { bomEncoding, decodeBytes, decodeLineBytes, supportedEncoding } from './text-decoding';
import type { ContactRecord, ImportEvent } from './types';

/**
 * vCard 2.1, 3.0 and 4.0, read line by line from a stream. Each card's original text is kept verbatim
 * in `vcard` (what a restore writes back); the parsed fields are for display, search and identity.
 */

export interface VcardReadOptions {
  signal?: AbortSignal;
  /** Longest physical line accepted; a longer one makes its card skipped. */
  maxLineBytes?: number;
  /** Largest card accepted (photos included). */
  maxCardBytes?: number;
}

export const DEFAULT_MAX_VCARD_LINE_BYTES = 512 * 1024;
export const DEFAULT_MAX_VCARD_BYTES = 16 * 1024 * 1024;

interface OpenCard {
  startLine: number;
  pieces: string[];
  bytes: number;
  /** Why the card will be skipped; the first problem wins. */
  broken?: string;
  /** Depth of vCards embedded with the 2.1 AGENT property. */
  depth: number;
  agentPending: boolean;
}

const BEGIN_RE = /^\s*BEGIN\s*:\s*VCARD\s*$/i;
const END_RE = /^\s*END\s*:\s*VCARD\s*$/i;
const AGENT_EMPTY_RE = /^([A-Za-z0-9-]+\.)?AGENT(;[^:]*)?:\s*$/i;

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} bytes`;
}

/** Streams the contacts of one .vcf file. Broken cards are reported and skipped; the rest import. */
export async function* readVcardFile(file: string, options: VcardReadOptions = {}): AsyncGenerator<ImportEvent> {
  const maxLine = options.maxLineBytes ?? DEFAULT_MAX_VCARD_LINE_BYTES;
  const maxCard = options.maxCardBytes ?? DEFAULT_MAX_VCARD_BYTES;
  const reader = await ChunkedFileReader.open(file);
  try {
    const splitter = new LineSplitter(maxLine);
    let utf16: InstanceType<typeof TextDecoder> | undefined;
    let first = true;
    let card: OpenCard | undefined;
    let strayReportedAt = -1;
    let lastProgress = 0;
    const out: ImportEvent[] = [];

    const skipCard = (c: OpenCard, reason: string, line?: number): void => {
      out.push({ type: 'skipped', skipped: { file, line: line ?? c.startLine, kind: 'contact', reason } });
    };

    const finishCard = (c: OpenCard, endLine: number): void => {
      if (c.broken !== undefined) {
        skipCard(c, c.broken);
        return;
      }
      const text = c.pieces.join('');
      try {
        out.push({ type: 'record', record: parseVcard(text), file });
      } catch (error) {
        skipCard(c, `the card on lines ${c.startLine}-${endLine} could not be read: ${(error as Error).message}`);
      }
    };

    const handle = (line: ReturnType<LineSplitter['push']>[number]): void => {
      if (line.bytes === undefined) {
        const reason = `line ${line.lineNo} is ${formatBytes(line.length)} long, more than the ${formatBytes(maxLine)} a vCard line may have; the card was skipped`;
        if (card) {
          card.broken ??= reason;
          card.pieces = [];
        } else {
          out.push({ type: 'skipped', skipped: { file, line: line.lineNo, kind: 'contact', reason: `line ${line.lineNo} outside any card is ${formatBytes(line.length)} long and was ignored` } });
        }
        return;
      }
      const { text } = decodeLineBytes(line.bytes);
      if (!card) {
        if (BEGIN_RE.test(text)) {
          card = { startLine: line.lineNo, pieces: [text, line.eol], bytes: line.length, depth: 0, agentPending: false };
        } else if (text.trim() !== '' && strayReportedAt !== line.lineNo - 1) {
          out.push({
            type: 'skipped',
            skipped: { file, line: line.lineNo, kind: 'contact', reason: `text outside BEGIN:VCARD ... END:VCARD at line ${line.lineNo} was ignored` },
          });
          strayReportedAt = line.lineNo;
        } else if (text.trim() !== '') {
          strayReportedAt = line.lineNo;
        }
        return;
      }
      if (BEGIN_RE.test(text)) {
        if (card.agentPending) {
          card.depth += 1;
          card.agentPending = false;
        } else {
          skipCard(card, `the card starting at line ${card.startLine} has no END:VCARD before the next card at line ${line.lineNo}; it was skipped`);
          card = { startLine: line.lineNo, pieces: [text, line.eol], bytes: line.length, depth: 0, agentPending: false };
          return;
        }
      } else if (END_RE.test(text)) {
        if (card.depth === 0) {
          // The END line's own newline is left out so a restore can end every card the same way.
          if (card.broken === undefined) card.pieces.push(text);
          finishCard(card, line.lineNo);
          card = undefined;
          return;
        }
        card.depth -= 1;
      } else {
        card.agentPending = AGENT_EMPTY_RE.test(text);
      }
      card.bytes += line.length + line.eol.length;
      if (card.broken === undefined && card.bytes > maxCard) {
        card.broken = `the card starting at line ${card.startLine} is larger than ${formatBytes(maxCard)}; it was skipped`;
        card.pieces = [];
      }
      if (card.broken === undefined) card.pieces.push(text, line.eol);
    };

    for (;;) {
      throwIfAborted(options.signal);
      let chunk: Uint8Array | null = await reader.read();
      if (chunk === null) break;
      if (first) {
        first = false;
        const bom = bomEncoding(chunk);
        if (bom === 'utf-8') chunk = chunk.subarray(3);
        else if (bom !== undefined) utf16 = new TextDecoder(supportedEncoding(bom) ?? bom);
      }
      if (utf16) chunk = Buffer.from(utf16.decode(chunk, { stream: true }), 'utf8');
      for (const line of splitter.push(chunk)) handle(line);
      if (reader.bytesRead - lastProgress >= PROGRESS_EVERY_BYTES) {
        lastProgress = reader.bytesRead;
        out.push({ type: 'progress', file, bytesRead: reader.bytesRead, bytesTotal: Math.max(reader.size, reader.bytesRead) });
      }
      yield* out.splice(0);
    }
    if (utf16) for (const line of splitter.push(Buffer.from(utf16.decode(), 'utf8'))) handle(line);
    const last = splitter.end();
    if (last) handle(last);
    if (card) {
      skipCard(card, `the file ends before END:VCARD of the card that starts at line ${card.startLine} (the file may be truncated); it was skipped`);
    }
    const change = await reader.checkUnchanged();
    if (change.changed) {
      out.push({ type: 'skipped', skipped: { file, kind: 'contact', reason: `${change.reason ?? 'the file changed'}. ${CHANGED_WHILE_READ_ADVICE}` } });
    }
    out.push({ type: 'progress', file, bytesRead: reader.bytesRead, bytesTotal: Math.max(reader.size, reader.bytesRead) });
    yield* out.splice(0);
  } finally {
    await reader.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing one card (pure)

export interface VcardProperty {
  group?: string;
  /** Upper-case property name. */
  name: string;
  /** Upper-case parameter names; bare 2.1 parameters are filed under TYPE, ENCODING or CHARSET. */
  params: Map<string, string[]>;
  /** Raw value: unfolded, still encoded and escaped. */
  value: string;
}

function splitOutsideQuotes(input: string, separator: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c === '"') quoted = !quoted;
    else if (c === separator && !quoted) {
      parts.push(input.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(input.slice(start));
  return parts;
}

/** RFC 6868: ^n newline, ^^ caret, ^' double quote (vCard 4.0 parameter values). */
function decodeCaret(value: string): string {
  return value.replace(/\^([n^'])/g, (_m, c: string) => (c === 'n' ? '\n' : c === '^' ? '^' : '"'));
}

const BARE_ENCODINGS = new Set(['QUOTED-PRINTABLE', 'BASE64', '8BIT', '7BIT', 'B']);

function parseParams(raw: string[], v4: boolean): Map<string, string[]> {
  const params = new Map<string, string[]>();
  const add = (key: string, values: string[]): void => {
    const list = params.get(key) ?? [];
    list.push(...values);
    params.set(key, list);
  };
  for (const piece of raw) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    if (eq === -1) {
      const bare = piece.trim().toUpperCase();
      if (BARE_ENCODINGS.has(bare)) add('ENCODING', [bare]);
      else add('TYPE', [piece.trim()]);
      continue;
    }
    const key = piece.slice(0, eq).trim().toUpperCase();
    const values = splitOutsideQuotes(piece.slice(eq + 1), ',').map((v) => {
      let value = v.trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      return v4 ? decodeCaret(value) : value;
    });
    add(key, values);
  }
  return params;
}

/** Splits `[group.]NAME;params:value`; undefined for a line that is not a property. */
export function parsePropertyLine(line: string, v4: boolean): VcardProperty | undefined {
  let quoted = false;
  let colon = -1;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') quoted = !quoted;
    else if (c === ':' && !quoted) {
      colon = i;
      break;
    }
  }
  if (colon === -1) return undefined;
  const head = splitOutsideQuotes(line.slice(0, colon), ';');
  const nameWithGroup = (head[0] ?? '').trim();
  const dot = nameWithGroup.lastIndexOf('.');
  const name = (dot === -1 ? nameWithGroup : nameWithGroup.slice(dot + 1)).toUpperCase();
  if (!/^[A-Z0-9-]+$/.test(name)) return undefined;
  const property: VcardProperty = { name, params: parseParams(head.slice(1), v4), value: line.slice(colon + 1) };
  if (dot !== -1) property.group = nameWithGroup.slice(0, dot);
  return property;
}

function isQuotedPrintable(line: string): boolean {
  const head = line.slice(0, Math.max(0, line.indexOf(':')));
  return /(^|;)\s*(ENCODING\s*=\s*)?QUOTED-PRINTABLE\s*(;|$)/i.test(head);
}

function isBase64Head(line: string): boolean {
  const colon = line.indexOf(':');
  if (colon === -1) return false;
  return /(^|;)\s*(ENCODING\s*=\s*)?(BASE64|B)\s*(;|$)/i.test(line.slice(0, colon));
}

/**
 * Unfolds physical lines into logical property lines: RFC folding (CRLF + one space or tab),
 * quoted-printable soft line breaks (a line ending in '='), and 2.1 base64 blocks whose
 * continuation lines are not indented.
 */
export function unfoldLines(text: string): string[] {
  const physical = text.split(/\r\n|\n|\r/);
  const logical: string[] = [];
  let current: string | undefined;
  let qp = false;
  let base64 = false;
  for (const line of physical) {
    if (current !== undefined && qp && current.endsWith('=')) {
      current = current.slice(0, -1) + line;
      continue;
    }
    if (current !== undefined && (line.startsWith(' ') || line.startsWith('\t'))) {
      current += line.slice(1);
      continue;
    }
    if (current !== undefined && base64 && line !== '' && !line.includes(':') && /^[A-Za-z0-9+/=\s]+$/.test(line)) {
      current += line;
      continue;
    }
    if (current !== undefined) logical.push(current);
    if (line === '') {
      current = undefined;
      qp = false;
      base64 = false;
      continue;
    }
    current = line;
    qp = isQuotedPrintable(line);
    base64 = isBase64Head(line);
  }
  if (current !== undefined) logical.push(current);
  return logical;
}

function quotedPrintableBytes(value: string): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x3d /* = */) {
      const hex = value.slice(i + 1, i + 3);
      if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 2;
        continue;
      }
      if (i === value.length - 1) continue; // stray soft break
      bytes.push(c);
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      for (const b of Buffer.from(value[i] ?? '', 'utf8')) bytes.push(b);
    }
  }
  return Uint8Array.from(bytes);
}

function decodeWithCharset(bytes: Uint8Array, charset: string | undefined): string {
  const label = charset ? supportedEncoding(charset) : undefined;
  if (label && label !== 'utf-8') return decodeBytes(label, bytes);
  const line = decodeLineBytes(bytes);
  // Undeclared and not UTF-8: Windows-1252 is what old phones used for western names.
  return line.utf8 ? line.text : decodeBytes('windows-1252', bytes);
}

function param(property: VcardProperty, key: string): string | undefined {
  return property.params.get(key)?.[0];
}

/** Decodes encoding and charset of a value, leaving the text escapes in place. */
function decodedValue(property: VcardProperty): string {
  const encoding = param(property, 'ENCODING')?.toUpperCase();
  const charset = param(property, 'CHARSET');
  if (encoding === 'QUOTED-PRINTABLE') return decodeWithCharset(quotedPrintableBytes(property.value), charset);
  if (charset) {
    const label = supportedEncoding(charset);
    // Lines that were not valid UTF-8 were read byte for byte as Latin-1; re-decode them as declared.
    // eslint-disable-next-line no-control-regex -- checks the value is all Latin-1
    if (label && label !== 'utf-8' && !/[^\u0000-\u00ff]/.test(property.value)) {
      return decodeBytes(label, Buffer.from(property.value, 'latin1'));
    }
  }
  return property.value;
}

function unescapeText(value: string): string {
  return value.replace(/\\([\\;,nN:])/g, (_m, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

/** Splits a structured value (N, ORG, ADR) on unescaped ';' and unescapes each component. */
function structured(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && i + 1 < value.length) {
      current += c + (value[i + 1] ?? '');
      i += 1;
    } else if (c === ';') {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts.map(unescapeText);
}

const IGNORED_TYPES = new Set(['pref', 'internet', 'x400']);

function typesOf(property: VcardProperty): string | undefined {
  const types = (property.params.get('TYPE') ?? [])
    .flatMap((t) => t.split(','))
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== '' && !IGNORED_TYPES.has(t));
  return types.length > 0 ? [...new Set(types)].join(',') : undefined;
}

const IMAGE_TYPES: Record<string, string> = {
  jpeg: 'image/jpeg',
  jpg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  bmp: 'image/bmp',
  webp: 'image/webp',
  heic: 'image/heic',
  tiff: 'image/tiff',
};

function decodeBase64Strict(input: string): Uint8Array | undefined {
  const compact = input.replace(/\s+/g, '');
  if (compact === '' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact)) return undefined;
  return new Uint8Array(Buffer.from(compact, compact.includes('-') || compact.includes('_') ? 'base64url' : 'base64'));
}

function parsePhoto(property: VcardProperty): { mime: string; bytes: Uint8Array } | undefined {
  const value = property.value.trim();
  let bytes: Uint8Array | undefined;
  let declared: string | undefined;
  const dataUri = /^data:([^;,]*)((?:;[^;,]*)*?)(;base64)?,(.*)$/is.exec(value);
  if (dataUri) {
    declared = dataUri[1] || undefined;
    const payload = dataUri[4] ?? '';
    bytes = dataUri[3] ? decodeBase64Strict(payload) : new Uint8Array(Buffer.from(decodeURIComponent(payload), 'latin1'));
  } else {
    const encoding = param(property, 'ENCODING')?.toUpperCase();
    if (encoding !== 'B' && encoding !== 'BASE64') return undefined;
    bytes = decodeBase64Strict(value);
    const type = property.params.get('TYPE')?.[0]?.toLowerCase();
    if (type) declared = IMAGE_TYPES[type.replace(/^image\//, '')] ?? (type.includes('/') ? type : undefined);
  }
  if (!bytes || bytes.length === 0) return undefined;
  return { mime: sniffImageMime(bytes) ?? declared ?? 'application/octet-stream', bytes };
}

/** Parses the fields of one card. `text` is kept verbatim as the record's `vcard`. */
export function parseVcard(text: string): ContactRecord {
  const lines = unfoldLines(text);
  const versionLine = lines.find((l) => /^VERSION\s*:/i.test(l));
  const v4 = versionLine !== undefined && versionLine.split(':')[1]?.trim() === '4.0';
  const record: ContactRecord = { kind: 'contact', vcard: text, fullName: '', phones: [], emails: [] };
  let fn: string | undefined;
  let n: string[] | undefined;
  const notes: string[] = [];
  for (const line of lines) {
    const property = parsePropertyLine(line, v4);
    if (!property) continue;
    switch (property.name) {
      case 'FN':
        fn ??= unescapeText(decodedValue(property)).trim();
        break;
      case 'N':
        n ??= structured(decodedValue(property)).map((s) => s.trim());
        break;
      case 'TEL': {
        const value = unescapeText(decodedValue(property)).trim().replace(/^tel:/i, '');
        if (value !== '') record.phones.push(withType(value, typesOf(property)));
        break;
      }
      case 'EMAIL': {
        const value = unescapeText(decodedValue(property)).trim().replace(/^mailto:/i, '');
        if (value !== '') record.emails.push(withType(value, typesOf(property)));
        break;
      }
      case 'ORG':
        record.organization ??= structured(decodedValue(property)).map((s) => s.trim()).filter((s) => s !== '').join(', ') || undefined;
        break;
      case 'NOTE': {
        const note = unescapeText(decodedValue(property));
        if (note !== '') notes.push(note);
        break;
      }
      case 'BDAY':
        record.birthday ??= unescapeText(decodedValue(property)).trim() || undefined;
        break;
      case 'UID':
        record.uid ??= unescapeText(decodedValue(property)).trim() || undefined;
        break;
      case 'PHOTO':
        record.photo ??= parsePhoto(property);
        break;
      default:
        break;
    }
  }
  if (notes.length > 0) record.note = notes.join('\n');
  record.fullName = fn || nameFromN(n) || record.organization || record.phones[0]?.value || record.emails[0]?.value || '';
  if (record.organization === undefined) delete record.organization;
  if (record.birthday === undefined) delete record.birthday;
  if (record.uid === undefined) delete record.uid;
  if (record.photo === undefined) delete record.photo;
  return record;
}

function withType(value: string, type: string | undefined): { value: string; type?: string } {
  return type === undefined ? { value } : { value, type };
}

function nameFromN(n: string[] | undefined): string {
  if (!n) return '';
  const [family = '', given = '', additional = '', prefix = '', suffix = ''] = n;
  return [prefix, given, additional, family, suffix].filter((s) => s !== '').join(' ');
}
