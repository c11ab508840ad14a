/**
 * The Shop: tickets, the intake steps on a customer phone, the audit log and retention.
 *
 * Customer backups: every ticket gets its own encrypted backup store (<data dir>/shop/stores/<ticket>),
 * so deleting a customer's data is removing one folder, with nothing left in shared packs. All of them
 * use the shop passphrase, which the shop types once per app session in the Shop panel; it is held in
 * memory only (never written), and a small "keycheck" store checks it at unlock.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { LifelineError } from '../../../contract/errors';
import type {
  ShopAuditEntry, ShopBackupState, ShopEventName, ShopEventPayload, ShopIdentity, ShopKind, ShopPhones, ShopReadiness,
  ShopRestoreResult, ShopSettings, ShopStatus, ShopStep, ShopTicket, ShopTicketSummary,
} from '../../../contract/shop';
import { BackupStore } from '../backup/store';
import type { Clock } from '../clock';
import { applyMigrations } from '../db/migrate';
import { AdbServerBridge, serverAddressFromEnv } from '../phone/adb-server';
import type { DeviceSummary, PhoneDevice } from '../phone/device';
import { watchDevices, type DeviceWatch } from '../phone/device-watch';
import { maskImei } from '../phone/parsers/imei';
import { readAccounts, readBattery, readFrpSignals, readIdentity, readImei, readStorage } from '../phone/readers';
import { evaluateReadiness } from '../phone/parsers/readiness';
import type { EnrollmentLookup } from './enrollment';
import { backupStaged, compareCounts, readBackSnapshot, stagePhone } from './intake-backup';
import { shopMigrations } from './migrations';
import { receiptPdf, type IntakeReceipt } from './receipt';
import { restoreToPhone } from './restore-to-phone';

const DAY = 86_400_000;
export const DEFAULT_RETENTION_DAYS = 30;
export const ADB_SERVER_ENV = 'LIFELINE_ADB_SERVER';
const WATCH_LEASE_MS = 15 * 60_000;

export interface ShopServiceDeps {
  db: Database;
  clock: Clock;
  /** <data dir>/shop */
  dir: string;
  emit: <E extends ShopEventName>(name: E, payload: ShopEventPayload<E>) => void;
  enrollment?: EnrollmentLookup;
  env?: NodeJS.ProcessEnv;
  /** Tests use a cheap key derivation; real stores leave this unset. */
  kdfLogN?: number;
  /** Per-step phone limits (tests shorten them to prove nothing hangs). */
  phoneTimeouts?: { shellTimeoutMs?: number; idleTimeoutMs?: number };
  log?: (line: string) => void;
}

interface TicketRow {
  id: string;
  number: string;
  customer_name: string;
  contact: string;
  device: string;
  problem: string;
  consent_backup: number;
  consent_retention: number;
  step: ShopStep;
  serial: string | null;
  identity_json: string | null;
  readiness_json: string | null;
  backup_json: string | null;
  ready_json: string | null;
  restore_json: string | null;
  delete_after: number | null;
  created_at: number;
  updated_at: number;
}

const STEP_ORDER: ShopStep[] = ['connect', 'identity', 'readiness', 'backup', 'ready', 'restore', 'closed'];

function parseJson<T>(text: string | null): T | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

/** "host:port" or ":port" or "port" -> address; null when the text is not one. */
export function parseServerAddress(text: string): { host: string; port: number } | null {
  const m = /^(?:([^:\s]+):)?(\d{1,5})$/.exec(text.trim());
  if (!m) return null;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return null;
  return { host: m[1] ?? '127.0.0.1', port };
}

export class ShopService {
  private passphrase: string | null = null;
  private bridge: { key: string; bridge: AdbServerBridge } | null = null;
  private watch: { key: string; watch: Promise<DeviceWatch> } | null = null;
  private watchLease: NodeJS.Timeout | null = null;
  private running: { ticketId: string; step: ShopStep; abort: AbortController } | null = null;
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly deps: ShopServiceDeps) {
    this.env = deps.env ?? process.env;
    applyMigrations(deps.db, 'shop', shopMigrations, () => deps.clock.now());
    fs.mkdirSync(deps.dir, { recursive: true });
  }

  // ---- settings, store -------------------------------------------------------------------------

  settings(): ShopSettings {
    const rows = this.deps.db.prepare('SELECT key, value FROM shop_settings').all() as { key: string; value: string }[];
    const s: ShopSettings = { retentionDays: DEFAULT_RETENTION_DAYS, adbServer: null, adbPath: null };
    for (const r of rows) {
      const v = parseJson<unknown>(r.value);
      if (r.key === 'retentionDays' && typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 365) s.retentionDays = v;
      if (r.key === 'adbServer' && (typeof v === 'string' || v === null)) s.adbServer = v;
      if (r.key === 'adbPath' && (typeof v === 'string' || v === null)) s.adbPath = v;
    }
    return s;
  }

  updateSettings(patch: Partial<ShopSettings>, operator = 'settings'): ShopSettings {
    if (patch.adbServer && !parseServerAddress(patch.adbServer)) throw new LifelineError('invalid_input', 'Give the adb server as host:port, e.g. 127.0.0.1:5037.');
    const upsert = this.deps.db.prepare('INSERT INTO shop_settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at');
    const now = this.deps.clock.now();
    this.deps.db.transaction(() => {
      for (const [k, v] of Object.entries(patch)) {
        if (v === undefined) continue;
        upsert.run(k, JSON.stringify(v === '' ? null : v), now);
        this.audit(null, operator, 'settings.changed', `${k} = ${JSON.stringify(v)}`);
      }
    })();
    return this.settings();
  }

  private storeDir(ticketId: string): string {
    return path.join(this.deps.dir, 'stores', ticketId);
  }

  private keycheckDir(): string {
    return path.join(this.deps.dir, 'keycheck');
  }

  status(): ShopStatus {
    return {
      store: { exists: fs.existsSync(path.join(this.keycheckDir(), 'config')), unlocked: this.passphrase !== null },
      settings: this.settings(),
      running: this.running ? { ticketId: this.running.ticketId, step: this.running.step } : null,
    };
  }

  async unlock(passphrase: string, create: boolean): Promise<ShopStatus> {
    const exists = fs.existsSync(path.join(this.keycheckDir(), 'config'));
    if (!exists && !create) throw new LifelineError('store_missing', 'The shop has no backup passphrase yet. Choose one (at least 8 characters) and create the shop store.');
    if (exists && create) throw new LifelineError('conflict', 'The shop store already exists. Unlock it with its passphrase.');
    const store = exists
      ? await BackupStore.open(this.keycheckDir(), passphrase, { clock: this.deps.clock })
      : await BackupStore.init(this.keycheckDir(), passphrase, { clock: this.deps.clock, ...(this.deps.kdfLogN !== undefined ? { kdfLogN: this.deps.kdfLogN } : {}) });
    store.close();
    this.passphrase = passphrase;
    this.audit(null, 'shop', exists ? 'store.unlocked' : 'store.created', '');
    return this.status();
  }

  private async openTicketStore(ticketId: string, create: boolean): Promise<BackupStore> {
    if (this.passphrase === null) throw new LifelineError('store_locked', 'The shop backup store is locked. Type the shop passphrase in the Shop panel first.');
    const dir = this.storeDir(ticketId);
    if (fs.existsSync(path.join(dir, 'config'))) return BackupStore.open(dir, this.passphrase, { clock: this.deps.clock });
    if (!create) throw new LifelineError('not_found', 'This ticket has no backup (it was never made or has been deleted).');
    fs.rmSync(dir, { recursive: true, force: true });
    return BackupStore.init(dir, this.passphrase, { clock: this.deps.clock, ...(this.deps.kdfLogN !== undefined ? { kdfLogN: this.deps.kdfLogN } : {}) });
  }

  // ---- adb -------------------------------------------------------------------------------------

  adbServer(): { host: string; port: number; source: 'env' | 'setting' | 'default' } {
    const fromEnv = this.env[ADB_SERVER_ENV];
    if (fromEnv) {
      const a = parseServerAddress(fromEnv);
      if (a) return { ...a, source: 'env' };
      this.deps.log?.(`${ADB_SERVER_ENV}=${fromEnv} is not host:port; using the setting or 127.0.0.1:5037.`);
    }
    const setting = this.settings().adbServer;
    const a = setting ? parseServerAddress(setting) : null;
    if (a) return { ...a, source: 'setting' };
    // adb's own variables, as the adb command line reads them.
    if (this.env.ADB_SERVER_SOCKET || this.env.ANDROID_ADB_SERVER_PORT) return { ...serverAddressFromEnv(this.env), source: 'env' };
    return { host: '127.0.0.1', port: 5037, source: 'default' };
  }

  private getBridge(): AdbServerBridge {
    const server = this.adbServer();
    const adbPath = this.settings().adbPath;
    const key = `${server.host}:${server.port}|${adbPath ?? ''}`;
    if (this.bridge?.key !== key) {
      const loopback = server.host === '127.0.0.1' || server.host === 'localhost' || server.host === '::1';
      this.bridge = { key, bridge: new AdbServerBridge({ host: server.host, port: server.port, adbPath, startServer: loopback, env: this.env, ...this.deps.phoneTimeouts }) };
    }
    return this.bridge.bridge;
  }

  private phonesPayload(devices: DeviceSummary[], problem: ShopPhones['problem']): ShopPhones {
    const s = this.adbServer();
    return { server: `${s.host}:${s.port}`, serverSource: s.source, problem, phones: devices.map((d) => ({ serial: d.serial, state: d.state, model: d.model, product: d.product })) };
  }

  /** Lists phones now and starts live tracking (events) if it is not running. */
  async phones(): Promise<ShopPhones> {
    const bridge = this.getBridge();
    let devices: DeviceSummary[];
    try {
      devices = await bridge.listDevices();
    } catch (e) {
      if (e instanceof LifelineError) return this.phonesPayload([], { code: e.code, message: e.message });
      throw e;
    }
    const key = this.bridge?.key ?? '';
    if (this.watch?.key !== key) {
      void this.stopWatch();
      const watch = watchDevices(bridge, (list) => this.deps.emit('shop.phonesChanged', this.phonesPayload(list, null)), (err) => {
        this.deps.log?.(`adb device tracking stopped: ${err.message}`);
        // The next look at the phones starts it again.
        if (this.watch?.watch === watch) void this.stopWatch();
      });
      watch.catch(() => {
        if (this.watch?.watch === watch) this.watch = null;
      });
      this.watch = { key, watch };
    }
    // Tracking runs while someone looks at the connect step; it stops a while after the last look.
    if (this.watchLease) clearTimeout(this.watchLease);
    this.watchLease = setTimeout(() => void this.stopWatch(), WATCH_LEASE_MS);
    this.watchLease.unref();
    return this.phonesPayload(devices, null);
  }

  private async stopWatch(): Promise<void> {
    if (this.watchLease) clearTimeout(this.watchLease);
    this.watchLease = null;
    const w = this.watch;
    this.watch = null;
    if (w) await w.watch.then((x) => x.stop(), () => undefined);
  }

  private async withPhone<T>(ticket: TicketRow, fn: (device: PhoneDevice) => Promise<T>): Promise<T> {
    const device = await this.getBridge().open(ticket.serial ?? undefined);
    try {
      return await fn(device);
    } finally {
      await device.close();
    }
  }

  // ---- tickets and audit -----------------------------------------------------------------------

  audit(ticketId: string | null, operator: string, action: string, detail: string): void {
    this.deps.db.prepare('INSERT INTO shop_audit (ticket_id, at, operator, action, detail) VALUES (?, ?, ?, ?, ?)').run(ticketId, this.deps.clock.now(), operator, action, detail);
  }

  auditLog(ticketId?: string, limit = 200): ShopAuditEntry[] {
    const rows = (
      ticketId
        ? this.deps.db.prepare('SELECT id, ticket_id, at, operator, action, detail FROM shop_audit WHERE ticket_id = ? ORDER BY id DESC LIMIT ?').all(ticketId, limit)
        : this.deps.db.prepare('SELECT id, ticket_id, at, operator, action, detail FROM shop_audit ORDER BY id DESC LIMIT ?').all(limit)
    ) as { id: number; ticket_id: string | null; at: number; operator: string; action: string; detail: string }[];
    return rows.map((r) => ({ id: r.id, ticketId: r.ticket_id, at: r.at, operator: r.operator, action: r.action, detail: r.detail }));
  }

  createTicket(input: { operator: string; customerName: string; contact: string; device: string; problem: string; consentBackup: boolean; consentRetention: boolean }): ShopTicket {
    const id = crypto.randomBytes(9).toString('base64url');
    const now = this.deps.clock.now();
    const db = this.deps.db;
    db.transaction(() => {
      const n = (db.prepare('SELECT count(*) AS n FROM shop_tickets').get() as { n: number }).n + 1;
      const number = `S-${String(n).padStart(4, '0')}`;
      db.prepare(
        `INSERT INTO shop_tickets (id, number, customer_name, contact, device, problem, consent_backup, consent_retention, step, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'connect', ?, ?)`,
      ).run(id, number, input.customerName, input.contact, input.device, input.problem, input.consentBackup ? 1 : 0, input.consentRetention ? 1 : 0, now, now);
      this.audit(id, input.operator, 'ticket.created', `${number}; consent to backup: ${input.consentBackup ? 'yes' : 'no'}; to retention: ${input.consentRetention ? 'yes' : 'no'}`);
    })();
    return this.ticket(id);
  }

  private row(ticketId: string): TicketRow {
    const row = this.deps.db.prepare('SELECT * FROM shop_tickets WHERE id = ?').get(ticketId) as TicketRow | undefined;
    if (!row) throw new LifelineError('not_found', 'There is no such ticket. Pick it again from the list.');
    return row;
  }

  private summary(r: TicketRow): ShopTicketSummary {
    return { id: r.id, number: r.number, customerName: r.customer_name, contact: r.contact, device: r.device, problem: r.problem, step: r.step, createdAt: r.created_at, updatedAt: r.updated_at };
  }

  private backupState(r: TicketRow): ShopBackupState {
    const stored = parseJson<ShopBackupState>(r.backup_json);
    const stagingDir = path.join(this.deps.dir, 'staging', r.id, 'media');
    const stagedFiles = fs.existsSync(stagingDir) ? fs.readdirSync(stagingDir).filter((f) => !f.endsWith('.part')).length : 0;
    const base: ShopBackupState = stored ?? { status: 'none', snapshot: null, device: `Ticket ${r.number}`, counts: [], verified: false, message: null, stagedFiles: 0, finishedAt: null };
    const running = this.running?.ticketId === r.id && this.running.step === 'backup';
    return { ...base, status: running ? 'running' : base.status, stagedFiles };
  }

  ticket(ticketId: string): ShopTicket {
    const r = this.row(ticketId);
    return {
      ...this.summary(r),
      consentBackup: r.consent_backup === 1,
      consentRetention: r.consent_retention === 1,
      serial: r.serial,
      identity: parseJson<ShopIdentity>(r.identity_json),
      readiness: parseJson<ShopReadiness>(r.readiness_json),
      backup: this.backupState(r),
      readyForReset: parseJson<ShopTicket['readyForReset']>(r.ready_json),
      restore: parseJson<ShopRestoreResult[]>(r.restore_json),
      deleteAfter: r.delete_after,
      audit: this.auditLog(ticketId, 500),
    };
  }

  list(query?: string, limit = 100): ShopTicketSummary[] {
    const q = query?.trim();
    const rows = (
      q
        ? this.deps.db
            .prepare(
              `SELECT * FROM shop_tickets WHERE number LIKE @q ESCAPE '\\' OR customer_name LIKE @q ESCAPE '\\' OR contact LIKE @q ESCAPE '\\'
                 OR device LIKE @q ESCAPE '\\' OR problem LIKE @q ESCAPE '\\' OR serial LIKE @q ESCAPE '\\' ORDER BY created_at DESC, rowid DESC LIMIT @limit`,
            )
            .all({ q: `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, limit })
        : this.deps.db.prepare('SELECT * FROM shop_tickets ORDER BY created_at DESC, rowid DESC LIMIT ?').all(limit)
    ) as TicketRow[];
    return rows.map((r) => this.summary(r));
  }

  private update(ticketId: string, fields: Partial<Omit<TicketRow, 'id'>>): void {
    const entries = Object.entries(fields).filter(([, v]) => v !== undefined);
    const sets = [...entries.map(([k]) => `${k} = ?`), 'updated_at = ?'].join(', ');
    this.deps.db.prepare(`UPDATE shop_tickets SET ${sets} WHERE id = ?`).run(...entries.map(([, v]) => v as string | number | null), this.deps.clock.now(), ticketId);
  }

  /** Moves the ticket forward to `step` (never back, so redoing an early step keeps later results). */
  private advance(r: TicketRow, step: ShopStep): ShopStep {
    return STEP_ORDER.indexOf(step) > STEP_ORDER.indexOf(r.step) ? step : r.step;
  }

  private openTicket(ticketId: string): TicketRow {
    const r = this.row(ticketId);
    if (r.step === 'closed') throw new LifelineError('invalid_state', `Ticket ${r.number} is closed. Open a new ticket for new work.`);
    return r;
  }

  private async failing<T>(r: TicketRow, operator: string, action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.audit(r.id, operator, `${action}.failed`, msg);
      throw e;
    }
  }

  // ---- steps -----------------------------------------------------------------------------------

  async connect(ticketId: string, operator: string, serial?: string): Promise<ShopTicket> {
    const r = this.openTicket(ticketId);
    return this.failing(r, operator, 'connect', async () => {
      const device = await this.getBridge().open(serial);
      const chosen = device.serial;
      await device.close();
      this.update(ticketId, { serial: chosen, step: this.advance(r, 'identity') });
      this.audit(ticketId, operator, 'phone.connected', `serial ${chosen}`);
      return this.ticket(ticketId);
    });
  }

  async identify(ticketId: string, operator: string): Promise<ShopTicket> {
    const r = this.openTicket(ticketId);
    if (!r.serial) throw new LifelineError('invalid_state', 'Connect the phone first.');
    return this.failing(r, operator, 'identity', () =>
      this.withPhone(r, async (device) => {
        const { props, identity } = await readIdentity(device);
        const imei = await readImei(device, props);
        const battery = await readBattery(device).catch(() => null);
        const storage = await readStorage(device).catch(() => null);
        const denied = imei.attempts.find((a) => a.result.status !== 'ok');
        const v = identity.vendorOs;
        const gb = (n: number): string => `${(n / 1e9).toFixed(1)} GB`;
        const id: ShopIdentity = {
          brand: identity.brand,
          model: identity.model,
          marketingName: identity.marketingName,
          serial: identity.serial?.value ?? device.serial,
          android: identity.android.release,
          securityPatch: identity.android.securityPatch,
          vendorOs: v ? `${v.name}${v.version ? ` ${v.version}` : ''}` : null,
          imeis: imei.imeis.map(maskImei),
          imeiNote: imei.imeis.length === 0 ? `The phone did not share its IMEI${denied ? ' (permission refused)' : ''}; read it from the SIM tray or dial *#06#.` : null,
          battery: battery ? `${battery.percent ?? '?'}%${battery.health ? `, ${battery.health}` : ''}${battery.status ? `, ${battery.status.replace('_', ' ')}` : ''}` : null,
          storage: storage ? `${gb(storage.freeBytes)} free of ${gb(storage.totalBytes)}` : null,
          readAt: this.deps.clock.now(),
        };
        this.update(ticketId, { identity_json: JSON.stringify(id), step: this.advance(r, 'readiness') });
        this.audit(ticketId, operator, 'phone.identified', `${id.brand ?? ''} ${id.model ?? ''}, Android ${id.android ?? '?'}, serial ${id.serial ?? '?'}, IMEI ${id.imeis.join(', ') || 'not shared'}`);
        return this.ticket(ticketId);
      }),
    );
  }

  async checkReadiness(ticketId: string, operator: string): Promise<ShopTicket> {
    const r = this.openTicket(ticketId);
    if (!r.serial) throw new LifelineError('invalid_state', 'Connect the phone first.');
    return this.failing(r, operator, 'readiness', () =>
      this.withPhone(r, async (device) => {
        const { props, identity } = await readIdentity(device);
        const accounts = await readAccounts(device);
        const frp = await readFrpSignals(device, props);
        const imei = await readImei(device, props).catch(() => ({ imeis: [] as string[] }));
        const lifeline = this.deps.enrollment?.({ serial: identity.serial?.value ?? device.serial, imeis: imei.imeis }) ?? null;
        const report = evaluateReadiness({ identity, accounts, frp, lifeline });
        const readiness: ShopReadiness = { ...report, lifeline, checkedAt: this.deps.clock.now() };
        this.update(ticketId, { readiness_json: JSON.stringify(readiness), step: this.advance(r, 'backup') });
        this.audit(ticketId, operator, 'readiness.checked', `${report.verdict === 'ready' ? 'Ready for reset' : 'Not ready'}: ${report.summary}${lifeline?.lostMode ? ' WARNING: Lifeline lost mode is on.' : ''}`);
        return this.ticket(ticketId);
      }),
    );
  }

  private async exclusive<T>(ticketId: string, step: ShopStep, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.running) throw new LifelineError('busy', 'Another backup or restore is running. Wait for it or stop it first.');
    const abort = new AbortController();
    this.running = { ticketId, step, abort };
    try {
      return await fn(abort.signal);
    } finally {
      this.running = null;
    }
  }

  cancel(): boolean {
    if (!this.running) return false;
    this.running.abort.abort();
    return true;
  }

  async backup(ticketId: string, operator: string): Promise<ShopTicket> {
    const r = this.openTicket(ticketId);
    if (!r.consent_backup) throw new LifelineError('invalid_state', 'The customer did not consent to a backup on this ticket. Ask them, and open a new ticket with consent ticked.');
    if (!r.serial) throw new LifelineError('invalid_state', 'Connect the phone first.');
    if (this.passphrase === null) throw new LifelineError('store_locked', 'The shop backup store is locked. Type the shop passphrase in the Shop panel first.');
    const stagingDir = path.join(this.deps.dir, 'staging', ticketId);
    const resumed = fs.existsSync(stagingDir);
    const deviceName = `Ticket ${r.number}`;
    const save = (state: Partial<ShopBackupState>): void => {
      const prev = this.backupState(this.row(ticketId));
      this.update(ticketId, { backup_json: JSON.stringify({ ...prev, ...state, device: deviceName }) });
    };
    await this.exclusive(ticketId, 'backup', async (signal) => {
      this.audit(ticketId, operator, resumed ? 'backup.resumed' : 'backup.started', `into "${deviceName}"`);
      // Copies staged from an abandoned ticket are customer data too: retention covers them from the start.
      if (r.delete_after === null) this.update(ticketId, { delete_after: this.deps.clock.now() + this.settings().retentionDays * DAY });
      save({ status: 'running', message: null, verified: false });
      const progress = (phase: string, items: number, itemsTotal: number | null, bytes: number, bytesTotal: number | null, message: string | null): void =>
        this.deps.emit('shop.progress', { ticketId, step: 'backup', phase, items, itemsTotal, bytes, bytesTotal, message });
      try {
        const staged = await this.withPhone(r, (device) =>
          stagePhone(device, stagingDir, { signal, onProgress: (p) => progress(p.phase, p.items, p.itemsTotal, p.bytes, p.bytesTotal, p.message) }),
        );
        const store = await this.openTicketStore(ticketId, true);
        try {
          const receipt = await backupStaged(store, deviceName, staged, { signal, onProgress: (items, bytes) => progress('storing', items, null, bytes, null, null) });
          progress('verifying', 0, null, 0, null, null);
          const readBack = await readBackSnapshot(store, receipt.snapshot, signal);
          const { counts, complete } = compareCounts(staged, readBack);
          const now = this.deps.clock.now();
          const deleteAfter = now + this.settings().retentionDays * DAY;
          const message = complete ? null : [...readBack.problems.slice(0, 5), 'The backup is not complete; see the notes per kind.'].join(' ');
          save({ status: complete ? 'verified' : 'failed', snapshot: receipt.snapshot, counts, verified: complete, message, finishedAt: now });
          this.update(ticketId, { delete_after: deleteAfter, step: this.advance(this.row(ticketId), complete ? 'ready' : 'backup') });
          const t = this.ticket(ticketId);
          const intake: IntakeReceipt = {
            format: 'lifeline-shop-intake-receipt',
            version: 1,
            ticket: { number: r.number, customerName: r.customer_name, contact: r.contact, device: r.device, problem: r.problem, consentBackup: true, consentRetention: r.consent_retention === 1 },
            phone: { brand: t.identity?.brand ?? null, model: t.identity?.model ?? null, serial: t.identity?.serial ?? r.serial, android: t.identity?.android ?? null, imeis: t.identity?.imeis ?? [] },
            operator,
            createdAt: new Date(now).toISOString(),
            verified: complete,
            deleteAfter: new Date(deleteAfter).toISOString(),
            counts,
            backup: { storeId: receipt.storeId, snapshot: receipt.snapshot, device: receipt.device, committedAt: receipt.committedAt, digest: receipt.digest, totalItems: receipt.totals.items, totalBytes: receipt.totals.bytes, storedBytes: receipt.totals.storedBytes },
          };
          const receiptsDir = path.join(this.deps.dir, 'receipts');
          await fsp.mkdir(receiptsDir, { recursive: true });
          await fsp.writeFile(path.join(receiptsDir, `${ticketId}.json`), JSON.stringify(intake, null, 2));
          await fsp.writeFile(path.join(receiptsDir, `${ticketId}.pdf`), await receiptPdf(intake));
          // The staged copy is customer data in the clear; it goes as soon as the encrypted copy is proven.
          if (complete) fs.rmSync(stagingDir, { recursive: true, force: true });
          const summary = counts.map((c) => `${c.kind} ${c.status === 'ok' ? `${c.onPhone}/${c.inBackup}` : 'not allowed'}`).join(', ');
          this.audit(ticketId, operator, complete ? 'backup.verified' : 'backup.incomplete', `snapshot ${receipt.snapshot}; phone/backup: ${summary}; digest ${receipt.digest.value.slice(0, 16)}`);
        } finally {
          store.close();
        }
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        const stopped = e instanceof LifelineError && (e.code === 'cancelled' || e.code === 'device_unreachable');
        save({ status: stopped ? 'interrupted' : 'failed', message: msg });
        this.audit(ticketId, operator, stopped ? 'backup.interrupted' : 'backup.failed', msg);
        throw e;
      }
    });
    return this.ticket(ticketId);
  }

  async receipt(ticketId: string, format: 'json' | 'pdf'): Promise<{ fileName: string; mimeType: string; base64: string }> {
    const r = this.row(ticketId);
    const file = path.join(this.deps.dir, 'receipts', `${ticketId}.${format}`);
    if (!fs.existsSync(file)) throw new LifelineError('not_found', 'This ticket has no receipt yet. Make the backup first.');
    return { fileName: `lifeline-receipt-${r.number}.${format}`, mimeType: format === 'pdf' ? 'application/pdf' : 'application/json', base64: (await fsp.readFile(file)).toString('base64') };
  }

  markReady(ticketId: string, operator: string, overrideReason?: string): ShopTicket {
    const r = this.openTicket(ticketId);
    const t = this.ticket(ticketId);
    const green = t.readiness?.verdict === 'ready';
    const verified = t.backup.verified;
    if ((!green || !verified) && !overrideReason) {
      const why = [!verified ? 'there is no verified backup' : null, !green ? (t.readiness ? 'the lock check is not green' : 'the lock check has not been run') : null].filter(Boolean).join(' and ');
      throw new LifelineError('invalid_state', `Not ready for reset: ${why}. Fix that first, or give an override reason (it goes to the audit log).`);
    }
    const override = !green || !verified ? (overrideReason ?? null) : null;
    this.update(ticketId, { ready_json: JSON.stringify({ at: this.deps.clock.now(), operator, override }), step: this.advance(r, 'restore') });
    this.audit(ticketId, operator, override ? 'ready.override' : 'ready.confirmed', override ? `Override: ${override} (backup verified: ${verified ? 'yes' : 'no'}; lock check: ${t.readiness?.verdict ?? 'not run'})` : 'Verified backup and green lock check.');
    return this.ticket(ticketId);
  }

  async restore(ticketId: string, operator: string, kinds?: ShopKind[]): Promise<ShopTicket> {
    const r = this.openTicket(ticketId);
    const t = this.ticket(ticketId);
    if (!t.backup.snapshot || t.backup.status === 'deleted') throw new LifelineError('invalid_state', 'This ticket has no backup to restore.');
    const snapshot = t.backup.snapshot;
    const want = kinds?.length ? kinds : (['media', 'contacts', 'calls', 'sms', 'mms'] as ShopKind[]);
    await this.exclusive(ticketId, 'restore', async (signal) => {
      this.audit(ticketId, operator, 'restore.started', want.join(', '));
      try {
        const store = await this.openTicketStore(ticketId, false);
        try {
          const results = await this.withPhone(r, (device) =>
            restoreToPhone(store, snapshot, device, {
              kinds: want,
              ticketNumber: r.number,
              signal,
              onProgress: (p) => this.deps.emit('shop.progress', { ticketId, step: 'restore', phase: p.kind, items: p.items, itemsTotal: null, bytes: p.bytes, bytesTotal: null, message: null }),
            }),
          );
          this.update(ticketId, { restore_json: JSON.stringify(results), step: this.advance(this.row(ticketId), 'restore') });
          this.audit(ticketId, operator, 'restore.finished', results.map((x) => `${x.kind}: ${x.status} (${x.count})`).join('; '));
        } finally {
          store.close();
        }
      } catch (e) {
        this.audit(ticketId, operator, 'restore.failed', e instanceof Error ? e.message : String(e));
        throw e;
      }
    });
    return this.ticket(ticketId);
  }

  async close(ticketId: string, operator: string): Promise<ShopTicket> {
    const r = this.openTicket(ticketId);
    if (this.running?.ticketId === ticketId) throw new LifelineError('busy', 'A backup or restore of this ticket is running. Wait for it or stop it first.');
    this.update(ticketId, { step: 'closed' });
    this.audit(ticketId, operator, 'ticket.closed', '');
    if (r.consent_retention === 0) await this.deleteBackup(ticketId, operator, 'The customer did not agree to keeping the backup after the ticket.');
    return this.ticket(ticketId);
  }

  async deleteBackup(ticketId: string, operator: string, reason: string): Promise<ShopTicket> {
    this.row(ticketId);
    if (this.running?.ticketId === ticketId) throw new LifelineError('busy', 'A backup or restore of this ticket is running. Stop it first.');
    const dir = this.storeDir(ticketId);
    const staging = path.join(this.deps.dir, 'staging', ticketId);
    const had = fs.existsSync(dir) || fs.existsSync(staging);
    await fsp.rm(dir, { recursive: true, force: true });
    await fsp.rm(staging, { recursive: true, force: true });
    const prev = this.backupState(this.row(ticketId));
    if (had || prev.status !== 'none') {
      this.update(ticketId, { backup_json: JSON.stringify({ ...prev, status: 'deleted', verified: false, stagedFiles: 0 }), delete_after: null });
      this.audit(ticketId, operator, 'backup.deleted', reason);
    }
    return this.ticket(ticketId);
  }

  /** Deletes customer backups whose retention ran out; each deletion is in the audit log. */
  async runRetention(): Promise<string[]> {
    const due = this.deps.db.prepare('SELECT id, number FROM shop_tickets WHERE delete_after IS NOT NULL AND delete_after <= ?').all(this.deps.clock.now()) as { id: string; number: string }[];
    const deleted: string[] = [];
    for (const t of due) {
      if (this.running?.ticketId === t.id) continue;
      await this.deleteBackup(t.id, 'retention', `Kept for ${this.settings().retentionDays} days (retention setting).`);
      deleted.push(t.number);
    }
    return deleted;
  }

  /** Runs retention now and then hourly; returns the stop function for app shutdown. */
  startMaintenance(): () => Promise<void> {
    const tick = (): void => void this.runRetention().catch((e: unknown) => this.deps.log?.(`shop retention failed: ${e instanceof Error ? e.message : String(e)}`));
    tick();
    const timer = setInterval(tick, 3_600_000);
    timer.unref();
    return async () => {
      clearInterval(timer);
      this.running?.abort.abort();
      await this.stopWatch();
      this.passphrase = null;
    };
  }
}
