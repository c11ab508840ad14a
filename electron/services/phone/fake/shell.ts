/**
 * The fake phone's shell: answers the commands Lifeline sends, formatted as real devices print them
 * (AOSP `content`, `dumpsys`, `service call`, toybox `df`/`ls`). Unknown commands fail as mksh does.
 */
import { makeCalls, makeContacts, makeMms, makeSms, type FakeCall, type FakeContact, type FakeMms, type FakeSms } from './data';
import type { FakeFileSystem } from './files';
import type { PhoneProfile } from './profiles';

export function tokenize(command: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < command.length; i += 1) {
    const c = command[i] ?? '';
    if (quote === "'") {
      if (c === "'") quote = null;
      else cur += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < command.length && '"\\$`'.includes(command[i + 1] ?? '')) cur += command[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      has = true;
    } else if (c === '\\' && i + 1 < command.length) {
      cur += command[++i];
      has = true;
    } else if (c === ' ' || c === '\t' || c === '\n') {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has || cur) out.push(cur);
  return out;
}

/** Splits `a; b && c` at unquoted separators. */
function splitSequence(command: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quote: string | null = null;
  for (let i = 0; i < command.length; i += 1) {
    const c = command[i] ?? '';
    if (quote) {
      if (c === quote) quote = null;
      cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      cur += c;
    } else if (c === ';') {
      parts.push(cur);
      cur = '';
    } else if (c === '&' && command[i + 1] === '&') {
      parts.push(cur);
      cur = '';
      i += 1;
    } else cur += c;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter(Boolean);
}

type Row = Record<string, string | number | null>;

const SMS_TABLE_COLUMNS = ['_id', 'thread_id', 'address', 'person', 'date', 'date_sent', 'protocol', 'read', 'status', 'type', 'reply_path_present', 'subject', 'body', 'service_center', 'locked', 'sub_id', 'error_code', 'creator', 'seen'];

interface Table {
  provider: string;
  providerClass: string;
  permission: string;
  refused: boolean;
  columns: string[];
  rows: () => Row[];
}

export class FakeShell {
  private cache = new Map<string, unknown>();
  /** Rows written with `content insert` (restore), per table path. */
  readonly inserted = new Map<string, Row[]>();
  /** `appops` modes set through the shell, e.g. "com.android.shell WRITE_SMS" -> "allow". */
  readonly appops = new Map<string, string>();

  constructor(
    private readonly profile: PhoneProfile,
    private readonly fs: FakeFileSystem,
  ) {}

  private memo<T>(name: string, make: () => T): T {
    if (!this.cache.has(name)) this.cache.set(name, make());
    return this.cache.get(name) as T;
  }

  contacts(): FakeContact[] {
    return this.memo('contacts', () => makeContacts(this.profile.sizes.contacts, this.profile.seed));
  }
  sms(): FakeSms[] {
    return this.memo('sms', () => makeSms(this.profile.sizes.sms, this.profile.seed));
  }
  mms(): FakeMms[] {
    return this.memo('mms', () => makeMms(this.profile.sizes.mms, this.profile.seed));
  }
  calls(): FakeCall[] {
    return this.memo('calls', () => makeCalls(this.profile.sizes.calls, this.profile.seed));
  }

  /** Runs a command line; returns what the process prints (stdout and stderr mixed, as `exec:` gives). */
  run(commandLine: string): string {
    let out = '';
    let lastExit = 0;
    for (const part of splitSequence(commandLine)) {
      const args = tokenize(part)
        .filter((a) => !/^\d?>/.test(a) && a !== '2>&1')
        .map((a) => a.replace(/\$\?/g, String(lastExit)));
      const text = this.runOne(args);
      lastExit = /: inaccessible or not found\n$/.test(text) ? 127 : /^(Error while accessing provider|usage:)/.test(text) ? 1 : 0;
      out += text;
    }
    return this.profile.ptyNewlines ? out.replace(/\n/g, '\r\n') : out;
  }

  private runOne(args: string[]): string {
    const [cmd, ...rest] = args;
    switch (cmd) {
      case undefined:
        return '';
      case 'echo':
        return `${rest.join(' ')}\n`;
      case 'true':
        return '';
      case 'id':
        return 'uid=2000(shell) gid=2000(shell) groups=2000(shell),1004(input),1007(log),1011(adb),1015(sdcard_rw),1028(sdcard_r),3001(net_bt_admin),3002(net_bt),3003(inet),3006(net_bw_stats) context=u:r:shell:s0\n';
      case 'getprop':
        return this.getprop(rest);
      case 'settings':
        return this.settings(rest);
      case 'dumpsys':
        return this.dumpsys(rest);
      case 'service':
        return this.serviceCall(rest);
      case 'appops':
        return this.appopsCommand(rest);
      case 'am':
        return rest[0] === 'start' ? `Starting: Intent { act=${rest[rest.indexOf('-a') + 1] ?? ''} }\n` : 'usage: am [subcommand]\n';
      case 'content':
        return this.content(rest);
      case 'df':
        return this.df(rest);
      case 'cat':
        return rest.map((p) => (p.startsWith('/sys/class/power_supply') ? `cat: ${p}: Permission denied\n` : `cat: ${p}: No such file or directory\n`)).join('');
      case 'mkdir':
        for (const p of rest.filter((a) => !a.startsWith('-'))) this.fs.mkdirs(Buffer.from(p), Math.floor(Date.now() / 1000));
        return '';
      default:
        return `/system/bin/sh: ${cmd}: inaccessible or not found\n`;
    }
  }

  private getprop(rest: string[]): string {
    const props = this.profile.props;
    if (rest.length > 0) return `${props[rest[0] ?? ''] ?? rest[1] ?? ''}\n`;
    return Object.keys(props)
      .sort()
      .map((k) => `[${k}]: [${props[k]}]\n`)
      .join('');
  }

  private settings(rest: string[]): string {
    const [verb, ns, name] = rest;
    if (verb !== 'get' || !ns || !name) return 'usage: settings [--user <USER_ID> | current] get namespace key\n';
    const table = ns === 'global' ? this.profile.settings.global : ns === 'secure' ? this.profile.settings.secure : ns === 'system' ? this.profile.settings.system : undefined;
    if (!table) return `Invalid namespace '${ns}'\n`;
    return `${table[name] ?? 'null'}\n`;
  }

  private dumpsys(rest: string[]): string {
    const p = this.profile;
    switch (rest[0]) {
      case 'battery': {
        const b = p.battery;
        const lines = [
          'Current Battery Service state:',
          `  AC powered: false`,
          `  USB powered: ${b.usb}`,
          `  Wireless powered: false`,
          `  Max charging current: 500000`,
          `  Max charging voltage: 5000000`,
          `  Charge counter: ${b.chargeCounter}`,
          `  status: ${b.status}`,
          `  health: ${b.health}`,
          `  present: true`,
          `  level: ${b.level}`,
          `  scale: 100`,
          `  voltage: ${b.voltage}`,
          `  temperature: ${b.temperature}`,
          `  technology: ${b.technology}`,
          ...Object.entries(b.extra ?? {}).map(([k, v]) => `  ${k}: ${v}`),
        ];
        return `${lines.join('\n')}\n`;
      }
      case 'diskstats': {
        const s = p.storage;
        const pct = Math.round((s.dataFreeK / s.dataTotalK) * 100);
        return [
          'Latency: 1ms [512B Data Write]',
          'Recent Disk Write Speed (kB/s) = 48293',
          `Data-Free: ${s.dataFreeK}K / ${s.dataTotalK}K total = ${pct}% free`,
          'Cache-Free: 0K / 0K total = 0% free',
          'System-Free: 0K / 6258612K total = 0% free',
          'File-based Encryption: true',
          'App Size: 10736418816',
          'Photos Size: 2198372352',
          '',
        ].join('\n');
      }
      case 'account':
        return this.dumpAccounts();
      case 'persistent_data_block': {
        if (!p.pdb) return "Can't find service: persistent_data_block\n";
        return [
          'FRP state',
          '=========',
          `FRP state: ${p.pdb.frpActive}`,
          `Has FRP credential handle: ${p.pdb.credentialHandle}`,
          'Data block size: 522252',
          '',
        ].join('\n');
      }
      case 'iphonesubinfo':
        return `Phone Subscriber Info:\n  Phone Type = GSM\n  Device ID = ${p.imeis[0] ?? ''}\n`;
      default:
        return `Can't find service: ${rest[0] ?? ''}\n`;
    }
  }

  private dumpAccounts(): string {
    const p = this.profile;
    const out: string[] = [];
    for (const user of p.users) {
      out.push(`User UserInfo{${user.id}:${user.name}:${user.flags}}:`);
      out.push(`  Accounts: ${user.accounts.length}`);
      for (const a of user.accounts) out.push(`    Account {name=${a.name}, type=${a.type}}`);
      out.push('');
      out.push('  AccountId, Action_type, ChangeTime, UID, table_name');
      user.accounts.forEach((a, i) => out.push(`  ${i + 1},action_account_add,2024-11-02 10:1${i}:00,1000,accounts`));
      out.push('');
      out.push('  Active Sessions: 0');
      out.push('');
      out.push(`  RegisteredServicesCache: ${p.authenticators.length} services`);
      for (const t of p.authenticators) out.push(`    ServiceInfo: AuthenticatorDescription {type=${t}}, ComponentInfo{${t}/.auth.Authenticator}, uid 10${String(100 + t.length).padStart(3, '0')}`);
      out.push('');
      out.push('  Account visibility:');
      for (const a of user.accounts) out.push(`    Account {name=${a.name}, type=${a.type}}`);
      out.push('');
    }
    return `${out.join('\n')}\n`;
  }

  private serviceCall(rest: string[]): string {
    if (rest[0] !== 'call' || rest[1] !== 'iphonesubinfo') return 'service: Unknown command\n';
    const code = Number(rest[2]);
    const sdk = Number(this.profile.props['ro.build.version.sdk'] ?? '0');
    let slot = 0;
    if (code !== 1) {
      const perSlotCode = sdk >= 30 ? 4 : 3;
      if (code !== perSlotCode || rest[3] !== 'i32') return parcelDump(parcelWords({ exception: 0, string: null }));
      slot = Number(rest[4]);
    }
    if (this.profile.imeiCall === 'security-exception') {
      return parcelDump(parcelWords({ exception: -1, string: 'Requires READ_PHONE_STATE: Neither user 2000 nor current process has android.permission.READ_PHONE_STATE.' }));
    }
    const imei = this.profile.imeis[slot];
    return parcelDump(parcelWords({ exception: 0, string: imei ?? null }));
  }

  private tables(): Record<string, Table> {
    const p = this.profile;
    const smsRows = (): Row[] =>
      this.sms().map((m) => ({ _id: m.id, thread_id: m.threadId, address: m.address, person: null, date: m.date, date_sent: m.dateSent, protocol: m.type === 1 ? 0 : null, read: m.read, status: -1, type: m.type, reply_path_present: null, subject: null, body: m.body, service_center: null, locked: 0, sub_id: 1, error_code: 0, creator: 'com.google.android.apps.messaging', seen: 1 }));
    const dataRows = (): Row[] => {
      const rows: Row[] = [];
      let id = 1;
      for (const c of this.contacts()) {
        rows.push({ _id: id++, raw_contact_id: c.rawContactId, contact_id: c.rawContactId, mimetype: 'vnd.android.cursor.item/name', is_primary: 0, data1: c.displayName, data2: c.given, data3: c.family });
        for (const ph of c.phones) rows.push({ _id: id++, raw_contact_id: c.rawContactId, contact_id: c.rawContactId, mimetype: 'vnd.android.cursor.item/phone_v2', is_primary: 0, data1: ph.number, data2: ph.type, data3: null });
        for (const e of c.emails) rows.push({ _id: id++, raw_contact_id: c.rawContactId, contact_id: c.rawContactId, mimetype: 'vnd.android.cursor.item/email_v2', is_primary: 0, data1: e, data2: 1, data3: null });
      }
      return rows;
    };
    return {
      sms: { provider: 'sms', providerClass: 'com.android.providers.telephony.SmsProvider', permission: 'android.permission.READ_SMS or android.permission.WRITE_SMS', refused: !!p.refuses.sms, columns: SMS_TABLE_COLUMNS, rows: smsRows },
      mms: {
        provider: 'mms',
        providerClass: 'com.android.providers.telephony.MmsProvider',
        permission: 'android.permission.READ_SMS or android.permission.WRITE_SMS',
        refused: !!p.refuses.mms,
        columns: ['_id', 'thread_id', 'date', 'date_sent', 'msg_box', 'read', 'sub', 'sub_cs', 'ct_t', 'm_type', 'm_size', 'seen'],
        rows: () => this.mms().map((m) => ({ _id: m.id, thread_id: m.threadId, date: m.date, date_sent: 0, msg_box: m.msgBox, read: 1, sub: m.subject, sub_cs: m.subject ? 106 : null, ct_t: 'application/vnd.wap.multipart.related', m_type: m.msgBox === 1 ? 132 : 128, m_size: m.parts.reduce((s, x) => s + x.size, 0), seen: 1 })),
      },
      'mms/part': {
        provider: 'mms',
        providerClass: 'com.android.providers.telephony.MmsProvider',
        permission: 'android.permission.READ_SMS or android.permission.WRITE_SMS',
        refused: !!p.refuses.mms,
        columns: ['_id', 'mid', 'seq', 'ct', 'name', 'chset', 'cl', '_data', 'text'],
        rows: () => this.mms().flatMap((m) => m.parts.map((x, i) => ({ _id: x.id, mid: m.id, seq: i === 0 ? -1 : i - 1, ct: x.ct, name: x.name, chset: x.text !== null ? 106 : null, cl: x.name, _data: x.text === null ? `/data/user_de/0/com.android.providers.telephony/app_parts/PART_${x.id}` : null, text: x.text }))),
      },
      'call_log/calls': {
        provider: 'call_log',
        providerClass: 'com.android.providers.contacts.CallLogProvider',
        permission: 'android.permission.READ_CALL_LOG or android.permission.WRITE_CALL_LOG',
        refused: !!p.refuses.calls,
        columns: ['_id', 'number', 'presentation', 'date', 'duration', 'type', 'new', 'name', 'numbertype', 'countryiso', 'is_read'],
        rows: () => this.calls().map((c) => ({ _id: c.id, number: c.number, presentation: c.number === '' ? 2 : 1, date: c.date, duration: c.duration, type: c.type, new: 0, name: c.name, numbertype: c.name ? 2 : null, countryiso: 'ID', is_read: 1 })),
      },
      'com.android.contacts/data': {
        provider: 'com.android.contacts',
        providerClass: 'com.android.providers.contacts.ContactsProvider2',
        permission: 'android.permission.READ_CONTACTS',
        refused: !!p.refuses.contacts,
        columns: ['_id', 'raw_contact_id', 'contact_id', 'mimetype', 'is_primary', 'data1', 'data2', 'data3'],
        rows: dataRows,
      },
      'com.android.contacts/raw_contacts': {
        provider: 'com.android.contacts',
        providerClass: 'com.android.providers.contacts.ContactsProvider2',
        permission: 'android.permission.READ_CONTACTS',
        refused: !!p.refuses.contacts,
        columns: ['_id', 'contact_id', 'account_type', 'account_name', 'deleted', 'display_name'],
        rows: () => this.contacts().map((c) => ({ _id: c.rawContactId, contact_id: c.rawContactId, account_type: c.accountType, account_name: c.accountType ? 'owner@gmail.com' : null, deleted: 0, display_name: c.displayName })),
      },
    };
  }

  private appopsCommand(rest: string[]): string {
    const [verb, pkg, op, mode] = rest;
    const k = `${pkg ?? ''} ${op ?? ''}`;
    if (verb === 'get') return `${op ?? ''}: ${this.appops.get(k) ?? 'default'}\n`;
    if (verb === 'set' && mode) {
      this.appops.set(k, mode);
      return '';
    }
    return 'usage: appops [get|set] ...\n';
  }

  /** `content insert --uri U --bind col:type:value ...`: prints nothing, as the real tool does. */
  private contentInsert(rest: string[]): string {
    const uri = rest[rest.indexOf('--uri') + 1] ?? '';
    let path = /^content:\/\/(.+?)\/?$/.exec(uri)?.[1] ?? '';
    if (path.startsWith('sms/')) path = 'sms';
    const table = this.tables()[path];
    if (!table) return `Error while accessing provider:${path}\njava.lang.IllegalArgumentException: Unknown URL ${uri}\n`;
    if (table.refused) {
      return `Error while accessing provider:${table.provider}\njava.lang.SecurityException: Permission Denial: writing ${table.providerClass} uri ${uri} from pid=12345, uid=2000 requires ${table.permission.replace(/READ_/g, 'WRITE_')}\n`;
    }
    // Since Android 4.4 only the default SMS app writes messages; other writers affect 0 rows silently.
    if (path === 'sms' && this.appops.get('com.android.shell WRITE_SMS') !== 'allow') return '';
    const row: Row = {};
    for (let i = 0; i < rest.length; i += 1) {
      if (rest[i] !== '--bind') continue;
      const spec = rest[i + 1] ?? '';
      const a = spec.indexOf(':');
      const b = spec.indexOf(':', a + 1);
      if (a < 0 || b < 0) return `Error: bad binding ${spec}\n`;
      const type = spec.slice(a + 1, b);
      const value = spec.slice(b + 1);
      row[spec.slice(0, a)] = type === 's' ? value : type === 'n' ? null : Number(value);
    }
    const list = this.inserted.get(path) ?? [];
    row._id = 100_000 + list.length;
    list.push(row);
    this.inserted.set(path, list);
    return '';
  }

  private content(rest: string[]): string {
    if (rest[0] === 'insert') return this.contentInsert(rest);
    if (rest[0] !== 'query') return 'usage: content [subcommand] [options]\n';
    const opt = (name: string): string | undefined => {
      const i = rest.indexOf(name);
      return i >= 0 ? rest[i + 1] : undefined;
    };
    const uri = opt('--uri') ?? '';
    const m = /^content:\/\/(.+?)\/?$/.exec(uri);
    let path = m?.[1] ?? '';
    let typeFilter: number | null = null;
    const smsBox: Record<string, number> = { 'sms/inbox': 1, 'sms/sent': 2, 'sms/draft': 3 };
    if (path in smsBox) {
      typeFilter = smsBox[path] ?? null;
      path = 'sms';
    }
    const table = this.tables()[path];
    if (!table) return `Error while accessing provider:${path.split('/')[0] ?? ''}\njava.lang.IllegalArgumentException: Unknown URI ${uri}\n\tat android.database.DatabaseUtils.readExceptionFromParcel(DatabaseUtils.java:172)\n`;
    if (table.refused) {
      return [
        `Error while accessing provider:${table.provider}`,
        `java.lang.SecurityException: Permission Denial: opening provider ${table.providerClass} from ProcessRecord{7a1c2e5 12345:com.android.commands.content/2000} (pid=12345, uid=2000) requires ${table.permission}`,
        '\tat android.os.Parcel.readException(Parcel.java:1942)',
        '\tat android.os.Parcel.readException(Parcel.java:1888)',
        '\tat android.app.IActivityManager$Stub$Proxy.getContentProviderExternal(IActivityManager.java:4474)',
        '\tat com.android.commands.content.Content$Command.execute(Content.java:471)',
        '\tat com.android.commands.content.Content.main(Content.java:686)',
        '',
      ].join('\n');
    }
    const projection = opt('--projection')?.split(':').filter(Boolean) ?? table.columns;
    const unknown = projection.find((c) => !table.columns.includes(c));
    if (unknown) return `Error while accessing provider:${table.provider}\nandroid.database.sqlite.SQLiteException: no such column: ${unknown} (code 1 SQLITE_ERROR)\n`;
    let rows = [...table.rows(), ...(this.inserted.get(path) ?? [])];
    if (typeFilter !== null) rows = rows.filter((r) => r.type === typeFilter);
    const where = opt('--where');
    if (where) {
      const w = /^\s*(\w+)\s*(>=|<=|=|>|<)\s*'?([^']*)'?\s*$/.exec(where);
      if (!w) return `Error while accessing provider:${table.provider}\nandroid.database.sqlite.SQLiteException: near "${where}": syntax error (code 1 SQLITE_ERROR)\n`;
      const [, col = '', op, raw = ''] = w;
      const num = Number(raw);
      rows = rows.filter((r) => {
        const v = r[col];
        const a = typeof v === 'number' ? v : v === null || v === undefined ? NaN : Number.isNaN(Number(v)) ? NaN : Number(v);
        if (op === '=') return String(v) === raw;
        if (op === '>') return a > num;
        if (op === '>=') return a >= num;
        if (op === '<') return a < num;
        return a <= num;
      });
    }
    if (rows.length === 0) return 'No result found.\n';
    const parts: string[] = [];
    rows.forEach((r, i) => {
      parts.push(`Row: ${i} ${projection.map((c) => `${c}=${r[c] === null || r[c] === undefined ? 'NULL' : String(r[c])}`).join(', ')}\n`);
    });
    return parts.join('');
  }

  private df(rest: string[]): string {
    const s = this.profile.storage;
    const used = s.dataTotalK - s.dataFreeK;
    const pct = Math.ceil((used / s.dataTotalK) * 100);
    const target = rest.filter((a) => !a.startsWith('-'))[0] ?? '/data';
    const dev = target.startsWith('/storage') || target.startsWith('/sdcard') ? '/dev/fuse' : '/dev/block/dm-46';
    const mount = target.startsWith('/storage') || target.startsWith('/sdcard') ? '/storage/emulated' : '/data';
    return `Filesystem      1K-blocks      Used Available Use% Mounted on\n${dev.padEnd(15)} ${String(s.dataTotalK).padStart(9)} ${String(used).padStart(9)} ${String(s.dataFreeK).padStart(9)} ${String(pct).padStart(3)}% ${mount}\n`;
  }
}

/** Parcel words as `service call` shows them: exception code, then a String16 (length, UTF-16LE, NUL, pad). */
export function parcelWords(p: { exception: number; string: string | null }): number[] {
  const words: number[] = [p.exception >>> 0];
  if (p.string === null) {
    words.push(0xffffffff);
    return words;
  }
  words.push(p.string.length);
  const units = [...Array.from(p.string).flatMap((ch) => {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x10000) return [code];
    const v = code - 0x10000;
    return [0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff)];
  }), 0];
  if (units.length % 2 === 1) units.push(0);
  for (let i = 0; i < units.length; i += 2) words.push((((units[i + 1] ?? 0) << 16) | (units[i] ?? 0)) >>> 0);
  return words;
}

export function parcelDump(words: number[]): string {
  const hex = (w: number): string => w.toString(16).padStart(8, '0');
  const ascii = (w: number): string => {
    let s = '';
    for (let b = 0; b < 4; b += 1) {
      const byte = (w >>> (8 * b)) & 0xff;
      s += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
    }
    return s;
  };
  if (words.length <= 4) return `Result: Parcel(${words.map(hex).join(' ')} '${words.map(ascii).join('')}')\n`;
  const lines: string[] = [];
  for (let i = 0; i < words.length; i += 4) {
    const chunk = words.slice(i, i + 4);
    const hexPart = chunk.map(hex).join(' ').padEnd(35, ' ');
    const asciiPart = chunk.map(ascii).join('').padEnd(16, ' ');
    lines.push(`  0x${(i * 4).toString(16).padStart(8, '0')}: ${hexPart} '${asciiPart}'`);
  }
  return `Result: Parcel(\n${lines.join('\n')})\n`;
}
