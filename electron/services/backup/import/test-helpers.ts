import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ImportEvent, PhoneRecord, SkippedItem } from './types';

/** Test support: a temp folder removed after the test file, and event collection. */
export function tempDir(prefix = 'lifeline-import-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface Collected {
  records: PhoneRecord[];
  skipped: SkippedItem[];
  media: Extract<ImportEvent, { type: 'media' }>['media'][];
  progress: Extract<ImportEvent, { type: 'progress' }>[];
}

export async function collect(events: AsyncIterable<ImportEvent>): Promise<Collected> {
  const out: Collected = { records: [], skipped: [], media: [], progress: [] };
  for await (const event of events) {
    if (event.type === 'record') out.records.push(event.record);
    else if (event.type === 'skipped') out.skipped.push(event.skipped);
    else if (event.type === 'media') out.media.push(event.media);
    else if (event.type === 'progress') out.progress.push(event);
  }
  return out;
}
