#!/usr/bin/env node
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { LifelineError } from '../../contract';
import type { BackupProgress } from '../services/backup/backup-run';
import { DEFAULT_KDF_LOG_N } from '../services/backup/crypto';
import { scanSource } from '../services/backup/import/scan';
import type { ItemKind } from '../services/backup/import/types';
import { restoreToFolder } from '../services/backup/restore-folder';
import { BackupStore } from '../services/backup/store';
import { loadDefaultBlocklist, passwordProblemMessage, PasswordPolicy } from '../services/account/password-policy';
import { askHidden, ProgressLine, formatBytes, formatTime } from './terminal';

/**
 * `lifeline`: the backup store from the command line. Every command takes --store DIR (default
 * $LIFELINE_DATA_DIR/backups), reads the passphrase from LIFELINE_PASSPHRASE or asks on a terminal,
 * prints people-readable text or, with --json, one JSON document, and exits non-zero with one line on error.
 */

const USAGE = `Usage: lifeline <command> [options]   (all commands: --store DIR, --json)

  store init [--kdf-log-n N]         create a store (asks for the passphrase twice; scrypt cost 2^N, default 17)
  backup --device NAME SOURCE...     back up files or folders (a phone export, .vcf, sms/calls .xml, photos, notes)
  snapshots [--device NAME]          list snapshots
  ls SNAPSHOT [--kind K]... [--search TEXT] [--limit N]
  receipt SNAPSHOT                   the receipt of one backup (JSON)
  restore SNAPSHOT --to DIR [--only KINDS] [--thread NUMBER] [--contact NAME] [--path P]...
                     [--since DATE] [--until DATE] [--dry-run] [--overwrite]
  verify [--read-data | --read-data-subset N%]
  forget [--keep-last N] [--keep-daily N] [--keep-weekly N] [--keep-monthly N] [--keep-yearly N]
         [--device NAME] [--prune] [--dry-run]
  prune [--dry-run]
  rebuild-index
  passwd [--kdf-log-n N]             change the passphrase (new one from LIFELINE_NEW_PASSPHRASE or asked twice)

SNAPSHOT is an id, a unique prefix of at least 4 characters, or "latest".
Kinds: contact, sms, mms, call, note, media (also: contacts, messages, calls, notes, photos).`;

const KIND_ALIASES: Record<string, ItemKind[]> = {
  contact: ['contact'], contacts: ['contact'],
  sms: ['sms'], mms: ['mms'], messages: ['sms', 'mms'], message: ['sms', 'mms'],
  call: ['call'], calls: ['call'],
  note: ['note'], notes: ['note'],
  media: ['media'], photos: ['media'], videos: ['media'],
};

const OPTIONS = {
  store: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  device: { type: 'string' },
  kind: { type: 'string', multiple: true },
  only: { type: 'string', multiple: true },
  search: { type: 'string' },
  limit: { type: 'string' },
  to: { type: 'string' },
  thread: { type: 'string' },
  contact: { type: 'string' },
  path: { type: 'string', multiple: true },
  since: { type: 'string' },
  until: { type: 'string' },
  'dry-run': { type: 'boolean' },
  overwrite: { type: 'boolean' },
  'read-data': { type: 'boolean' },
  'read-data-subset': { type: 'string' },
  'keep-last': { type: 'string' },
  'keep-daily': { type: 'string' },
  'keep-weekly': { type: 'string' },
  'keep-monthly': { type: 'string' },
  'keep-yearly': { type: 'string' },
  prune: { type: 'boolean' },
  // For tests and benchmarks: cheaper key derivation and small chunk/pack sizes. Not for real stores.
  'kdf-log-n': { type: 'string' },
  'chunk-sizes': { type: 'string' },
  'pack-size': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

class UsageError extends Error {}

type Values = ReturnType<typeof parse>['values'];

function parse(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}

function intOption(values: Values, name: keyof Values, min = 0): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || Number(raw) < min) throw new UsageError(`--${String(name)} needs a whole number${min > 0 ? ` of at least ${min}` : ''}.`);
  return Number(raw);
}

function parseDate(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw new UsageError(`--${name} needs a date like 2025-03-01 or 2025-03-01T12:00:00Z.`);
  return ms;
}

function parseKinds(list: string[] | undefined): ItemKind[] | undefined {
  if (!list || list.length === 0) return undefined;
  const out = new Set<ItemKind>();
  for (const part of list.flatMap((s) => s.split(','))) {
    const kinds = KIND_ALIASES[part.trim().toLowerCase()];
    if (!kinds) throw new UsageError(`Unknown kind "${part}". Use contact, sms, mms, call, note or media.`);
    kinds.forEach((k) => out.add(k));
  }
  return [...out];
}

function storeDir(values: Values): string {
  if (values.store) return path.resolve(values.store);
  const dataDir = process.env.LIFELINE_DATA_DIR;
  if (dataDir) return path.join(path.resolve(dataDir), 'backups');
  throw new UsageError('Say which backup store to use with --store DIR (or set LIFELINE_DATA_DIR).');
}

/** A new passphrase follows the account password policy (length, common-password blocklist), as in the app. */
function acceptable(passphrase: string): string {
  const verdict = new PasswordPolicy(loadDefaultBlocklist()).check(passphrase);
  if (!verdict.ok) throw new LifelineError('weak_password', `${passwordProblemMessage(verdict.problem)} Nothing was changed.`);
  return passphrase;
}

async function passphrase(confirm: boolean): Promise<string> {
  const fromEnv = process.env.LIFELINE_PASSPHRASE;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!process.stdin.isTTY) throw new LifelineError('invalid_input', 'No passphrase: set LIFELINE_PASSPHRASE, or run this in a terminal to be asked for it.');
  const first = await askHidden('Passphrase: ');
  if (confirm) {
    const second = await askHidden('Passphrase again: ');
    if (first !== second) throw new LifelineError('invalid_input', 'The two passphrases differ; nothing was created. Try again.');
  }
  return first;
}

async function newPassphrase(): Promise<string> {
  const fromEnv = process.env.LIFELINE_NEW_PASSPHRASE;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!process.stdin.isTTY) throw new LifelineError('invalid_input', 'No new passphrase: set LIFELINE_NEW_PASSPHRASE, or run this in a terminal to be asked for it.');
  const first = await askHidden('New passphrase: ');
  const second = await askHidden('New passphrase again: ');
  if (first !== second) throw new LifelineError('invalid_input', 'The two new passphrases differ; the passphrase was not changed.');
  return first;
}

function out(json: boolean, data: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${text()}\n`);
}

function date(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toISOString().replace('.000Z', 'Z');
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv);
  const json = values.json ?? false;
  if (values.help || positionals.length === 0) {
    process.stdout.write(`${USAGE}\n`);
    return positionals.length === 0 && !values.help ? 2 : 0;
  }
  const [command, ...args] = positionals;
  // LIFELINE_PROGRESS=json: one JSON progress line per update on stderr, for scripts and tests.
  const jsonProgress = process.env.LIFELINE_PROGRESS === 'json';
  const progress = new ProgressLine(!json && !jsonProgress && process.stderr.isTTY === true);
  const ac = new AbortController();
  const onSigint = (): void => ac.abort();
  process.on('SIGINT', onSigint);

  const withStore = async <T>(fn: (store: BackupStore) => Promise<T>): Promise<T> => {
    const store = await BackupStore.open(storeDir(values), await passphrase(false));
    try {
      return await fn(store);
    } finally {
      store.close();
    }
  };

  switch (command) {
    case 'store': {
      if (args[0] !== 'init' || args.length !== 1) throw new UsageError('Did you mean "lifeline store init --store DIR"?');
      const dir = storeDir(values);
      const sizes = values['chunk-sizes']?.split(',').map(Number);
      if (sizes && (sizes.length !== 3 || sizes.some((n) => !Number.isInteger(n)))) throw new UsageError('--chunk-sizes needs MIN,AVG,MAX in bytes.');
      const store = await BackupStore.init(dir, acceptable(await passphrase(true)), {
        kdfLogN: intOption(values, 'kdf-log-n') ?? DEFAULT_KDF_LOG_N,
        ...(sizes ? { chunker: { min: sizes[0] as number, avg: sizes[1] as number, max: sizes[2] as number } } : {}),
        ...(values['pack-size'] ? { packSize: intOption(values, 'pack-size', 4096) as number } : {}),
      });
      const id = store.storeId;
      store.close();
      out(json, { store: dir, storeId: id }, () => `Created backup store ${dir}. Keep the passphrase safe: without it the backups cannot be read.`);
      return 0;
    }
    case 'backup': {
      if (!values.device) throw new UsageError('Name the device being backed up with --device NAME.');
      if (args.length === 0) throw new UsageError('Give at least one SOURCE: a folder (a phone export) or files.');
      const device = values.device;
      const receipt = await withStore((store) =>
        store.backup({
          device,
          events: scanSource(args, { signal: ac.signal, knownMedia: store.knownMedia(device) }),
          signal: ac.signal,
          onProgress: (p: BackupProgress) => {
            if (jsonProgress) process.stderr.write(`${JSON.stringify({ progress: p })}\n`);
            else progress.update(backupLine(p));
          },
        }),
      );
      progress.done();
      out(json, receipt, () => {
        const lines = [`Snapshot ${receipt.snapshot} of ${receipt.device}: ${receipt.totals.items} items, ${formatBytes(receipt.totals.bytes)} (${formatBytes(receipt.totals.newBytes)} new, ${formatBytes(receipt.totals.storedBytes)} added to the store).`];
        for (const [k, s] of Object.entries(receipt.kinds)) lines.push(`  ${k.padEnd(8)} ${String(s.items).padStart(8)} items  ${formatBytes(s.bytes).padStart(10)}  ${String(s.newItems).padStart(7)} new`);
        if (receipt.duplicates) lines.push(`  ${receipt.duplicates} duplicate items were merged.`);
        if (receipt.skipped.count) {
          lines.push(`  ${receipt.skipped.count} items were skipped:`);
          for (const s of receipt.skipped.items.slice(0, 20)) lines.push(`    ${s.file}${s.line ? `:${s.line}` : ''}: ${s.reason}`);
          if (receipt.skipped.count > 20) lines.push(`    ... (--json lists up to 1000)`);
        }
        lines.push(`  digest sha256:${receipt.digest.value}`);
        const rb = receipt.readBack;
        if (rb && rb.ok) {
          if (rb.packsRead > 0) lines.push(`  Read back ${rb.packsRead} of the ${rb.packsWritten} packs written (${formatBytes(rb.bytesRead)}): intact.`);
        } else if (rb) {
          lines.push(`  Reading back what was just written found damage (the pieces are marked, so the next backup stores them again):`);
          for (const p of rb.problems.slice(0, 5)) lines.push(`    ${p}`);
          lines.push(`  Run "lifeline verify --read-data" to see what is affected, and check the disk.`);
        }
        return lines.join('\n');
      });
      return receipt.readBack && !receipt.readBack.ok ? 3 : 0;
    }
    case 'snapshots': {
      const list = await withStore(async (store) => store.snapshots(values.device));
      out(json, list, () =>
        list.length === 0
          ? 'No snapshots yet. Run "lifeline backup --device NAME SOURCE" to make the first one.'
          : list.map((s) => `${s.id}  ${date(s.time)}  ${s.device.padEnd(20)} ${String(s.items).padStart(8)} items  ${formatBytes(s.bytes).padStart(10)}`).join('\n'),
      );
      return 0;
    }
    case 'ls': {
      if (args.length !== 1) throw new UsageError('Give one SNAPSHOT (an id, a prefix or "latest").');
      const kinds = parseKinds(values.kind);
      const limit = intOption(values, 'limit', 1);
      const items = await withStore(async (store) =>
        store.ls(args[0] as string, { ...(kinds ? { kinds } : {}), ...(values.search ? { query: values.search } : {}), ...(limit ? { limit } : {}) }),
      );
      out(json, items, () =>
        items
          .map((i) => [i.kind.padEnd(7), date(i.date).padEnd(20), i.relPath ?? i.name ?? '', i.address ?? '', (i.preview ?? '').replace(/\s+/g, ' ').slice(0, 60)].filter(Boolean).join('  '))
          .join('\n') || 'Nothing matches.',
      );
      return 0;
    }
    case 'receipt': {
      if (args.length !== 1) throw new UsageError('Give one SNAPSHOT.');
      const receipt = await withStore(async (store) => store.receipt(args[0] as string));
      process.stdout.write(`${JSON.stringify(receipt, null, 2)}\n`);
      return 0;
    }
    case 'restore': {
      if (args.length !== 1) throw new UsageError('Give one SNAPSHOT to restore.');
      if (!values.to) throw new UsageError('Say where to restore with --to DIR.');
      const kinds = parseKinds(values.only);
      const from = parseDate(values.since, 'since');
      const to = parseDate(values.until, 'until');
      const result = await withStore((store) =>
        restoreToFolder(store, args[0] as string, {
          to: values.to as string,
          dryRun: values['dry-run'] ?? false,
          overwrite: values.overwrite ?? false,
          signal: ac.signal,
          selection: {
            ...(kinds ? { kinds } : {}),
            ...(values.thread ? { thread: values.thread } : {}),
            ...(values.contact ? { contact: values.contact } : {}),
            ...(values.path ? { paths: values.path } : {}),
            ...(from !== undefined ? { from } : {}),
            ...(to !== undefined ? { to } : {}),
          },
          onProgress: (p) => progress.update(`restoring: ${p.items} items, ${formatBytes(p.bytes)}`),
        }),
      );
      progress.done();
      out(json, result, () => {
        const counts = Object.entries(result.counts).map(([k, n]) => `${n} ${k}`).join(', ') || 'nothing';
        const lines = [
          result.dryRun
            ? `Dry run: would restore ${counts} (${formatBytes(result.bytes)} of media) into ${result.target}; ${result.files.filter((f) => f.exists).length} of ${result.files.length} files already exist there.`
            : `Restored ${counts} (${formatBytes(result.bytes)} of media) into ${result.target}.`,
        ];
        for (const r of result.renamed.slice(0, 20)) lines.push(`  ${r.from} -> ${r.to} (${r.why})`);
        if (result.damaged.length) {
          lines.push(`  ${result.damaged.length} items could not be restored because the store is damaged there:`);
          for (const d of result.damaged.slice(0, 20)) lines.push(`    ${d.what}: ${d.reason}`);
        }
        return lines.join('\n');
      });
      return result.damaged.length > 0 ? 3 : 0;
    }
    case 'verify': {
      const subset = values['read-data-subset'];
      let readData: 'none' | 'all' | { subsetPercent: number } = values['read-data'] ? 'all' : 'none';
      if (subset !== undefined) {
        const m = /^(\d+(?:\.\d+)?)%?$/.exec(subset);
        if (!m || Number(m[1]) <= 0 || Number(m[1]) > 100) throw new UsageError('--read-data-subset needs a percentage like 10%.');
        readData = { subsetPercent: Number(m[1]) };
      }
      const report = await withStore((store) =>
        store.verify({ readData, onProgress: (p) => progress.update(`reading packs: ${p.packsRead}/${p.packsTotal}, ${formatBytes(p.bytesRead)}`) }),
      );
      progress.done();
      out(json, report, () => {
        const lines = [report.summary];
        for (const p of report.problems.slice(0, 30)) lines.push(`  problem: ${p.message}`);
        for (const s of report.affected.snapshots) lines.push(`  snapshot ${s.id} (${s.device}, ${date(s.time)}): ${s.items} items affected${s.structure ? ', part of its structure is damaged' : ''}`);
        for (const i of report.affected.items.slice(0, 30)) lines.push(`  affected ${i.kind}: ${i.relPath ?? i.name ?? i.address ?? ''} ${date(i.date)}`);
        return lines.join('\n');
      });
      return report.ok ? 0 : 3;
    }
    case 'forget': {
      const rules = {
        keepLast: intOption(values, 'keep-last'),
        keepDaily: intOption(values, 'keep-daily'),
        keepWeekly: intOption(values, 'keep-weekly'),
        keepMonthly: intOption(values, 'keep-monthly'),
        keepYearly: intOption(values, 'keep-yearly'),
      };
      const defined = Object.fromEntries(Object.entries(rules).filter(([, v]) => v !== undefined));
      const result = await withStore((store) =>
        store.forget(defined, { prune: values.prune ?? false, dryRun: values['dry-run'] ?? false, ...(values.device ? { device: values.device } : {}) }),
      );
      out(json, result, () => {
        const lines = [`${result.dryRun ? 'Would forget' : 'Forgot'} ${result.remove.length} snapshots, keeping ${result.keep.length}.`];
        for (const s of result.remove) lines.push(`  remove ${s.id}  ${date(s.time)}  ${s.device}`);
        for (const s of result.keep) lines.push(`  keep   ${s.id}  ${date(s.time)}  ${s.device}  (${s.reasons.join(', ')})`);
        if (result.prune) lines.push(`Pruned: ${result.prune.packsDeleted} packs deleted, ${result.prune.packsRewritten} repacked; the store went from ${formatBytes(result.prune.bytesBefore)} to ${formatBytes(result.prune.bytesAfter)}.`);
        return lines.join('\n');
      });
      return 0;
    }
    case 'prune': {
      const result = await withStore((store) => store.prune({ dryRun: values['dry-run'] ?? false }));
      out(json, result, () => `${result.dryRun ? 'Would delete' : 'Deleted'} ${result.packsDeleted} packs and repack ${result.packsRewritten}; ${formatBytes(result.bytesBefore)} -> ${formatBytes(result.bytesAfter)}.`);
      return 0;
    }
    case 'rebuild-index': {
      const report = await withStore((store) => store.rebuildIndex());
      out(json, report, () => `Rebuilt the index from ${report.packsAdded} packs and ${report.snapshotsAdded} snapshots.${report.packsUnreadable.length ? ` ${report.packsUnreadable.length} packs could not be read; run "verify".` : ''}`);
      return 0;
    }
    case 'passwd': {
      const dir = storeDir(values);
      const current = await passphrase(false);
      const store = await BackupStore.open(dir, current);
      try {
        await store.changePassphrase(current, acceptable(await newPassphrase()), intOption(values, 'kdf-log-n'));
      } finally {
        store.close();
      }
      out(json, { changed: true }, () => 'The passphrase was changed. The old one no longer opens this store.');
      return 0;
    }
    default:
      throw new UsageError(`Unknown command "${command}". Run "lifeline --help" for the list.`);
  }
}

function backupLine(p: BackupProgress): string {
  let left = '';
  if (p.sourceBytesTotal && p.sourceBytesRead && p.sourceBytesRead > 0 && p.elapsedMs > 2000) {
    const rate = p.sourceBytesRead / p.elapsedMs;
    left = `, ${p.file ? path.basename(p.file) : ''} ${Math.floor((100 * p.sourceBytesRead) / p.sourceBytesTotal)}%, ~${formatTime((p.sourceBytesTotal - p.sourceBytesRead) / rate)} left`;
  }
  return `${p.phase === 'finishing' ? 'finishing' : p.phase === 'checking' ? 'reading back' : 'backing up'}: ${p.items} items, ${formatBytes(p.bytes)} (${formatBytes(p.newBytes)} new)${p.skipped ? `, ${p.skipped} skipped` : ''}${left}`;
}

export async function run(argv: string[]): Promise<number> {
  try {
    return await main(argv);
  } catch (error) {
    const json = argv.includes('--json');
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      const message = (error as Error).message;
      process.stderr.write(json ? `${JSON.stringify({ error: { code: 'invalid_input', message } })}\n` : `lifeline: ${message}\nRun "lifeline --help" for usage.\n`);
      return 2;
    }
    if (error instanceof LifelineError) {
      process.stderr.write(json ? `${JSON.stringify({ error: { code: error.code, message: error.message } })}\n` : `lifeline: ${error.message}\n`);
      return error.code === 'store_locked' ? 4 : 1;
    }
    const message = (error as Error)?.message ?? String(error);
    process.stderr.write(json ? `${JSON.stringify({ error: { code: 'internal', message } })}\n` : `lifeline: unexpected error: ${message}\n`);
    return 1;
  }
}

const isMain = process.argv[1] !== undefined && /lifeline(\.[cm]?[jt]s)?$/.test(process.argv[1]);
if (isMain) {
  void run(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
