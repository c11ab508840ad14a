import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { shaManifest } from './measure';

/** The record exports Lifeline writes anew on restore (attribute order and header padding differ from the source). */
export const RECORD_EXPORTS = ['sms.xml', 'calls.xml', 'contacts.vcf'] as const;

export interface RestoreCheck {
  ok: boolean;
  files: number;
  /** Files whose SHA-256 matches the source. */
  identical: number;
  /** Record exports that differ byte-wise but hold the same records (same attributes, any order). */
  sameRecords: string[];
  missing: string[];
  different: string[];
  extra: string[];
}

/**
 * Compares a restored tree with the source's SHA-256 list. With `recordLevel`, the record exports may
 * differ in bytes as long as they hold the same multiset of records (attributes compared as sets, cards
 * as text): Lifeline stores records, not the export files, and writes them back in canonical form.
 */
export async function checkRestore(source: Map<string, string>, restoredRoot: string, sourceRoot: string, recordLevel: boolean): Promise<RestoreCheck> {
  const restored = await shaManifest(restoredRoot);
  const result: RestoreCheck = { ok: true, files: source.size, identical: 0, sameRecords: [], missing: [], different: [], extra: [] };
  for (const [rel, sha] of source) {
    const got = restored.get(rel);
    if (got === undefined) result.missing.push(rel);
    else if (got === sha) result.identical++;
    else if (recordLevel && (RECORD_EXPORTS as readonly string[]).includes(rel) && recordDigest(path.join(sourceRoot, rel)) === recordDigest(path.join(restoredRoot, rel))) {
      result.sameRecords.push(rel);
    } else result.different.push(rel);
  }
  for (const rel of restored.keys()) if (!source.has(rel)) result.extra.push(rel);
  result.ok = result.missing.length === 0 && result.different.length === 0 && result.extra.length === 0;
  return result;
}

/** Order-independent digest of the records in an SMS/calls XML export or a vCard file. */
export function recordDigest(file: string): string {
  const text = fs.readFileSync(file, 'utf8');
  const records = file.endsWith('.vcf') ? vcards(text) : xmlRecords(text);
  records.sort();
  const h = crypto.createHash('sha256');
  for (const r of records) h.update(`${r}\n`);
  return `${records.length}:${h.digest('hex')}`;
}

function vcards(text: string): string[] {
  return text
    .split(/(?<=END:VCARD)\r?\n/)
    .map((c) => c.trim())
    .filter((c) => c !== '');
}

/** Each top-level element (<sms/>, <call/>, <mms>...</mms>) with every tag's attributes sorted. */
function xmlRecords(text: string): string[] {
  const out: string[] = [];
  const re = /<(sms|call)\s[^>]*\/>|<mms\s[\s\S]*?<\/mms>/g;
  for (const m of text.matchAll(re)) out.push(m[0].replace(/<([a-z_]+)((?:\s+[a-z_]+="[^"]*")*)\s*(\/?)>/g, normTag));
  return out;
}

function normTag(_all: string, name: string, attrs: string, slash: string): string {
  const list = [...attrs.matchAll(/([a-z_]+)="([^"]*)"/g)].map((a) => `${a[1]}="${a[2]}"`).sort();
  return `<${name} ${list.join(' ')}${slash}>`;
}
