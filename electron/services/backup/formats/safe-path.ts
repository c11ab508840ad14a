/**
 * Turns a relative path that came from outside (a file name in a backup, an MMS part name such as
 * `../../x`, an absolute path) into one that stays inside the restore target on every platform.
 */

export interface SafeRelativePath {
  /** Forward-slash path, never empty, never absolute, no '.' or '..' segments. */
  relPath: string;
  segments: string[];
  /** Set when the path had to be changed, saying why. */
  changed?: string;
}

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;
const MAX_SEGMENT_BYTES = 240;

function truncateSegment(segment: string): string {
  if (Buffer.byteLength(segment) <= MAX_SEGMENT_BYTES) return segment;
  const dot = segment.lastIndexOf('.');
  const ext = dot > 0 && segment.length - dot <= 16 ? segment.slice(dot) : '';
  let stem = segment.slice(0, segment.length - ext.length);
  while (Buffer.byteLength(stem + ext) > MAX_SEGMENT_BYTES) stem = Array.from(stem).slice(0, -1).join('');
  return stem + ext;
}

/**
 * `windowsRules` (default: on Windows) also replaces characters Windows forbids in names and
 * renames reserved device names, so a restore there never fails or writes to a device.
 */
export function sanitizeRelativePath(input: string, windowsRules = process.platform === 'win32'): SafeRelativePath {
  const reasons = new Set<string>();
  let p = input.replace(/\\/g, '/');
  if (/^[A-Za-z]:(\/|$)/.test(p)) {
    p = p.slice(2);
    reasons.add('it was an absolute path');
  }
  if (p.startsWith('/')) reasons.add('it was an absolute path');
  const segments: string[] = [];
  for (const raw of p.split('/')) {
    if (raw === '' || raw === '.') continue;
    if (raw === '..') {
      reasons.add('it pointed outside the folder ("..")');
      continue;
    }
    let segment = raw.replace(/\0/g, '_');
    if (windowsRules) {
      // eslint-disable-next-line no-control-regex -- control characters are exactly what Windows forbids in names
      segment = segment.replace(/[<>:"|?*\u0000-\u001f]/g, '_').replace(/[. ]+$/, '');
      if (segment === '') segment = '_';
      if (WINDOWS_RESERVED.test(segment)) segment = `_${segment}`;
    }
    segment = truncateSegment(segment);
    if (segment !== raw) reasons.add('its name has characters or a length this system does not allow');
    segments.push(segment);
  }
  if (segments.length === 0) {
    segments.push('unnamed');
    reasons.add('it had no usable name');
  }
  const relPath = segments.join('/');
  const result: SafeRelativePath = { relPath, segments };
  if (reasons.size > 0 || relPath !== input) {
    if (reasons.size === 0) reasons.add('it was not in normal form');
    result.changed = `"${input}" was restored as "${relPath}" because ${[...reasons].join(' and ')}`;
  }
  return result;
}
