/**
 * `content query` prints one row as `Row: N col=value, col=value, ...` followed by a newline, with
 * values unescaped: a value may itself contain ", ", "=", newlines or even "Row: ". The format is
 * ambiguous in general; this parser removes most of the ambiguity by relying on what the caller knows:
 *
 * - The caller passes `--projection` and the same column list here, so the key order is known. A value
 *   ends at the next `, <next column>=`, never at an arbitrary ", ".
 * - Free text goes in the LAST column (SMS body, contact data1) — the last value runs to the end of the
 *   row, so it may contain anything except a line starting exactly like the next row.
 * - Rows are numbered 0, 1, 2... A new row starts only at "\nRow: <n+1> <first column>=", and only
 *   where the rest parses as a complete row; anything else is part of the previous value.
 *
 * What is still ambiguous: a non-last text value containing ", <next column>=", a last value containing
 * a whole line "Row: <n+1> <first column>=..." that itself parses as a row, and the literal text "NULL"
 * (read as null). Callers keep such columns last and numeric columns first.
 */

export type ContentValue = string | null;
export type ContentRow = Record<string, ContentValue>;

export type ContentResult =
  | { status: 'ok'; rows: ContentRow[]; warnings: string[] }
  | { status: 'refused'; reason: string }
  | { status: 'unavailable'; reason: string };

const REFUSAL = /Permission Denial|SecurityException|requires android\.permission|not allowed to access/i;
const FAILURE = /Error while accessing provider|Unknown URI|Could not find provider|Unknown authority|IllegalArgumentException|SQLiteException|NullPointerException|No content provider/i;

function firstMatchingLine(text: string, re: RegExp): string {
  const line = text.split('\n').find((l) => re.test(l)) ?? text.split('\n')[0] ?? '';
  return line.trim().slice(0, 400);
}

/** Splits one row body ("col=v, col=v") using the known column order. Null when it does not fit. */
export function parseRowBody(body: string, columns: readonly string[]): ContentRow | null {
  const row: ContentRow = {};
  let pos = 0;
  for (let i = 0; i < columns.length; i += 1) {
    const col = columns[i] ?? '';
    const prefix = `${col}=`;
    if (!body.startsWith(prefix, pos)) return null;
    const start = pos + prefix.length;
    let end: number;
    if (i === columns.length - 1) end = body.length;
    else {
      const sep = `, ${columns[i + 1]}=`;
      end = body.indexOf(sep, start);
      if (end < 0) return null;
    }
    const value = body.slice(start, end);
    row[col] = value === 'NULL' ? null : value;
    pos = end + 2;
  }
  return row;
}

export function parseContentQuery(output: string, columns: readonly string[]): ContentResult {
  if (columns.length === 0) throw new Error('parseContentQuery needs the projection columns');
  const text = output.replace(/\r\n/g, '\n');
  const first = columns[0] ?? '';
  const startRe = new RegExp(`(^|\\n)Row: 0 ${escapeRe(first)}=`);
  const start = startRe.exec(text);
  if (!start) {
    if (REFUSAL.test(text)) return { status: 'refused', reason: firstMatchingLine(text, REFUSAL) };
    if (/^No result found\.?\s*$/m.test(text)) return { status: 'ok', rows: [], warnings: noiseWarnings(text, /^No result found\.?\s*$/m) };
    if (FAILURE.test(text)) return { status: 'unavailable', reason: firstMatchingLine(text, FAILURE) };
    if (text.trim() === '') return { status: 'unavailable', reason: 'The phone printed nothing for this query.' };
    return { status: 'unavailable', reason: `Unexpected answer: ${text.trim().split('\n')[0]?.slice(0, 200) ?? ''}` };
  }
  const warnings: string[] = [];
  const lead = text.slice(0, start.index + (start[1] ? 1 : 0));
  if (lead.trim()) warnings.push(`Ignored ${lead.trim().split('\n').length} unexpected line(s) before the first row.`);
  let trailingText = text;
  // println adds one newline after the last row.
  if (trailingText.endsWith('\n')) trailingText = trailingText.slice(0, -1);

  const rows: ContentRow[] = [];
  let n = 0;
  let bodyStart = start.index + (start[1] ? 1 : 0) + `Row: 0 `.length;
  for (;;) {
    const nextMarker = `\nRow: ${n + 1} ${first}=`;
    let searchFrom = bodyStart;
    let rowEnd = -1;
    // Take the first candidate where both this row and the candidate next row parse.
    for (;;) {
      const at = trailingText.indexOf(nextMarker, searchFrom);
      if (at < 0) break;
      const thisRow = parseRowBody(trailingText.slice(bodyStart, at), columns);
      const nextBodyStart = at + nextMarker.length - first.length - 1;
      const nextEnd = trailingText.indexOf(`\nRow: ${n + 2} ${first}=`, nextBodyStart);
      const nextRow = parseRowBody(trailingText.slice(nextBodyStart, nextEnd < 0 ? trailingText.length : nextEnd), columns);
      if (thisRow && nextRow) {
        rowEnd = at;
        break;
      }
      searchFrom = at + 1;
    }
    const body = trailingText.slice(bodyStart, rowEnd < 0 ? trailingText.length : rowEnd);
    const row = parseRowBody(body, columns);
    if (!row) {
      warnings.push(`Row ${n} did not match the expected columns and was skipped.`);
    } else rows.push(row);
    if (rowEnd < 0) break;
    n += 1;
    bodyStart = rowEnd + `\nRow: ${n} `.length;
  }
  return { status: 'ok', rows, warnings };
}

function noiseWarnings(text: string, expected: RegExp): string[] {
  const other = text.split('\n').filter((l) => l.trim() && !expected.test(l));
  return other.length ? [`Ignored ${other.length} unexpected line(s).`] : [];
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Builds the `content query` command for a projection (columns joined with ':'). */
export function contentQueryCommand(uri: string, columns: readonly string[], options: { where?: string; sort?: string } = {}): string {
  for (const c of columns) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(c)) throw new Error(`bad column name ${c}`);
  if (!/^content:\/\/[A-Za-z0-9._/-]+$/.test(uri)) throw new Error(`bad content uri ${uri}`);
  let cmd = `content query --uri ${uri} --projection ${columns.join(':')}`;
  if (options.where) cmd += ` --where "${options.where.replace(/["\\$`]/g, '\\$&')}"`;
  if (options.sort) cmd += ` --sort "${options.sort.replace(/["\\$`]/g, '\\$&')}"`;
  return cmd;
}

export function intOrNull(v: ContentValue | undefined): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}
