import { z } from 'zod';
import { defineEvent, defineMethod } from './define';

/**
 * The Shop: intake of a customer's phone over USB before a factory reset. A ticket walks through
 * connect -> identity -> lock readiness -> backup (with read-back verify and a receipt) -> ready for
 * reset -> restore -> close; every step lands in the audit log with its time and operator.
 */

const Id = z.string().min(1).max(64);
const Operator = z.string().trim().min(1, 'Type the name of the person at the counter.').max(80);
const Text = (max: number, message: string) => z.string().trim().min(1, message).max(max);

export const ShopStep = z.enum(['connect', 'identity', 'readiness', 'backup', 'ready', 'restore', 'closed']);
export type ShopStep = z.infer<typeof ShopStep>;

export const ShopKind = z.enum(['contacts', 'sms', 'mms', 'calls', 'media']);
export type ShopKind = z.infer<typeof ShopKind>;

export const ShopPhone = z.object({
  serial: z.string(),
  state: z.enum(['device', 'unauthorized', 'offline']),
  model: z.string().nullable(),
  product: z.string().nullable(),
});
export type ShopPhone = z.infer<typeof ShopPhone>;

export const ShopPhones = z.object({
  /** The adb server this computer talks to, e.g. "127.0.0.1:5037", and where that came from. */
  server: z.string(),
  serverSource: z.enum(['env', 'setting', 'default']),
  /** Set when the adb server could not be reached or started: what happened and what to install. */
  problem: z.object({ code: z.string(), message: z.string() }).nullable(),
  phones: z.array(ShopPhone),
});
export type ShopPhones = z.infer<typeof ShopPhones>;

export const ShopEvidence = z.object({
  id: z.string(),
  label: z.string(),
  value: z.string(),
  status: z.enum(['ok', 'warning', 'blocker', 'unknown']),
  detail: z.string().optional(),
});

export const ShopReadiness = z.object({
  verdict: z.enum(['ready', 'not_ready']),
  summary: z.string(),
  evidence: z.array(ShopEvidence),
  instructions: z.array(z.object({ code: z.string(), text: z.string() })),
  /** The Lifeline account state of this phone when it is enrolled there (matched by serial or IMEI). */
  lifeline: z.object({ enrolled: z.boolean(), activationLock: z.boolean(), lostMode: z.boolean(), recoveredWithin24h: z.boolean() }).nullable(),
  checkedAt: z.number(),
});
export type ShopReadiness = z.infer<typeof ShopReadiness>;

export const ShopIdentity = z.object({
  brand: z.string().nullable(),
  model: z.string().nullable(),
  marketingName: z.string().nullable(),
  serial: z.string().nullable(),
  android: z.string().nullable(),
  securityPatch: z.string().nullable(),
  vendorOs: z.string().nullable(),
  /** Masked for display; the full values stay in the data dir. */
  imeis: z.array(z.string()),
  imeiNote: z.string().nullable(),
  battery: z.string().nullable(),
  storage: z.string().nullable(),
  readAt: z.number(),
});
export type ShopIdentity = z.infer<typeof ShopIdentity>;

export const ShopKindCount = z.object({
  kind: ShopKind,
  /** 'refused': the phone did not allow reading this kind; the counts are then null, never 0. */
  status: z.enum(['ok', 'refused', 'unavailable']),
  onPhone: z.number().int().nullable(),
  inBackup: z.number().int().nullable(),
  note: z.string().nullable(),
});
export type ShopKindCount = z.infer<typeof ShopKindCount>;

export const ShopBackupState = z.object({
  status: z.enum(['none', 'running', 'interrupted', 'verified', 'failed', 'deleted']),
  snapshot: z.string().nullable(),
  device: z.string(),
  counts: z.array(ShopKindCount),
  verified: z.boolean(),
  message: z.string().nullable(),
  /** Files already copied from the phone and kept for a resume. */
  stagedFiles: z.number().int(),
  finishedAt: z.number().nullable(),
});
export type ShopBackupState = z.infer<typeof ShopBackupState>;

export const ShopRestoreResult = z.object({
  kind: ShopKind,
  status: z.enum(['done', 'partial', 'needs_customer', 'not_possible', 'nothing']),
  count: z.number().int(),
  message: z.string(),
});
export type ShopRestoreResult = z.infer<typeof ShopRestoreResult>;

export const ShopAuditEntry = z.object({
  id: z.number().int(),
  ticketId: z.string().nullable(),
  at: z.number(),
  operator: z.string(),
  action: z.string(),
  detail: z.string(),
});
export type ShopAuditEntry = z.infer<typeof ShopAuditEntry>;

export const ShopTicketSummary = z.object({
  id: z.string(),
  number: z.string(),
  customerName: z.string(),
  contact: z.string(),
  device: z.string(),
  problem: z.string(),
  step: ShopStep,
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type ShopTicketSummary = z.infer<typeof ShopTicketSummary>;

export const ShopTicket = ShopTicketSummary.extend({
  consentBackup: z.boolean(),
  consentRetention: z.boolean(),
  serial: z.string().nullable(),
  identity: ShopIdentity.nullable(),
  readiness: ShopReadiness.nullable(),
  backup: ShopBackupState,
  readyForReset: z.object({ at: z.number(), operator: z.string(), override: z.string().nullable() }).nullable(),
  restore: z.array(ShopRestoreResult).nullable(),
  /** When the customer backup will be deleted (retention), if there is one. */
  deleteAfter: z.number().nullable(),
  audit: z.array(ShopAuditEntry),
});
export type ShopTicket = z.infer<typeof ShopTicket>;

export const ShopSettings = z.object({
  retentionDays: z.number().int().min(1).max(365),
  /** "host:port" of the adb server; null = LIFELINE_ADB_SERVER or 127.0.0.1:5037. */
  adbServer: z.string().nullable(),
  /** Path to the adb program; null = PATH and the usual SDK folders. */
  adbPath: z.string().nullable(),
});
export type ShopSettings = z.infer<typeof ShopSettings>;

export const ShopStatus = z.object({
  store: z.object({ exists: z.boolean(), unlocked: z.boolean() }),
  settings: ShopSettings,
  running: z.object({ ticketId: z.string(), step: ShopStep }).nullable(),
});
export type ShopStatus = z.infer<typeof ShopStatus>;

export const ShopReceiptFile = z.object({
  fileName: z.string(),
  mimeType: z.string(),
  /** base64 of the file. */
  base64: z.string(),
});

const TicketRef = z.object({ ticketId: Id, operator: Operator }).strict();

export const shopMethods = {
  'shop.status': defineMethod({ summary: 'Whether the shop backup store exists and is unlocked, the shop settings, and what runs now.', input: z.object({}).strict(), output: ShopStatus }),
  'shop.storeUnlock': defineMethod({
    summary: 'Unlocks the shop backup store for this session (creates it with this passphrase when there is none yet).',
    input: z.object({ passphrase: z.string().min(1, 'Type the passphrase.').max(1024), create: z.boolean().default(false) }).strict(),
    output: ShopStatus,
  }),
  'shop.settingsUpdate': defineMethod({
    summary: 'Changes the retention days, the adb server address or the adb path.',
    input: z
      .object({
        retentionDays: z.number().int().min(1).max(365).optional(),
        adbServer: z.string().trim().max(200).regex(/^([^:\s]+:)?\d{1,5}$|^$/, 'Give the adb server as host:port, e.g. 127.0.0.1:5037.').nullable().optional(),
        adbPath: z.string().trim().max(1000).nullable().optional(),
      })
      .strict(),
    output: ShopSettings,
  }),
  'shop.ticketsList': defineMethod({
    summary: 'Tickets, newest first; the query matches the number, customer, contact, device, problem or phone serial.',
    input: z.object({ query: z.string().max(200).optional(), limit: z.number().int().min(1).max(500).default(100) }).strict(),
    output: z.object({ tickets: z.array(ShopTicketSummary) }),
  }),
  'shop.ticketCreate': defineMethod({
    summary: 'Opens a ticket for a customer phone.',
    input: z
      .object({
        operator: Operator,
        customerName: Text(120, 'Type the customer name.'),
        contact: Text(120, 'Type a phone number or email for the customer.'),
        device: Text(120, 'Describe the phone (e.g. "Redmi Note 13, blue").'),
        problem: Text(1000, 'Describe the problem.'),
        consentBackup: z.boolean(),
        consentRetention: z.boolean(),
      })
      .strict(),
    output: ShopTicket,
  }),
  'shop.ticketGet': defineMethod({ summary: 'One ticket with its steps and audit log.', input: z.object({ ticketId: Id }).strict(), output: ShopTicket }),
  'shop.phones': defineMethod({ summary: 'Phones the adb server sees now (connect step checklist).', input: z.object({}).strict(), output: ShopPhones }),
  'shop.connect': defineMethod({
    summary: 'Connects the ticket to one phone (the only one, or the serial picked).',
    input: TicketRef.extend({ serial: z.string().max(200).optional() }).strict(),
    output: ShopTicket,
  }),
  'shop.identify': defineMethod({ summary: 'Reads the phone identity, battery and storage.', input: TicketRef, output: ShopTicket }),
  'shop.checkReadiness': defineMethod({ summary: 'Checks whether the phone is ready for a factory reset, item by item.', input: TicketRef, output: ShopTicket }),
  'shop.backup': defineMethod({
    summary: 'Backs the phone up into the shop store (resuming an interrupted run), verifies it by reading it back and makes the receipt.',
    input: TicketRef,
    output: ShopTicket,
  }),
  'shop.cancel': defineMethod({ summary: 'Stops the running backup or restore; what was copied is kept for a resume.', input: z.object({}).strict(), output: z.object({ cancelled: z.boolean() }) }),
  'shop.receipt': defineMethod({
    summary: 'The backup receipt of a ticket as JSON or PDF.',
    input: z.object({ ticketId: Id, format: z.enum(['json', 'pdf']) }).strict(),
    output: ShopReceiptFile,
  }),
  'shop.markReady': defineMethod({
    summary: 'Marks the phone ready for reset: needs a verified backup and a green check, or an override reason.',
    input: TicketRef.extend({ overrideReason: z.string().trim().min(10, 'Say why in at least 10 characters.').max(500).optional() }).strict(),
    output: ShopTicket,
  }),
  'shop.restore': defineMethod({
    summary: 'Restores the backup to the phone after the repair and reports each kind honestly.',
    input: TicketRef.extend({ kinds: z.array(ShopKind).max(5).optional() }).strict(),
    output: ShopTicket,
  }),
  'shop.close': defineMethod({ summary: 'Closes the ticket.', input: TicketRef, output: ShopTicket }),
  'shop.deleteBackup': defineMethod({
    summary: 'Deletes the customer backup of a ticket now (on the customer request).',
    input: TicketRef.extend({ reason: z.string().trim().min(3, 'Say why.').max(500) }).strict(),
    output: ShopTicket,
  }),
  'shop.retentionRun': defineMethod({
    summary: 'Deletes customer backups older than the retention period now (also runs by itself).',
    input: z.object({}).strict(),
    output: z.object({ deleted: z.array(z.string()) }),
  }),
  'shop.audit': defineMethod({
    summary: 'The audit log, newest first.',
    input: z.object({ ticketId: Id.optional(), limit: z.number().int().min(1).max(1000).default(200) }).strict(),
    output: z.object({ entries: z.array(ShopAuditEntry) }),
  }),
} as const;

export const shopEvents = {
  'shop.progress': defineEvent({
    summary: 'Progress of a shop backup or restore.',
    payload: z.object({
      ticketId: z.string(),
      step: z.enum(['backup', 'restore']),
      phase: z.string(),
      items: z.number().int(),
      itemsTotal: z.number().int().nullable(),
      bytes: z.number(),
      bytesTotal: z.number().nullable(),
      message: z.string().nullable(),
    }),
  }),
  'shop.phonesChanged': defineEvent({ summary: 'The adb server saw a phone arrive, leave or change state.', payload: ShopPhones }),
} as const;

export type ShopMethodName = keyof typeof shopMethods;
export type ShopEventName = keyof typeof shopEvents;
export type ShopEventPayload<E extends ShopEventName> = z.output<(typeof shopEvents)[E]['payload']>;
