import { z } from 'zod';
import { defineEvent, defineMethod } from './define';

/**
 * The backup store (docs/backup-format.md): create or unlock a store, back up sources into it, list
 * and search snapshots, restore, verify and forget. Long operations report `backup.progress` events
 * and can be stopped with `backup.cancel`.
 */

export const BackupItemKind = z.enum(['contact', 'sms', 'mms', 'call', 'note', 'media']);
export type BackupItemKind = z.infer<typeof BackupItemKind>;

const Passphrase = z.string().min(1, 'Type the passphrase.').max(1024);
const SnapshotRef = z.string().trim().min(4, 'Give a snapshot id, a prefix of at least 4 characters, or "latest".').max(64);
const KindStats = z.object({ items: z.number().int(), bytes: z.number(), newItems: z.number().int(), newBytes: z.number() });
const Skipped = z.object({ file: z.string(), line: z.number().int().optional(), kind: z.string().optional(), reason: z.string() });

export const BackupReceipt = z.object({
  format: z.literal('lifeline-backup-receipt'),
  version: z.literal(1),
  storeId: z.string(),
  snapshot: z.string(),
  device: z.string(),
  hostname: z.string(),
  startedAt: z.string(),
  committedAt: z.string(),
  parent: z.string().optional(),
  kinds: z.record(z.string(), KindStats),
  totals: KindStats.extend({ storedBytes: z.number() }),
  duplicates: z.number().int(),
  skipped: z.object({ count: z.number().int(), items: z.array(Skipped) }),
  digest: z.object({ algorithm: z.literal('sha256'), value: z.string(), over: z.string() }),
  /** On the receipt a backup returns: the read-back of a random share of the packs it wrote. */
  readBack: z
    .object({
      packsWritten: z.number().int(),
      packsRead: z.number().int(),
      bytesRead: z.number(),
      piecesChecked: z.number().int(),
      ok: z.boolean(),
      problems: z.array(z.string()),
    })
    .optional(),
});
export type BackupReceipt = z.infer<typeof BackupReceipt>;

export const BackupSnapshot = z.object({
  id: z.string(),
  device: z.string(),
  time: z.number(),
  hostname: z.string(),
  parent: z.string().optional(),
  items: z.number().int(),
  bytes: z.number(),
  kinds: z.record(z.string(), z.object({ items: z.number().int(), bytes: z.number() })),
  digest: z.string(),
});
export type BackupSnapshot = z.infer<typeof BackupSnapshot>;

export const BackupCatalogItem = z.object({
  kind: BackupItemKind,
  key: z.string(),
  identity: z.string(),
  name: z.string().nullable(),
  address: z.string().nullable(),
  thread: z.string().nullable(),
  date: z.number().nullable(),
  size: z.number(),
  relPath: z.string().nullable(),
  mime: z.string().nullable(),
  preview: z.string().nullable(),
});
export type BackupCatalogItem = z.infer<typeof BackupCatalogItem>;

export const BackupStoreStatus = z.object({
  dir: z.string(),
  exists: z.boolean(),
  unlocked: z.boolean(),
  snapshots: z.number().int().optional(),
  /** The operation running now, if any. */
  running: z.enum(['backup', 'restore', 'verify', 'forget']).optional(),
  /** The store was open but its folder has disappeared (deleted, or its drive removed). */
  missing: z.boolean().optional(),
  /** Whether this host can remember the passphrase in the OS keychain (desktop only), and whether it does. */
  keychain: z.object({ available: z.boolean(), remembered: z.boolean(), reason: z.string().optional() }).optional(),
});
export type BackupStoreStatus = z.infer<typeof BackupStoreStatus>;

export const BackupSelection = z
  .object({
    kinds: z.array(BackupItemKind).max(6).optional(),
    thread: z.string().max(500).optional(),
    contact: z.string().max(200).optional(),
    from: z.number().optional(),
    to: z.number().optional(),
    paths: z.array(z.string().max(1000)).max(1000).optional(),
  })
  .strict();

export const BackupVerifyReport = z.object({
  ok: z.boolean(),
  snapshots: z.number().int(),
  packs: z.number().int(),
  packsRead: z.number().int(),
  piecesChecked: z.number().int(),
  bytesRead: z.number(),
  problems: z.array(z.object({ message: z.string(), pack: z.string().optional(), piece: z.string().optional(), snapshot: z.string().optional() })),
  affected: z.object({
    itemCount: z.number().int(),
    byKind: z.record(z.string(), z.number().int()),
    items: z.array(z.object({ kind: z.string(), name: z.string().nullable(), relPath: z.string().nullable(), address: z.string().nullable(), date: z.number().nullable() })),
    snapshots: z.array(
      z.object({ id: z.string(), device: z.string(), time: z.number(), items: z.number().int(), byKind: z.record(z.string(), z.number().int()), structure: z.boolean() }),
    ),
  }),
  summary: z.string(),
});

export const BackupRestoreResult = z.object({
  snapshot: z.string(),
  target: z.string(),
  dryRun: z.boolean(),
  counts: z.record(z.string(), z.number().int()),
  bytes: z.number(),
  files: z.array(z.object({ path: z.string(), exists: z.boolean() })),
  damaged: z.array(z.object({ kind: z.string().optional(), what: z.string(), reason: z.string() })),
  renamed: z.array(z.object({ from: z.string(), to: z.string(), why: z.string() })),
});

const KeepCount = z.number().int().min(0).max(100_000).optional();

export const BackupForgetResult = z.object({
  keep: z.array(z.object({ id: z.string(), device: z.string(), time: z.number(), reasons: z.array(z.string()) })),
  remove: z.array(z.object({ id: z.string(), device: z.string(), time: z.number() })),
  dryRun: z.boolean(),
  prune: z
    .object({
      packsDeleted: z.number().int(),
      packsRewritten: z.number().int(),
      packsWritten: z.number().int(),
      bytesBefore: z.number(),
      bytesAfter: z.number(),
      piecesRemoved: z.number().int(),
      packsSkippedDamaged: z.array(z.string()),
      dryRun: z.boolean(),
    })
    .optional(),
});

export const BackupProgress = z.object({
  operation: z.enum(['backup', 'restore', 'verify']),
  phase: z.string(),
  items: z.number().int(),
  bytes: z.number(),
  newBytes: z.number().optional(),
  skipped: z.number().int().optional(),
  file: z.string().optional(),
  sourceBytesRead: z.number().optional(),
  sourceBytesTotal: z.number().optional(),
  elapsedMs: z.number().optional(),
  /** Items handled so far per kind (backup). */
  kinds: z.record(z.string(), z.number().int()).optional(),
  /** How many units (packs for verify) the operation will handle in all, when known. */
  total: z.number().int().optional(),
});
export type BackupProgress = z.infer<typeof BackupProgress>;

export const BrowseKind = z.enum(['contacts', 'messages', 'calls', 'media', 'notes']);
export type BrowseKind = z.infer<typeof BrowseKind>;
const PageLimit = z.number().int().min(1).max(500).default(100);
const PageOffset = z.number().int().min(0).default(0);
const ItemKey = z.string().regex(/^[0-9a-f]{64}$/, 'Pick the item from a list; this reference is not valid.');

export const BackupThread = z.object({
  thread: z.string(),
  name: z.string().nullable(),
  address: z.string().nullable(),
  count: z.number().int(),
  lastDate: z.number().nullable(),
  lastKind: z.string().nullable(),
  lastPreview: z.string().nullable(),
});
export type BackupThread = z.infer<typeof BackupThread>;

export const BackupOverview = z.object({
  snapshot: BackupSnapshot,
  counts: z.record(BrowseKind, z.number().int()),
  threads: z.number().int(),
  preparedMs: z.number(),
});
export type BackupOverview = z.infer<typeof BackupOverview>;

const ItemPage = z.object({ items: z.array(BackupCatalogItem), total: z.number().int(), offset: z.number().int() });

export const BackupDiff = z.object({
  from: z.string(),
  to: z.string(),
  byKind: z.record(z.string(), z.object({ added: z.number().int(), removed: z.number().int(), changed: z.number().int() })),
  entries: z.array(z.object({ change: z.enum(['added', 'removed', 'changed']), item: BackupCatalogItem })),
});
export type BackupDiff = z.infer<typeof BackupDiff>;

export const BackupItemDetail = z.object({
  kind: BackupItemKind,
  item: BackupCatalogItem,
  fields: z.record(z.string(), z.unknown()),
  vcard: z.string().optional(),
  photo: z.object({ mime: z.string(), size: z.number() }).nullable().optional(),
  parts: z
    .array(z.object({ index: z.number().int(), contentType: z.string(), name: z.string().nullable(), text: z.string().nullable(), size: z.number(), image: z.boolean() }))
    .optional(),
  text: z.string().optional(),
});
export type BackupItemDetail = z.infer<typeof BackupItemDetail>;

export const BackupImage = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ok'), mime: z.literal('image/jpeg'), data: z.string().max(1_300_000), width: z.number().int(), height: z.number().int() }),
  z.object({ status: z.enum(['video', 'tooLarge', 'undecodable', 'notImage', 'damaged']), reason: z.string() }),
]);
export type BackupImage = z.infer<typeof BackupImage>;

export const BackupRetention = z
  .object({
    keepLast: z.number().int().min(0).max(10_000).optional(),
    keepDaily: z.number().int().min(0).max(10_000).optional(),
    keepWeekly: z.number().int().min(0).max(10_000).optional(),
    keepMonthly: z.number().int().min(0).max(10_000).optional(),
  })
  .strict();
export type BackupRetention = z.infer<typeof BackupRetention>;

/** What the Backup panel's browser, receipts, keychain and retention settings use, beside the store's core methods. */
export const backupPanelMethods = {
  'backup.unlockRemembered': defineMethod({
    summary: 'Unlocks the store with the passphrase the desktop keychain remembers.',
    input: z.object({}).strict(),
    output: BackupStoreStatus,
  }),
  'backup.forgetRemembered': defineMethod({
    summary: 'Stops remembering the store passphrase on this computer.',
    input: z.object({}).strict(),
    output: BackupStoreStatus,
  }),
  'backup.lock': defineMethod({
    summary: 'Locks the store: its key leaves memory until the passphrase is typed again.',
    input: z.object({}).strict(),
    output: BackupStoreStatus,
  }),
  'backup.overview': defineMethod({
    summary: 'Opens a snapshot for browsing: counts per kind and number of conversations.',
    input: z.object({ snapshot: SnapshotRef }).strict(),
    output: BackupOverview,
  }),
  'backup.threads': defineMethod({
    summary: 'Conversations of a snapshot, newest first, with their last message; filtered by name or number.',
    input: z.object({ snapshot: SnapshotRef, query: z.string().max(200).optional(), limit: PageLimit, offset: PageOffset }).strict(),
    output: z.object({ items: z.array(BackupThread), total: z.number().int(), offset: z.number().int() }),
  }),
  'backup.conversation': defineMethod({
    summary: 'A page of one conversation, oldest first.',
    input: z.object({ snapshot: SnapshotRef, thread: z.string().min(1).max(500), limit: PageLimit, offset: PageOffset }).strict(),
    output: ItemPage,
  }),
  'backup.list': defineMethod({
    summary: 'A page of one kind of a snapshot (contacts by name, calls, photos and notes newest first), optionally filtered by words.',
    input: z
      .object({ snapshot: SnapshotRef, kind: BrowseKind, query: z.string().max(200).optional(), order: z.enum(['date', 'name']).optional(), limit: PageLimit, offset: PageOffset })
      .strict(),
    output: ItemPage,
  }),
  'backup.search': defineMethod({
    summary: 'Full-text search across every kind of a snapshot; meant to be called while typing.',
    input: z.object({ snapshot: SnapshotRef, query: z.string().max(200), kinds: z.array(BackupItemKind).max(6).optional(), limit: z.number().int().min(1).max(200).default(50) }).strict(),
    output: z.object({ items: z.array(BackupCatalogItem), more: z.boolean() }),
  }),
  'backup.diff': defineMethod({
    summary: 'What was added, changed and removed between two snapshots, per kind, with the first entries of each.',
    input: z.object({ from: SnapshotRef, to: SnapshotRef, limit: z.number().int().min(0).max(500).default(100) }).strict(),
    output: BackupDiff,
  }),
  'backup.item': defineMethod({
    summary: 'Every field of one item, read from the store (attachments and photos are described, not sent).',
    input: z.object({ key: ItemKey }).strict(),
    output: BackupItemDetail,
  }),
  'backup.image': defineMethod({
    summary: 'A small JPEG (thumbnail or viewer size) of a photo, a contact photo or an MMS picture; or why there is none.',
    input: z.object({ key: ItemKey, part: z.number().int().min(0).max(1000).optional(), size: z.enum(['thumb', 'view']).default('thumb') }).strict(),
    output: BackupImage,
  }),
  'backup.receipt': defineMethod({
    summary: 'The receipt of a snapshot as JSON or a printable PDF (base64), optionally also written into a folder.',
    input: z.object({ snapshot: SnapshotRef, format: z.enum(['json', 'pdf']), saveTo: z.string().min(1).max(4096).optional() }).strict(),
    output: z.object({ fileName: z.string(), mime: z.string(), data: z.string(), savedTo: z.string().optional() }),
  }),
  'backup.retentionGet': defineMethod({
    summary: 'The keep rules saved for this store.',
    input: z.object({}).strict(),
    output: BackupRetention,
  }),
  'backup.retentionSet': defineMethod({
    summary: 'Saves the keep rules (keep last N, daily, weekly, monthly).',
    input: BackupRetention,
    output: BackupRetention,
  }),
  'backup.pruneNow': defineMethod({
    summary: 'Applies the saved keep rules now: forgets the snapshots they do not keep and frees the space; a dry run only lists them.',
    input: z.object({ dryRun: z.boolean().default(false) }).strict(),
    output: BackupForgetResult,
  }),
};

export const backupMethods = {
  'backup.storeStatus': defineMethod({
    summary: 'Where the backup store is, whether it exists and is unlocked, and what is running.',
    input: z.object({}).strict(),
    output: BackupStoreStatus,
  }),
  'backup.init': defineMethod({
    summary: 'Creates the backup store with a passphrase and unlocks it; optionally remembers it in the OS keychain (desktop).',
    input: z.object({ passphrase: Passphrase, remember: z.boolean().optional() }).strict(),
    output: BackupStoreStatus,
  }),
  'backup.unlock': defineMethod({
    summary: 'Opens the backup store with its passphrase for this session of the app.',
    input: z.object({ passphrase: Passphrase, remember: z.boolean().optional() }).strict(),
    output: BackupStoreStatus,
  }),
  'backup.run': defineMethod({
    summary: 'Backs up files or folders (a phone export) as a new snapshot of a device; answers the receipt.',
    input: z.object({ device: z.string().trim().min(1).max(200), sources: z.array(z.string().min(1).max(4096)).min(1).max(100) }).strict(),
    output: BackupReceipt,
  }),
  'backup.snapshots': defineMethod({
    summary: 'The snapshots in the store, oldest first.',
    input: z.object({ device: z.string().max(200).optional() }).strict(),
    output: z.object({ snapshots: z.array(BackupSnapshot) }),
  }),
  'backup.ls': defineMethod({
    summary: 'Items of one snapshot, filtered by kind, conversation, date or a search text.',
    input: z
      .object({
        snapshot: SnapshotRef,
        kinds: z.array(BackupItemKind).max(6).optional(),
        query: z.string().max(200).optional(),
        thread: z.string().max(500).optional(),
        from: z.number().optional(),
        to: z.number().optional(),
        limit: z.number().int().min(1).max(5000).default(500),
        offset: z.number().int().min(0).default(0),
      })
      .strict(),
    output: z.object({ items: z.array(BackupCatalogItem) }),
  }),
  'backup.restore': defineMethod({
    summary: 'Restores a snapshot or a selection into a folder in standard formats; a dry run tells what would be written.',
    input: z
      .object({
        snapshot: SnapshotRef,
        to: z.string().min(1).max(4096),
        selection: BackupSelection.optional(),
        dryRun: z.boolean().default(false),
        overwrite: z.boolean().default(false),
      })
      .strict(),
    output: BackupRestoreResult,
  }),
  'backup.verify': defineMethod({
    summary: 'Checks the store; with readData it decrypts and re-hashes all or a share of the data, naming affected items.',
    input: z.object({ readData: z.union([z.enum(['none', 'all']), z.object({ subsetPercent: z.number().gt(0).max(100) }).strict()]).default('none') }).strict(),
    output: BackupVerifyReport,
  }),
  'backup.forget': defineMethod({
    summary: 'Forgets snapshots the keep rules do not keep, and optionally prunes the data only they used.',
    input: z
      .object({
        keepLast: KeepCount,
        keepDaily: KeepCount,
        keepWeekly: KeepCount,
        keepMonthly: KeepCount,
        keepYearly: KeepCount,
        device: z.string().max(200).optional(),
        prune: z.boolean().default(false),
        dryRun: z.boolean().default(false),
      })
      .strict(),
    output: BackupForgetResult,
  }),
  'backup.cancel': defineMethod({
    summary: 'Stops the running backup, restore or verify; what was already done is kept.',
    input: z.object({}).strict(),
    output: z.object({ cancelled: z.boolean() }),
  }),
  ...backupPanelMethods,
};



export type BackupMethodName = keyof typeof backupMethods;

export const backupEvents = {
  'backup.progress': defineEvent({
    summary: 'Progress of the running backup, restore or verify: counts, bytes, current file.',
    payload: BackupProgress,
  }),
};
