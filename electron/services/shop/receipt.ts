/**
 * The intake receipt a shop hands the customer: who, which phone, what was on it against what is in
 * the backup per kind (with every difference explained), the snapshot id and its digest. JSON for
 * machines, PDF for the counter printer; both are written next to each other in the data dir.
 */
import PDFDocument from 'pdfkit';
import type { ShopKindCount } from '../../../contract/shop';
import type { BackupReceipt } from '../backup/backup-run';

export interface IntakeReceipt {
  format: 'lifeline-shop-intake-receipt';
  version: 1;
  ticket: { number: string; customerName: string; contact: string; device: string; problem: string; consentBackup: boolean; consentRetention: boolean };
  phone: { brand: string | null; model: string | null; serial: string | null; android: string | null; imeis: string[] };
  operator: string;
  createdAt: string;
  verified: boolean;
  deleteAfter: string | null;
  counts: ShopKindCount[];
  backup: Pick<BackupReceipt, 'storeId' | 'snapshot' | 'device' | 'committedAt' | 'digest'> & { totalItems: number; totalBytes: number; storedBytes: number };
}

const KIND_LABEL: Record<string, string> = { contacts: 'Contacts', sms: 'Text messages (SMS)', mms: 'Picture messages (MMS)', calls: 'Call log', media: 'Photos and videos' };

function countText(c: ShopKindCount, which: 'onPhone' | 'inBackup'): string {
  if (c.status === 'refused') return 'not allowed';
  if (c.status === 'unavailable') return 'not available';
  return String(c[which] ?? '-');
}

/** Renders the PDF; resolves with its bytes. Helvetica only, so nothing depends on installed fonts. */
export function receiptPdf(r: IntakeReceipt): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `Lifeline intake receipt ${r.ticket.number}`, Author: 'Lifeline' } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    // The standard fonts only cover Latin-1; anything else prints as "?" rather than breaking the file.
    const t = (s: string): string => s.replace(/[^\x20-\x7e\xa0-\xff\n]/g, '?');
    doc.font('Helvetica-Bold').fontSize(18).text(t(`Intake receipt ${r.ticket.number}`));
    doc.font('Helvetica').fontSize(10).fillColor('#444').text(t(`Created ${r.createdAt} by ${r.operator}`)).fillColor('black').moveDown();
    doc.font('Helvetica-Bold').fontSize(12).text('Customer');
    doc.font('Helvetica').fontSize(10).text(t(`${r.ticket.customerName} - ${r.ticket.contact}`)).text(t(`Device: ${r.ticket.device}`)).text(t(`Problem: ${r.ticket.problem}`));
    doc.text(`Consent to backup: ${r.ticket.consentBackup ? 'yes' : 'no'}; to keeping it until deletion: ${r.ticket.consentRetention ? 'yes' : 'no'}`).moveDown();
    doc.font('Helvetica-Bold').fontSize(12).text('Phone');
    doc.font('Helvetica').fontSize(10).text(t(`${r.phone.brand ?? ''} ${r.phone.model ?? ''}`.trim() || 'unknown')).text(t(`Serial: ${r.phone.serial ?? 'unknown'}  Android: ${r.phone.android ?? 'unknown'}`));
    if (r.phone.imeis.length) doc.text(t(`IMEI: ${r.phone.imeis.join(', ')}`));
    doc.moveDown();
    doc.font('Helvetica-Bold').fontSize(12).text(r.verified ? 'Backup: verified (read back)' : 'Backup: NOT complete, see notes');
    doc.moveDown(0.5);
    const x = doc.x;
    const cols = [x, x + 170, x + 260, x + 350];
    let y = doc.y;
    doc.font('Helvetica-Bold').fontSize(10);
    ['Kind', 'On the phone', 'In the backup', 'Notes'].forEach((h, i) => doc.text(h, cols[i] ?? x, y, { width: i === 3 ? 145 : 90 }));
    doc.font('Helvetica');
    y = doc.y + 4;
    for (const c of r.counts) {
      doc.text(KIND_LABEL[c.kind] ?? c.kind, cols[0] ?? x, y, { width: 165 });
      doc.text(countText(c, 'onPhone'), cols[1] ?? x, y, { width: 90 });
      doc.text(countText(c, 'inBackup'), cols[2] ?? x, y, { width: 90 });
      doc.text(t(c.note ?? ''), cols[3] ?? x, y, { width: 145 });
      y = Math.max(doc.y, y + 14) + 4;
    }
    doc.x = x;
    doc.y = y + 8;
    doc.font('Helvetica').fontSize(9).fillColor('#444');
    doc.text(t(`Snapshot ${r.backup.snapshot} in store ${r.backup.storeId}, committed ${r.backup.committedAt}.`));
    doc.text(`Digest (sha256): ${r.backup.digest.value}`);
    doc.text(r.deleteAfter ? `The backup will be deleted after ${r.deleteAfter}, or earlier on request.` : 'The backup is kept until the customer asks to delete it.');
    doc.text('Lifeline never asks for the customer\'s passwords.');
    doc.end();
  });
}
