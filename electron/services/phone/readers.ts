/**
 * Readers: run the commands on a phone and hand the output to the pure parsers. Each reader reports
 * per kind whether the phone allowed it: a refusal is `{status:'refused'}`, never an empty list.
 */
import { LifelineError } from '../../../contract/errors';
import { joinRemote, type PhoneDevice, type RemoteEntry, type RemotePath } from './device';
import { parseDumpsysAccount, type AccountsResult } from './parsers/accounts';
import { parseDumpsysBattery, type BatteryInfo } from './parsers/battery';
import { contentQueryCommand, parseContentQuery, type ContentRow } from './parsers/content-query';
import { collectFrpSignals, type FrpSignals } from './parsers/frp';
import { parseGetprop } from './parsers/getprop';
import { identityFromProps, type PhoneIdentity } from './parsers/identity';
import { imeisFromProps, parseDumpsysIphonesubinfo, parseServiceCallImei, type ImeiResult } from './parsers/imei';
import {
  CALL_COLUMNS, CONTACT_DATA_COLUMNS, MMS_COLUMNS, MMS_PART_COLUMNS, SMS_COLUMNS,
  callFromRow, contactsFromDataRows, mmsFromRows, smsFromRow,
  type CallEntry, type Contact, type MmsMessage, type SmsMessage,
} from './parsers/records';
import { evaluateReadiness, type ReadinessReport } from './parsers/readiness';
import { parseDiskstats, storageFromDf, type StorageInfo } from './parsers/storage';

export type KindResult<T> =
  | { status: 'ok'; items: T[]; warnings: string[] }
  | { status: 'refused'; reason: string }
  | { status: 'unavailable'; reason: string };

export interface IdentityReading {
  props: Record<string, string>;
  identity: PhoneIdentity;
}

export async function readProps(device: PhoneDevice): Promise<Record<string, string>> {
  return parseGetprop(await device.shell('getprop'));
}

async function setting(device: PhoneDevice, ns: 'global' | 'secure' | 'system', key: string): Promise<string | null> {
  const out = (await device.shell(`settings get ${ns} ${key}`)).trim().split('\n').pop()?.trim() ?? '';
  return out === '' || out === 'null' ? null : out;
}

export async function readIdentity(device: PhoneDevice, props?: Record<string, string>): Promise<IdentityReading> {
  const p = props ?? (await readProps(device));
  const deviceName = await setting(device, 'global', 'device_name').catch((e: unknown) => {
    if (e instanceof LifelineError && e.code === 'device_unreachable') throw e;
    return null;
  });
  return { props: p, identity: identityFromProps(p, { deviceName, adbSerial: device.serial }) };
}

export interface ImeiReading {
  /** Valid (Luhn-checked) IMEIs, one per slot found. */
  imeis: string[];
  /** What each attempt answered, for the evidence list. */
  attempts: { method: string; result: ImeiResult }[];
}

/** Tries `service call iphonesubinfo` per slot (code by Android version), then vendor props. */
export async function readImei(device: PhoneDevice, props: Record<string, string>): Promise<ImeiReading> {
  const sdk = Number(props['ro.build.version.sdk'] ?? '0');
  const attempts: ImeiReading['attempts'] = [];
  const imeis: string[] = [];
  const add = (method: string, result: ImeiResult): void => {
    attempts.push({ method, result });
    if (result.status === 'ok' && !imeis.includes(result.imei)) imeis.push(result.imei);
  };
  if (sdk > 0 && sdk < 21) {
    add('dumpsys iphonesubinfo', parseDumpsysIphonesubinfo(await device.shell('dumpsys iphonesubinfo')));
  } else if (sdk > 0 && sdk <= 34) {
    const perSlot = sdk >= 30 ? 4 : 3;
    for (const slot of [0, 1]) {
      const cmd = `service call iphonesubinfo ${perSlot} i32 ${slot} s16 com.android.shell`;
      add(cmd, parseServiceCallImei(await device.shell(cmd)));
    }
    if (imeis.length === 0) {
      const cmd = 'service call iphonesubinfo 1 s16 com.android.shell';
      add(cmd, parseServiceCallImei(await device.shell(cmd)));
    }
  } else {
    // Android 15+: transaction codes unknown; the primary call is still worth one try.
    const cmd = 'service call iphonesubinfo 1 s16 com.android.shell';
    add(cmd, parseServiceCallImei(await device.shell(cmd)));
  }
  for (const imei of imeisFromProps(props)) {
    if (!imeis.includes(imei)) add('getprop', { status: 'ok', imei });
  }
  return { imeis, attempts };
}

export async function readBattery(device: PhoneDevice): Promise<BatteryInfo | null> {
  return parseDumpsysBattery(await device.shell('dumpsys battery'));
}

export async function readStorage(device: PhoneDevice): Promise<StorageInfo | null> {
  const fromDiskstats = parseDiskstats(await device.shell('dumpsys diskstats'));
  if (fromDiskstats) return fromDiskstats;
  return storageFromDf(await device.shell('df -k /data'));
}

export async function readAccounts(device: PhoneDevice): Promise<AccountsResult | null> {
  return parseDumpsysAccount(await device.shell('dumpsys account'));
}

export async function readFrpSignals(device: PhoneDevice, props: Record<string, string>): Promise<FrpSignals> {
  const sdk = Number(props['ro.build.version.sdk'] ?? '0');
  const [userSetupComplete, deviceProvisioned, secureFrpModeGlobal, secureFrpModeSecure] = [
    await setting(device, 'secure', 'user_setup_complete'),
    await setting(device, 'global', 'device_provisioned'),
    await setting(device, 'global', 'secure_frp_mode'),
    await setting(device, 'secure', 'secure_frp_mode'),
  ];
  const persistentDataBlock = sdk >= 35 ? await device.shell('dumpsys persistent_data_block') : null;
  return collectFrpSignals({ props, settings: { userSetupComplete, deviceProvisioned, secureFrpModeGlobal, secureFrpModeSecure }, persistentDataBlock });
}

export interface LockReadiness {
  identity: PhoneIdentity;
  accounts: AccountsResult | null;
  frp: FrpSignals;
  report: ReadinessReport;
}

export async function readLockReadiness(device: PhoneDevice, lifeline?: Parameters<typeof evaluateReadiness>[0]['lifeline']): Promise<LockReadiness> {
  const { props, identity } = await readIdentity(device);
  const accounts = await readAccounts(device);
  const frp = await readFrpSignals(device, props);
  return { identity, accounts, frp, report: evaluateReadiness({ identity, accounts, frp, lifeline: lifeline ?? null }) };
}

async function query(device: PhoneDevice, uri: string, columns: readonly string[], timeoutMs: number): Promise<KindResult<ContentRow>> {
  const result = parseContentQuery(await device.shell(contentQueryCommand(uri, columns), { timeoutMs }), columns);
  if (result.status !== 'ok') return result;
  return { status: 'ok', items: result.rows, warnings: result.warnings };
}

function mapKind<A, B>(r: KindResult<A>, f: (a: A) => B | null): KindResult<B> {
  if (r.status !== 'ok') return r;
  const items: B[] = [];
  let skipped = 0;
  for (const a of r.items) {
    const b = f(a);
    if (b === null) skipped += 1;
    else items.push(b);
  }
  return { status: 'ok', items, warnings: skipped ? [...r.warnings, `${skipped} row(s) without an id were skipped.`] : r.warnings };
}

/** Big providers print megabytes; allow time proportional to what a large phone holds. */
const QUERY_TIMEOUT = 180_000;

export async function readSms(device: PhoneDevice): Promise<KindResult<SmsMessage>> {
  return mapKind(await query(device, 'content://sms', SMS_COLUMNS, QUERY_TIMEOUT), smsFromRow);
}

export async function readMms(device: PhoneDevice): Promise<KindResult<MmsMessage>> {
  const messages = await query(device, 'content://mms', MMS_COLUMNS, QUERY_TIMEOUT);
  if (messages.status !== 'ok') return messages;
  const parts = await query(device, 'content://mms/part', MMS_PART_COLUMNS, QUERY_TIMEOUT);
  if (parts.status !== 'ok') return parts;
  return { status: 'ok', items: mmsFromRows(messages.items, parts.items), warnings: [...messages.warnings, ...parts.warnings] };
}

export async function readCalls(device: PhoneDevice): Promise<KindResult<CallEntry>> {
  return mapKind(await query(device, 'content://call_log/calls', CALL_COLUMNS, QUERY_TIMEOUT), callFromRow);
}

export async function readContacts(device: PhoneDevice): Promise<KindResult<Contact>> {
  const rows = await query(device, 'content://com.android.contacts/data', CONTACT_DATA_COLUMNS, QUERY_TIMEOUT);
  if (rows.status !== 'ok') return rows;
  return { status: 'ok', items: contactsFromDataRows(rows.items), warnings: rows.warnings };
}

export interface MediaFile {
  /** Full path as bytes: use this to pull (names need not be valid UTF-8). */
  path: Buffer;
  /** Path relative to /sdcard, for display and for naming in the backup; invalid UTF-8 shown as U+FFFD. */
  relativePath: string;
  name: string;
  nameIsUtf8: boolean;
  size: number;
  mtime: number;
  kind: 'image' | 'video' | 'other';
}

export interface MediaListing {
  files: MediaFile[];
  /** Entries not listed: names no real file system allows (with "/", "..", NUL), or too deep. */
  skipped: { where: string; name: string; reason: string }[];
  /** Folders the phone did not let us list. */
  unreadable: { path: string; reason: string }[];
}

export const MEDIA_ROOTS = ['/sdcard/DCIM', '/sdcard/Pictures'];
const IMAGE = /\.(jpe?g|png|heic|heif|webp|gif|dng|bmp)$/i;
const VIDEO = /\.(mp4|3gp|mkv|mov|webm)$/i;

/** Names a phone could send that must never become a path on our side. */
export function unsafeEntryName(nameBytes: Uint8Array): string | null {
  const b = Buffer.from(nameBytes);
  if (b.length === 0) return 'empty name';
  if (b.includes(0x2f)) return 'contains "/"';
  if (b.includes(0)) return 'contains a NUL byte';
  const s = b.toString('latin1');
  if (s === '.' || s === '..') return 'is "." or ".."';
  return null;
}

/** Lists photos and videos under DCIM and Pictures through sync, depth-first, with safe names. */
export async function listMedia(device: PhoneDevice, roots: readonly string[] = MEDIA_ROOTS, maxDepth = 8): Promise<MediaListing> {
  const listing: MediaListing = { files: [], skipped: [], unreadable: [] };
  const walk = async (dir: RemotePath, rel: string, depth: number): Promise<void> => {
    let entries: RemoteEntry[];
    try {
      entries = await device.listDir(dir);
    } catch (e) {
      if (e instanceof LifelineError && e.code !== 'device_unreachable') {
        listing.unreadable.push({ path: rel, reason: e.message });
        return;
      }
      throw e;
    }
    for (const entry of entries) {
      const unsafe = unsafeEntryName(entry.nameBytes);
      if (unsafe) {
        listing.skipped.push({ where: rel, name: JSON.stringify(entry.name), reason: unsafe });
        continue;
      }
      const childRel = `${rel}/${entry.name}`;
      const childPath = joinRemote(dir, entry.nameBytes);
      if (entry.isDirectory) {
        if (depth >= maxDepth) listing.skipped.push({ where: rel, name: entry.name, reason: 'folder too deep' });
        else await walk(childPath, childRel, depth + 1);
      } else if (entry.isFile) {
        listing.files.push({ path: childPath, relativePath: childRel.replace(/^\/sdcard\//, ''), name: entry.name, nameIsUtf8: entry.nameIsUtf8, size: entry.size, mtime: entry.mtime, kind: IMAGE.test(entry.name) ? 'image' : VIDEO.test(entry.name) ? 'video' : 'other' });
      }
    }
  };
  for (const root of roots) {
    const st = await device.stat(root);
    if (!st) continue;
    await walk(root, root, 0);
  }
  return listing;
}
