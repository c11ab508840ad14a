/**
 * IMEI from `service call iphonesubinfo ...`, whose answer is a hex dump of a Binder Parcel:
 *   Result: Parcel(
 *     0x00000000: 00000000 0000000f 00350033 ...  '........3.5.....')
 * Word 0 is the exception code (0 = none); then a String16: length in UTF-16 units (-1 = null), then
 * the units little-endian, two per word. Error parcels carry a message ("Requires READ_PHONE_STATE").
 */

export type ImeiResult =
  | { status: 'ok'; imei: string }
  | { status: 'refused'; reason: string }
  | { status: 'none'; reason: string }
  | { status: 'invalid'; reason: string; raw: string };

export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function isValidImei(value: string): boolean {
  return /^\d{15}$/.test(value) && !/^0+$/.test(value) && luhnValid(value);
}

/** The 32-bit words of a Parcel dump, in order (offset labels and the ASCII column dropped). */
export function parcelWordsFrom(text: string): number[] | null {
  const start = text.indexOf('Parcel(');
  if (start < 0) return null;
  const body = text.slice(start + 'Parcel('.length).replace(/'[^']*'/g, ' ').replace(/0x[0-9a-fA-F]+:/g, ' ');
  const words = body.match(/\b[0-9a-fA-F]{8}\b/g) ?? [];
  return words.map((w) => parseInt(w, 16) >>> 0);
}

function string16(words: number[], at: number): { value: string | null; next: number } | null {
  const lenWord = words[at];
  if (lenWord === undefined) return null;
  if (lenWord === 0xffffffff) return { value: null, next: at + 1 };
  if (lenWord > 4096) return null;
  const units: number[] = [];
  for (let i = 0; i < lenWord; i += 1) {
    const w = words[at + 1 + (i >> 1)];
    if (w === undefined) return null;
    units.push(i % 2 === 0 ? w & 0xffff : w >>> 16);
  }
  return { value: String.fromCharCode(...units), next: at + 1 + ((lenWord + 2) >> 1) };
}

export interface ParsedParcel {
  exception: number;
  string: string | null;
}

export function parseParcelString(text: string): ParsedParcel | null {
  const words = parcelWordsFrom(text);
  if (!words || words.length === 0) return null;
  const exception = words[0] ?? 0;
  if (exception !== 0) {
    // Exception parcels: code, then the message as a String16 (some builds put a header word first).
    const msg = string16(words, 1) ?? string16(words, 2);
    return { exception: exception | 0, string: msg?.value ?? null };
  }
  const s = string16(words, 1);
  return { exception: 0, string: s?.value ?? null };
}

export function parseServiceCallImei(text: string): ImeiResult {
  const trimmed = text.trim();
  if (/service: Service iphonesubinfo does not exist|Can't find service/i.test(trimmed)) return { status: 'none', reason: 'This phone has no phone-subscriber service (no cellular radio).' };
  const parcel = parseParcelString(trimmed);
  if (!parcel) return { status: 'invalid', reason: 'The phone did not return a Parcel.', raw: trimmed.slice(0, 300) };
  if (parcel.exception !== 0) {
    const reason = parcel.string ?? 'The phone refused to give the IMEI.';
    return { status: 'refused', reason };
  }
  if (parcel.string === null || parcel.string === '') return { status: 'none', reason: 'The phone returned no IMEI for this slot.' };
  // The string can be a message rather than an IMEI on some builds.
  if (/requires|permission|does not meet/i.test(parcel.string)) return { status: 'refused', reason: parcel.string };
  const digits = parcel.string.replace(/\D/g, '');
  if (isValidImei(digits)) return { status: 'ok', imei: digits };
  return { status: 'invalid', reason: `"${parcel.string.slice(0, 40)}" is not a valid IMEI (15 digits, Luhn check).`, raw: parcel.string.slice(0, 100) };
}

/** Android before 5.0: `dumpsys iphonesubinfo` prints "Device ID = 35...". */
export function parseDumpsysIphonesubinfo(text: string): ImeiResult {
  const m = /Device ID\s*=\s*(\S+)/.exec(text);
  if (!m?.[1]) return { status: 'none', reason: 'No Device ID in dumpsys iphonesubinfo.' };
  return isValidImei(m[1]) ? { status: 'ok', imei: m[1] } : { status: 'invalid', reason: `"${m[1]}" is not a valid IMEI.`, raw: m[1] };
}

/** Vendor props that hold the IMEI on some phones. */
export const IMEI_PROPS = ['ro.ril.miui.imei0', 'ro.ril.miui.imei1', 'ro.ril.oem.imei1', 'ro.ril.oem.imei2', 'persist.radio.imei1', 'persist.radio.imei', 'gsm.baseband.imei', 'ro.gsm.imei', 'gsm.imei', 'ril.imei'];

export function imeisFromProps(props: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  for (const k of IMEI_PROPS) {
    const v = (props[k] ?? '').trim();
    if (isValidImei(v) && !out.includes(v)) out.push(v);
  }
  return out;
}

export function maskImei(imei: string): string {
  return imei.length > 4 ? `${'•'.repeat(imei.length - 4)}${imei.slice(-4)}` : imei;
}
