/** Free and total space of the user data partition. */
export interface StorageInfo {
  totalBytes: number;
  freeBytes: number;
  source: 'diskstats' | 'df';
}

/** `dumpsys diskstats`: "Data-Free: 51234564K / 113456780K total = 45% free". */
export function parseDiskstats(text: string): StorageInfo | null {
  const m = /Data-Free:\s*(\d+)K\s*\/\s*(\d+)K total/.exec(text);
  if (!m) return null;
  return { freeBytes: Number(m[1]) * 1024, totalBytes: Number(m[2]) * 1024, source: 'diskstats' };
}

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

function size(value: string, blockBytes: number): number | null {
  const m = /^(\d+(?:\.\d+)?)([KMGT]?)$/i.exec(value);
  if (!m) return null;
  const unit = (m[2] ?? '').toUpperCase();
  // A bare number is in blocks (1K for `df -k` and toybox's default); with a suffix it is human-readable.
  return Math.round(Number(m[1]) * (unit ? (UNITS[unit] ?? 1) : blockBytes));
}

export interface DfRow {
  filesystem: string;
  totalBytes: number;
  usedBytes: number;
  availableBytes: number;
  mountedOn: string;
}

/** `df -k PATH` or `df -h PATH` as toybox prints it; rows that do not fit the shape are skipped. */
export function parseDf(text: string): DfRow[] {
  const rows: DfRow[] = [];
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const header = lines.find((l) => /^Filesystem\s/.test(l)) ?? '';
  const block = /512-blocks/.test(header) ? 512 : 1024;
  for (const line of lines) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 6 || parts[0] === 'Filesystem') continue;
    const [filesystem = '', total = '', used = '', avail = ''] = parts;
    const mountedOn = parts.slice(5).join(' ');
    const t = size(total, block);
    const u = size(used, block);
    const a = size(avail, block);
    if (t === null || u === null || a === null) continue;
    rows.push({ filesystem, totalBytes: t, usedBytes: u, availableBytes: a, mountedOn });
  }
  return rows;
}

export function storageFromDf(text: string): StorageInfo | null {
  const rows = parseDf(text);
  const row = rows.find((r) => r.mountedOn === '/data') ?? rows[0];
  return row ? { totalBytes: row.totalBytes, freeBytes: row.availableBytes, source: 'df' } : null;
}
