import PDFDocument from 'pdfkit';
import type { BackupReceipt } from './backup-run';

const KIND_LABELS: Record<string, string> = {
  contact: 'Contacts',
  sms: 'Text messages (SMS)',
  mms: 'Picture messages (MMS)',
  call: 'Calls',
  note: 'Notes',
  media: 'Photos, videos and files',
};

function megabytes(n: number): string {
  return n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * The receipt as a one-page A4 PDF a shop can print and hand over: who, what, when, the counts per kind and
 * the digest that ties the paper to the snapshot. Built-in PDF fonts only, so nothing is read from the system.
 */
export function receiptPdf(receipt: BackupReceipt, opts: { title?: string } = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `Backup receipt ${receipt.snapshot.slice(0, 12)}`, Producer: 'Lifeline' } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);

    doc.font('Helvetica-Bold').fontSize(20).text(opts.title ?? 'Backup receipt');
    doc.moveDown(0.5);
    doc.font('Helvetica').fontSize(11);
    const line = (label: string, value: string): void => {
      doc.font('Helvetica-Bold').text(`${label}: `, { continued: true }).font('Helvetica').text(value);
    };
    line('Device', receipt.device);
    line('Backed up on', `${receipt.hostname}, ${receipt.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}`);
    line('Finished', receipt.committedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'));
    line('Snapshot', receipt.snapshot);
    line('Store', receipt.storeId);
    doc.moveDown();

    doc.font('Helvetica-Bold').fontSize(13).text('What was saved');
    doc.moveDown(0.3);
    const x = doc.page.margins.left;
    const cols = [x, x + 220, x + 300, x + 380];
    const header = (): void => {
      const y = doc.y;
      doc.font('Helvetica-Bold').fontSize(10);
      doc.text('Kind', cols[0], y).text('Items', cols[1], y).text('New', cols[2], y).text('Size', cols[3], y);
      doc.moveDown(0.2);
    };
    header();
    doc.font('Helvetica').fontSize(10);
    for (const [kind, s] of Object.entries(receipt.kinds).sort()) {
      const y = doc.y;
      doc.text(KIND_LABELS[kind] ?? kind, cols[0], y).text(String(s.items), cols[1], y).text(String(s.newItems), cols[2], y).text(megabytes(s.bytes), cols[3], y);
    }
    const y = doc.y + 4;
    doc.font('Helvetica-Bold').text('Total', cols[0], y).text(String(receipt.totals.items), cols[1], y).text(String(receipt.totals.newItems), cols[2], y).text(megabytes(receipt.totals.bytes), cols[3], y);
    doc.x = x;
    doc.moveDown();
    doc.font('Helvetica').fontSize(10);
    doc.text(`Stored in the backup (after deduplication and compression): ${megabytes(receipt.totals.storedBytes)}. Duplicates found: ${receipt.duplicates}.`);
    if (receipt.skipped.count > 0) {
      doc.moveDown(0.5);
      doc.font('Helvetica-Bold').text(`Skipped: ${receipt.skipped.count}`);
      doc.font('Helvetica');
      for (const s of receipt.skipped.items.slice(0, 15)) doc.text(`- ${s.file}${s.line !== undefined ? ` line ${s.line}` : ''}: ${s.reason}`);
      if (receipt.skipped.items.length > 15) doc.text(`... and ${receipt.skipped.count - 15} more (see the JSON receipt).`);
    }
    doc.moveDown();
    doc.font('Helvetica-Bold').fontSize(11).text('Digest (SHA-256)');
    doc.font('Courier').fontSize(9).text(receipt.digest.value);
    doc.font('Helvetica').fontSize(8).fillColor('#555').text(`Computed over ${receipt.digest.over}.`);
    doc.moveDown(2);
    doc.fillColor('#000').fontSize(10).text('Received by (signature): ______________________________      Date: ______________');
    doc.end();
  });
}
