/**
 * Restore after the repair, kind by kind, reporting honestly what happened on this phone:
 * photos and files are pushed back and checked by size; contacts go to the phone as a .vcf and the
 * Contacts app opens it (the customer taps Import); call log and SMS are written through the content
 * providers where the phone lets the shell write them, and counted afterwards; MMS cannot be written back.
 */
import { LifelineError } from '../../../contract/errors';
import type { ShopKind, ShopRestoreResult } from '../../../contract/shop';
import { vcardEntry } from '../backup/formats/vcard-writer';
import type { CallRecord, ContactRecord, SmsRecord } from '../backup/import/types';
import type { BackupStore } from '../backup/store';
import { shellQuote, type PhoneDevice } from '../phone/device';
import { contentQueryCommand, parseContentQuery } from '../phone/parsers/content-query';

export interface RestoreProgress {
  kind: ShopKind;
  items: number;
  bytes: number;
}

const refusedText = (out: string): string | null => {
  const m = /(Permission Denial[^\n]*|SecurityException[^\n]*|Error while accessing provider[^\n]*|Unknown URL[^\n]*)/.exec(out);
  return m?.[1] ?? null;
};

async function countRows(device: PhoneDevice, uri: string): Promise<number | null> {
  const r = parseContentQuery(await device.shell(contentQueryCommand(uri, ['_id']), { timeoutMs: 120_000 }), ['_id']);
  return r.status === 'ok' ? r.rows.length : null;
}

export async function restoreToPhone(
  store: BackupStore,
  snapshot: string,
  device: PhoneDevice,
  opts: { kinds: readonly ShopKind[]; ticketNumber: string; signal?: AbortSignal; onProgress?: (p: RestoreProgress) => void },
): Promise<ShopRestoreResult[]> {
  const want = new Set(opts.kinds);
  const contacts: ContactRecord[] = [];
  const sms: SmsRecord[] = [];
  const calls: CallRecord[] = [];
  let mms = 0;
  const media = { pushed: 0, failed: [] as string[], bytes: 0 };
  const check = (): void => {
    if (opts.signal?.aborted) throw new LifelineError('cancelled', 'The restore was stopped. Start it again to finish; files already on the phone are checked, not doubled.');
  };
  for await (const item of store.restoreItems(snapshot)) {
    check();
    if (item.type === 'record') {
      const r = item.record;
      if (r.kind === 'contact') contacts.push(r);
      else if (r.kind === 'sms') sms.push(r);
      else if (r.kind === 'call') calls.push(r);
      else if (r.kind === 'mms') mms += 1;
    } else if (item.type === 'media' && want.has('media')) {
      const target = `/sdcard/${item.media.path}`;
      const existing = await device.stat(target);
      if (existing && existing.size === item.media.size) {
        media.pushed += 1;
        continue;
      }
      await device.push(target, item.read(), { mode: 0o100660, mtime: Math.round(item.media.mtime / 1000) });
      const after = await device.stat(target);
      if (after?.size === item.media.size) media.pushed += 1;
      else media.failed.push(item.media.path);
      media.bytes += item.media.size;
      opts.onProgress?.({ kind: 'media', items: media.pushed, bytes: media.bytes });
    }
  }
  const results: ShopRestoreResult[] = [];

  if (want.has('media')) {
    results.push(
      media.failed.length === 0
        ? { kind: 'media', status: media.pushed ? 'done' : 'nothing', count: media.pushed, message: media.pushed ? `${media.pushed} photos and files are back on the phone.` : 'The backup holds no photos or files.' }
        : { kind: 'media', status: 'partial', count: media.pushed, message: `${media.pushed} files restored; ${media.failed.length} did not arrive complete: ${media.failed.slice(0, 5).join(', ')}.` },
    );
  }

  if (want.has('contacts')) {
    check();
    if (contacts.length === 0) results.push({ kind: 'contacts', status: 'nothing', count: 0, message: 'The backup holds no contacts.' });
    else {
      const file = `/sdcard/Download/lifeline-${opts.ticketNumber}-contacts.vcf`;
      await device.push(file, Buffer.from(contacts.map(vcardEntry).join(''), 'utf8'), { mode: 0o100660 });
      const out = await device.shell(`am start -a android.intent.action.VIEW -t text/x-vcard -d ${shellQuote(`file://${file}`)}`).catch(() => '');
      results.push({
        kind: 'contacts',
        status: 'needs_customer',
        count: contacts.length,
        message: `${contacts.length} contacts are on the phone in Download/${file.split('/').pop() ?? ''}. ${/Starting/.test(out) ? 'The phone shows an import prompt: tap Import.' : 'Open Contacts > Import and pick that file.'} Android only lets the Contacts app import them.`,
      });
    }
  }

  if (want.has('calls')) {
    check();
    if (calls.length === 0) results.push({ kind: 'calls', status: 'nothing', count: 0, message: 'The backup holds no call log.' });
    else {
      let written = 0;
      let refused: string | null = null;
      for (const c of calls) {
        check();
        const out = await device.shell(
          `content insert --uri content://call_log/calls --bind number:s:${shellQuote(c.number)} --bind date:l:${c.date} --bind duration:l:${c.duration} --bind type:i:${c.type} --bind new:i:0`,
        );
        refused = refusedText(out);
        if (refused) break;
        written += 1;
        if (written % 200 === 0) opts.onProgress?.({ kind: 'calls', items: written, bytes: 0 });
      }
      results.push(
        refused
          ? { kind: 'calls', status: written ? 'partial' : 'not_possible', count: written, message: `This phone does not let a computer write the call log (${refused}). The call log stays in the backup.` }
          : { kind: 'calls', status: 'done', count: written, message: `${written} calls written to the call log.` },
      );
    }
  }

  if (want.has('sms')) {
    check();
    if (sms.length === 0) results.push({ kind: 'sms', status: 'nothing', count: 0, message: 'The backup holds no text messages.' });
    else results.push(await restoreSms(device, sms, check, opts.onProgress));
  }

  if (want.has('mms')) {
    results.push(
      mms === 0
        ? { kind: 'mms', status: 'nothing', count: 0, message: 'The backup holds no picture messages.' }
        : { kind: 'mms', status: 'not_possible', count: 0, message: `${mms} picture messages cannot be written back over USB on Android; they stay readable in the backup (Backup panel).` },
    );
  }
  return results;
}

async function restoreSms(device: PhoneDevice, sms: SmsRecord[], check: () => void, onProgress?: (p: RestoreProgress) => void): Promise<ShopRestoreResult> {
  const before = await countRows(device, 'content://sms');
  if (before === null) return { kind: 'sms', status: 'not_possible', count: 0, message: 'This phone does not let a computer read its messages, so a restore cannot be checked; the messages stay in the backup.' };
  // Since Android 4.4 only the default SMS app may write; the shell can be let through with an app-op.
  const previous = /:\s*(\w+)/.exec(await device.shell('appops get com.android.shell WRITE_SMS'))?.[1] ?? 'default';
  await device.shell('appops set com.android.shell WRITE_SMS allow');
  let written = 0;
  try {
    for (const m of sms) {
      check();
      const box = m.type === 2 ? 'sent' : m.type === 3 ? 'draft' : 'inbox';
      const out = await device.shell(
        `content insert --uri content://sms/${box} --bind address:s:${shellQuote(m.address)} --bind body:s:${shellQuote(m.body)} --bind date:l:${m.date} --bind type:i:${m.type} --bind read:i:1`,
      );
      const refused = refusedText(out);
      if (refused) return { kind: 'sms', status: written ? 'partial' : 'not_possible', count: written, message: `The phone refused to write messages (${refused}).` };
      written += 1;
      if (written === 1) {
        // A refused write is silent (0 rows, exit 0): count after the first one before sending the rest.
        const now = await countRows(device, 'content://sms');
        if (now === null || now <= before) {
          return { kind: 'sms', status: 'not_possible', count: 0, message: 'This phone ignores message writes from a computer (only the default SMS app may write). The messages stay in the backup; an SMS backup app can import the XML export from the Backup panel.' };
        }
      }
      if (written % 200 === 0) onProgress?.({ kind: 'sms', items: written, bytes: 0 });
    }
  } finally {
    await device.shell(`appops set com.android.shell WRITE_SMS ${shellQuote(previous)}`).catch(() => undefined);
  }
  const after = await countRows(device, 'content://sms');
  const added = after === null ? written : after - before;
  return added >= sms.length
    ? { kind: 'sms', status: 'done', count: sms.length, message: `${sms.length} text messages written back.` }
    : { kind: 'sms', status: 'partial', count: Math.max(0, added), message: `${Math.max(0, added)} of ${sms.length} text messages arrived on the phone.` };
}
