import type { Database } from 'better-sqlite3';
import crypto from 'node:crypto';
import QRCode from 'qrcode';
import type { z } from 'zod';
import { LifelineError } from '../../../contract';
import {
  AgentActivateRequest,
  AgentCommandResult,
  AgentEnrollRequest,
  AgentReport,
  DeviceSettings,
  type AgentCommandOut,
  type AlertKind,
  type CommandStatus,
  type CommandType,
  type DeviceAlert,
  type DeviceCommand,
  type DeviceCommandRequest,
  type DeviceEventName,
  type DeviceEventPayload,
  type DeviceSummary,
  type HistoryPoint,
  type LocationSource,
  type LostModeState,
  type NetworkType,
} from '../../../contract/devices';
import type { Clock } from '../clock';
import type { DeviceAccountGate, OwnerMessage } from './account-gate';
import { toGeoJson, toGpx } from './geo-export';
import { FailureThrottle, TokenBuckets, type FailureLimit } from './limits';
import type { PlaceIndex } from './places';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const ENROLL_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const ENROLL_CODE_LENGTH = 8;
export const ENROLL_CODE_TTL_MS = 10 * MINUTE;
/** A phone that reported within this window is shown as online. */
export const ONLINE_WINDOW_MS = 5 * MINUTE;
/** A token unused for this long stops working; the phone gets back in with POST /agent/v1/activate. */
export const DEVICE_TOKEN_IDLE_MS = 180 * DAY;
/** A command handed out but not answered is handed out again after this long (agents dedupe by id). */
export const REDELIVER_AFTER_MS = 2 * MINUTE;
/** Reports may be buffered offline, but not for longer than this; and phone clocks drift only so far. */
export const MAX_REPORT_AGE_MS = 7 * DAY;
export const MAX_REPORT_SKEW_MS = 5 * MINUTE;
/** A lost phone that keeps reporting alerts the owner again at most this often. */
export const LOST_ALERT_EVERY_MS = HOUR;
export const DEFAULT_SETTINGS: DeviceSettings = { historyRetentionDays: 30, onlineTileUrl: null };

export interface DeviceLimits {
  /** Report flood guard per device: a burst, then this many per second. */
  reportBurst: number;
  reportsPerSecond: number;
  /** Unauthenticated agent calls (bad tokens) per IP: a burst, then this many per second. */
  badTokenBurst: number;
  badTokensPerSecond: number;
  /** Activation: like sign-in (10 in a row per device+IP then an hour off; 100 per IP per day). */
  activatePerDeviceIp: FailureLimit;
  activatePerIp: FailureLimit;
  /** Wrong enrollment codes per IP. */
  enrollFailuresPerIp: FailureLimit;
  /** New enrollment codes per account. */
  enrollCodesPerAccount: FailureLimit;
  /** Wrong passwords for erase/remove per account. */
  passwordFailuresPerAccount: FailureLimit;
}

export const DEFAULT_LIMITS: DeviceLimits = {
  reportBurst: 12,
  reportsPerSecond: 0.5,
  badTokenBurst: 30,
  badTokensPerSecond: 1,
  activatePerDeviceIp: { max: 10, windowMs: HOUR },
  activatePerIp: { max: 100, windowMs: DAY },
  enrollFailuresPerIp: { max: 20, windowMs: HOUR },
  enrollCodesPerAccount: { max: 10, windowMs: HOUR },
  passwordFailuresPerAccount: { max: 5, windowMs: 15 * MINUTE },
};

/** Where events go; `eventSinkFrom(app.events)` adapts the app's EventBus. */
export interface DeviceEventSink {
  emit<E extends DeviceEventName>(name: E, payload: DeviceEventPayload<E>): void;
}

/** Adapts any bus with an `emit(name, payload)` (the app's EventBus once the device events are in the contract). */
export function eventSinkFrom(bus: { emit(name: never, payload: never): void }): DeviceEventSink {
  return { emit: (name, payload) => bus.emit(name as never, payload as never) };
}

export interface DevicesServiceOptions {
  db: Database;
  clock: Clock;
  events: DeviceEventSink;
  gate: DeviceAccountGate;
  places?: PlaceIndex;
  /** LIFELINE_PUBLIC_URL; wins over the host's own address for enrollment links. */
  publicUrl?: string;
  limits?: Partial<DeviceLimits>;
  /** Operational notes (never personal data or secrets). */
  log?: (line: string) => void;
}

/** A device row as read for a request; opaque outside this service. */
export type AuthenticatedDevice = Readonly<DeviceRow>;

interface DeviceRow {
  id: string;
  account_id: string;
  name: string;
  model: string;
  platform: 'android' | 'ios' | 'other';
  os_version: string;
  serial: string | null;
  token_issued_at: number | null;
  find_device: number;
  activation_lock: number;
  lost_mode: LostModeState;
  lost_message: string | null;
  lost_phone: string | null;
  lost_alerted_at: number | null;
  erased: number;
  battery_percent: number | null;
  battery_charging: number | null;
  network_type: string | null;
  network_operator: string | null;
  sim_slot: number | null;
  sim_operator: string | null;
  sim_iccid_hash: string | null;
  screen_locked: number | null;
  created_at: number;
  last_seen_at: number | null;
}

const DEVICE_COLUMNS = `id, account_id, name, model, platform, os_version, serial, token_issued_at, find_device, activation_lock,
  lost_mode, lost_message, lost_phone, lost_alerted_at, erased, battery_percent, battery_charging, network_type,
  network_operator, sim_slot, sim_operator, sim_iccid_hash, screen_locked, created_at, last_seen_at`;

interface CommandRow {
  id: string;
  device_id: string;
  type: CommandType;
  params: string;
  status: CommandStatus;
  created_at: number;
  delivered_at: number | null;
  finished_at: number | null;
  detail: string | null;
}

interface PendingEvent {
  emit(sink: DeviceEventSink): void;
}

/** The one refusal for every unusable device token: forged, expired, revoked, erased or removed. */
const DEAD_TOKEN_MESSAGE =
  'This device token is not valid (wrong, expired, or ended by an erase or removal). Link the phone again with a new code, or activate it with the owner\'s account.';
const ACTIVATION_REFUSED =
  'Activation refused: the account or password is not right for this device. Use the credentials of the account the phone is linked to.';

/**
 * Devices linked to accounts: enrollment, agent reports and commands, the owner's view and commands,
 * alerts and the activation lock. Plain Node; every time comes from the injected clock.
 */
export class DevicesService {
  private readonly db: Database;
  private readonly clock: Clock;
  private readonly events: DeviceEventSink;
  private readonly gate: DeviceAccountGate;
  private readonly places: PlaceIndex | undefined;
  private readonly publicUrl: string | undefined;
  private readonly limits: DeviceLimits;
  private readonly log: (line: string) => void;
  private readonly reportBuckets: TokenBuckets;
  private readonly badTokenBuckets: TokenBuckets;
  private readonly throttle: FailureThrottle;
  private hostUrl: string | undefined;
  private readonly pendingNotifications = new Set<Promise<void>>();

  constructor(options: DevicesServiceOptions) {
    this.db = options.db;
    this.clock = options.clock;
    this.events = options.events;
    this.gate = options.gate;
    this.places = options.places;
    this.publicUrl = options.publicUrl?.replace(/\/+$/, '');
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.log = options.log ?? (() => undefined);
    this.reportBuckets = new TokenBuckets(this.clock, this.limits.reportBurst, this.limits.reportsPerSecond);
    this.badTokenBuckets = new TokenBuckets(this.clock, this.limits.badTokenBurst, this.limits.badTokensPerSecond);
    this.throttle = new FailureThrottle(this.db, this.clock);
  }

  /** The web host's own address, used for enrollment links when LIFELINE_PUBLIC_URL is not set. */
  setHostUrl(url: string | undefined): void {
    this.hostUrl = url?.replace(/\/+$/, '');
  }

  // -------------------------------------------------------------------------------------------
  // Owner side. Every method takes the account id from the session; a device of another account
  // is answered exactly like one that does not exist.

  list(accountId: string): DeviceSummary[] {
    const rows = this.db
      .prepare(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE account_id = ? ORDER BY created_at, rowid`)
      .all(accountId) as DeviceRow[];
    return rows.map((row) => this.summarize(row));
  }

  device(accountId: string, deviceId: string): DeviceSummary {
    return this.summarize(this.ownedDevice(accountId, deviceId));
  }

  async startEnrollment(accountId: string): Promise<{
    code: string;
    expiresAt: number;
    enrollUrl: string;
    qrDataUrl: string;
    reachableFromPhones: boolean;
  }> {
    const base = this.publicUrl ?? this.hostUrl;
    if (!base) {
      throw new LifelineError(
        'unavailable',
        'Phones have no address to reach Lifeline. Set LIFELINE_PUBLIC_URL (or start the web host) and try again.',
      );
    }
    const codeKey = `enroll-codes:${accountId}`;
    const wait = this.throttle.blockedFor(codeKey, this.limits.enrollCodesPerAccount);
    if (wait > 0) {
      throw new LifelineError('rate_limited', `Too many new codes in a short time. Try again in ${minutes(wait)}.`, { retryAfterMs: wait });
    }
    const now = this.clock.now();
    const expiresAt = now + ENROLL_CODE_TTL_MS;
    let code = '';
    for (let attempt = 0; ; attempt++) {
      code = randomCode();
      const inserted = this.db
        .prepare('INSERT OR IGNORE INTO device_enrollment_codes (code_hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)')
        .run(codeHash(code), accountId, now, expiresAt);
      if (inserted.changes === 1) break;
      if (attempt > 5) throw new LifelineError('internal', 'Could not make a new code. Try again.');
    }
    this.throttle.fail(codeKey);
    this.db.prepare('DELETE FROM device_enrollment_codes WHERE expires_at < ?').run(now - DAY);
    const enrollUrl = `${base}/agent/v1/enroll#code=${code}`;
    const qrDataUrl = await QRCode.toDataURL(enrollUrl, { errorCorrectionLevel: 'M', margin: 2, width: 256 });
    return { code: `${code.slice(0, 4)}-${code.slice(4)}`, expiresAt, enrollUrl, qrDataUrl, reachableFromPhones: !isLoopbackUrl(base) };
  }

  history(accountId: string, deviceId: string, range: { from?: number; to?: number; limit?: number }): { points: HistoryPoint[]; truncated: boolean } {
    this.ownedDevice(accountId, deviceId);
    return this.trail(deviceId, range);
  }

  exportHistory(
    accountId: string,
    deviceId: string,
    format: 'gpx' | 'geojson',
    range: { from?: number; to?: number },
  ): { fileName: string; mimeType: string; content: string; points: number } {
    const device = this.ownedDevice(accountId, deviceId);
    const { points } = this.trail(deviceId, { ...range, limit: 100_000 });
    const stem = `${slug(device.name)}-${new Date(this.clock.now()).toISOString().slice(0, 10)}`;
    return format === 'gpx'
      ? { fileName: `${stem}.gpx`, mimeType: 'application/gpx+xml', content: toGpx(device.name, points), points: points.length }
      : { fileName: `${stem}.geojson`, mimeType: 'application/geo+json', content: toGeoJson(device.name, points), points: points.length };
  }

  async command(accountId: string, deviceId: string, request: DeviceCommandRequest, caller: { ip: string; userAgent: string }): Promise<DeviceCommand> {
    let device = this.ownedDevice(accountId, deviceId);
    if (device.erased === 1) {
      throw new LifelineError('invalid_state', `"${device.name}" has been erased. It takes commands again once it is activated with your account.`);
    }
    let params: Record<string, unknown> = {};
    switch (request.type) {
      case 'ring':
        params = { seconds: request.seconds };
        break;
      case 'lost_mode':
        params = { message: request.message, phone: request.phone };
        break;
      case 'erase': {
        if (normalizeName(request.confirmName) !== normalizeName(device.name)) {
          throw new LifelineError('invalid_input', `The name you typed does not match "${device.name}". Type the device's name exactly to erase it.`);
        }
        await this.checkPassword(accountId, request.password, caller);
        device = this.ownedDevice(accountId, deviceId);
        if (device.erased === 1) throw new LifelineError('invalid_state', `"${device.name}" has already been erased.`);
        break;
      }
      default:
        break;
    }
    const now = this.clock.now();
    const id = `cmd_${crypto.randomBytes(12).toString('base64url')}`;
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO device_commands (id, device_id, type, params, status, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(id, deviceId, request.type, JSON.stringify(params), 'queued', now);
      if (request.type === 'lost_mode') {
        this.db
          .prepare("UPDATE devices SET lost_mode = 'pending', lost_message = ?, lost_phone = ?, lost_alerted_at = NULL WHERE id = ?")
          .run(request.message, request.phone, deviceId);
      } else if (request.type === 'end_lost_mode') {
        this.db.prepare("UPDATE devices SET lost_mode = 'ending' WHERE id = ? AND lost_mode <> 'off'").run(deviceId);
      }
    }).immediate();
    this.events.emit('devices.commandUpdated', { deviceId, commandId: id, type: request.type, status: 'queued' });
    if (request.type === 'lost_mode' || request.type === 'end_lost_mode') this.events.emit('devices.updated', { deviceId });
    return toCommand(this.commandRow(id));
  }

  commands(accountId: string, deviceId: string, limit = 100): DeviceCommand[] {
    this.ownedDevice(accountId, deviceId);
    const rows = this.db
      .prepare('SELECT * FROM device_commands WHERE device_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?')
      .all(deviceId, limit) as CommandRow[];
    return rows.map(toCommand);
  }

  /** "Remove from account": the activation lock goes off, the token dies, the history goes. */
  async remove(accountId: string, deviceId: string, password: string, caller: { ip: string; userAgent: string }): Promise<void> {
    this.ownedDevice(accountId, deviceId);
    await this.checkPassword(accountId, password, caller);
    const deleted = this.db.prepare('DELETE FROM devices WHERE id = ? AND account_id = ?').run(deviceId, accountId);
    if (deleted.changes === 0) throw notFound();
    this.events.emit('devices.updated', { deviceId, removed: true });
  }

  alerts(accountId: string, options: { deviceId?: string; limit?: number } = {}): DeviceAlert[] {
    const limit = options.limit ?? 100;
    if (options.deviceId !== undefined) this.ownedDevice(accountId, options.deviceId);
    const rows = this.db
      .prepare(
        `SELECT a.id, a.device_id, d.name AS device_name, a.kind, a.message, a.at
         FROM device_alerts a JOIN devices d ON d.id = a.device_id
         WHERE a.account_id = ? AND (? IS NULL OR a.device_id = ?)
         ORDER BY a.at DESC, a.rowid DESC LIMIT ?`,
      )
      .all(accountId, options.deviceId ?? null, options.deviceId ?? null, limit) as {
      id: string;
      device_id: string;
      device_name: string;
      kind: AlertKind;
      message: string;
      at: number;
    }[];
    return rows.map((r) => ({ id: r.id, deviceId: r.device_id, deviceName: r.device_name, kind: r.kind, message: r.message, at: r.at }));
  }

  settings(): DeviceSettings {
    const rows = this.db.prepare('SELECT key, value FROM device_settings').all() as { key: string; value: string }[];
    const stored: Record<string, unknown> = {};
    for (const row of rows) {
      try {
        stored[row.key] = JSON.parse(row.value);
      } catch {
        // An unreadable value falls back to its default.
      }
    }
    const parsed = DeviceSettings.safeParse({ ...DEFAULT_SETTINGS, ...stored });
    return parsed.success ? parsed.data : DEFAULT_SETTINGS;
  }

  updateSettings(patch: Partial<DeviceSettings>): DeviceSettings {
    const now = this.clock.now();
    const upsert = this.db.prepare(
      'INSERT INTO device_settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
    );
    this.db.transaction(() => {
      for (const [key, value] of Object.entries(patch)) if (value !== undefined) upsert.run(key, JSON.stringify(value), now);
    })();
    this.pruneHistory();
    return this.settings();
  }

  // -------------------------------------------------------------------------------------------
  // Agent side (/agent/v1/). Bodies arrive unparsed; validation errors become clear 400s.

  enroll(body: unknown, ip: string): { deviceId: string; deviceToken: string } {
    const input = parseAgent(AgentEnrollRequest, body);
    const ipKey = `enroll-ip:${ip}`;
    const wait = this.throttle.blockedFor(ipKey, this.limits.enrollFailuresPerIp);
    if (wait > 0) throw new LifelineError('rate_limited', `Too many wrong codes from this address. Try again in ${minutes(wait)}.`, { retryAfterMs: wait });
    const code = normalizeCode(input.code);
    const now = this.clock.now();
    const token = newDeviceToken();
    const result = this.db.transaction((): { deviceId: string; relinked: boolean } | 'bad_code' => {
      const claimed = this.db
        .prepare('UPDATE device_enrollment_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING account_id')
        .get(now, codeHash(code), now) as { account_id: string } | undefined;
      if (!claimed) return 'bad_code';
      const accountId = claimed.account_id;
      let deviceId: string;
      let relinked = false;
      const existing =
        input.serial === undefined
          ? undefined
          : (this.db.prepare('SELECT id, account_id FROM devices WHERE serial = ?').get(input.serial) as { id: string; account_id: string } | undefined);
      if (existing && existing.account_id !== accountId) {
        // Throwing rolls the claim back: the owner's code stays usable for another phone.
        throw new LifelineError(
          'forbidden',
          'This phone is activation-locked to another account. Its owner must remove it from their account first, or activate it with their credentials.',
        );
      }
      if (existing) {
        deviceId = existing.id;
        relinked = true;
        this.db
          .prepare(
            `UPDATE devices SET name = ?, model = ?, platform = ?, os_version = ?, imei = COALESCE(?, imei), token_hash = ?, token_issued_at = ?,
               erased = 0, lost_mode = 'off', lost_message = NULL, lost_phone = NULL, find_device = 1, activation_lock = 1, last_seen_at = ?
             WHERE id = ?`,
          )
          .run(input.name, input.model, input.platform, input.osVersion, input.imei ?? null, tokenHash(token), now, now, deviceId);
      } else {
        deviceId = `dev_${crypto.randomBytes(12).toString('base64url')}`;
        this.db
          .prepare(
            `INSERT INTO devices (id, account_id, name, model, platform, os_version, serial, imei, token_hash, token_issued_at, created_at, last_seen_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(deviceId, accountId, input.name, input.model, input.platform, input.osVersion, input.serial ?? null, input.imei ?? null, tokenHash(token), now, now, now);
      }
      this.db.prepare('UPDATE device_enrollment_codes SET device_id = ? WHERE code_hash = ?').run(deviceId, codeHash(code));
      return { deviceId, relinked };
    }).immediate();
    if (result === 'bad_code') {
      this.throttle.fail(ipKey);
      throw new LifelineError('invalid_code', 'The code is wrong, already used or expired. Make a new one in Lifeline (Devices > Add device) and try again.');
    }
    this.events.emit('devices.updated', { deviceId: result.deviceId });
    return { deviceId: result.deviceId, deviceToken: token };
  }

  /** The device a Bearer token belongs to, or a 401 (with a flood guard for wrong tokens per IP). */
  authenticate(authorization: string | undefined, ip: string): AuthenticatedDevice {
    const match = /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(authorization ?? '');
    const row = match?.[1] === undefined
      ? undefined
      : (this.db.prepare(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE token_hash = ?`).get(tokenHash(match[1])) as DeviceRow | undefined);
    const idleSince = row ? Math.max(row.last_seen_at ?? 0, row.token_issued_at ?? 0) : 0;
    if (!row || row.erased === 1 || this.clock.now() - idleSince > DEVICE_TOKEN_IDLE_MS) {
      const flood = this.badTokenBuckets.take(`ip:${ip}`);
      if (!flood.allowed) {
        throw new LifelineError('rate_limited', 'Too many requests with a wrong device token from this address. Wait and try again.', {
          retryAfterMs: flood.retryAfterMs,
        });
      }
      throw new LifelineError('unauthorized', DEAD_TOKEN_MESSAGE);
    }
    return row;
  }

  report(authorization: string | undefined, body: unknown, ip: string): { commands: AgentCommandOut[] } {
    return this.reportFrom(this.authenticate(authorization, ip), body);
  }

  /** A report from a device already authenticated with `authenticate`. */
  reportFrom(device: AuthenticatedDevice, body: unknown): { commands: AgentCommandOut[] } {
    const limited = this.reportBuckets.take(device.id);
    if (!limited.allowed) {
      throw new LifelineError('rate_limited', 'This device is sending reports too fast. Wait for Retry-After seconds, then send the latest one.', {
        retryAfterMs: limited.retryAfterMs,
      });
    }
    const input = parseAgent(AgentReport, body);
    const now = this.clock.now();
    const at = typeof input.at === 'number' ? input.at : Date.parse(input.at);
    if (!Number.isFinite(at)) throw new LifelineError('invalid_input', 'at is not a valid time.');
    if (at > now + MAX_REPORT_SKEW_MS) {
      throw new LifelineError('invalid_input', `at is ${describeSpan(at - now)} in the future. Check the phone's date and time settings.`);
    }
    if (at < now - MAX_REPORT_AGE_MS) {
      throw new LifelineError('invalid_input', `at is ${describeSpan(now - at)} in the past; reports older than 7 days are not accepted. Send newer reports only.`);
    }

    const pending: PendingEvent[] = [];
    const notifications: { accountId: string; message: OwnerMessage }[] = [];
    const commands = this.db.transaction((): AgentCommandOut[] => {
      const current = this.db.prepare(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE id = ?`).get(device.id) as DeviceRow | undefined;
      if (!current || current.erased === 1) throw new LifelineError('unauthorized', DEAD_TOKEN_MESSAGE);
      const loc = input.location;
      const previous = this.db.prepare('SELECT max(at) AS at FROM device_reports WHERE device_id = ?').get(current.id) as { at: number | null };
      // The device row shows the newest state; a late, buffered report only adds to the history.
      const newest = previous.at === null || at >= previous.at;
      this.db
        .prepare(
          `INSERT INTO device_reports (device_id, at, received_at, lat, lon, accuracy_m, source, battery_percent, battery_charging,
             network_type, network_operator, sim_slot, sim_operator, sim_iccid_hash)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          current.id,
          at,
          now,
          loc?.lat ?? null,
          loc?.lon ?? null,
          loc?.accuracyM ?? null,
          loc?.source ?? null,
          input.battery?.percent ?? null,
          input.battery === undefined ? null : input.battery.charging ? 1 : 0,
          input.network?.type ?? null,
          input.network?.operator ?? null,
          input.sim?.slot ?? null,
          input.sim?.operator ?? null,
          input.sim?.iccidHash ?? null,
        );

      if (newest) {
        this.db
          .prepare(
            `UPDATE devices SET last_seen_at = ?,
               battery_percent = COALESCE(?, battery_percent), battery_charging = COALESCE(?, battery_charging),
               network_type = COALESCE(?, network_type), network_operator = CASE WHEN ? IS NULL THEN network_operator ELSE ? END,
               sim_slot = COALESCE(?, sim_slot), sim_operator = CASE WHEN ? IS NULL THEN sim_operator ELSE ? END,
               sim_iccid_hash = COALESCE(?, sim_iccid_hash), screen_locked = COALESCE(?, screen_locked)
             WHERE id = ?`,
          )
          .run(
            now,
            input.battery?.percent ?? null,
            input.battery === undefined ? null : input.battery.charging ? 1 : 0,
            input.network?.type ?? null,
            input.network === undefined ? null : 1,
            input.network?.operator ?? null,
            input.sim?.slot ?? null,
            input.sim === undefined ? null : 1,
            input.sim?.operator ?? null,
            input.sim?.iccidHash ?? null,
            input.screenLocked === undefined ? null : input.screenLocked ? 1 : 0,
            current.id,
          );
      } else {
        this.db.prepare('UPDATE devices SET last_seen_at = ? WHERE id = ?').run(now, current.id);
      }

      const place = loc ? this.places?.nearest(loc.lat, loc.lon)?.label : undefined;
      if (newest && input.sim && current.sim_iccid_hash !== null && current.sim_iccid_hash !== input.sim.iccidHash) {
        const operator = input.sim.operator ? ` (now ${input.sim.operator})` : '';
        const text = `The SIM card in "${current.name}" was changed${operator}${place ? `, ${place}` : ''}. If you did not do this, put the phone in lost mode.`;
        pending.push(this.addAlert(current, 'sim_changed', text, now));
        notifications.push({
          accountId: current.account_id,
          message: { subject: `SIM changed in ${current.name}`, text, facts: { kind: 'sim_changed', device: current.name, place, operator: input.sim.operator } },
        });
      }
      if ((current.lost_mode === 'pending' || current.lost_mode === 'on') && (current.lost_alerted_at === null || now - current.lost_alerted_at >= LOST_ALERT_EVERY_MS)) {
        const where = place ? ` ${place}` : loc ? ' with its location' : '';
        const text = `Your lost phone "${current.name}" reported in${where} at ${new Date(at).toISOString().replace('T', ' ').slice(0, 16)} UTC. Open Lifeline to see it on the map.`;
        pending.push(this.addAlert(current, 'lost_device_reported', text, now));
        notifications.push({
          accountId: current.account_id,
          message: { subject: `${current.name} reported in`, text, facts: { kind: 'lost_device_reported', device: current.name, place, at } },
        });
        this.db.prepare('UPDATE devices SET lost_alerted_at = ? WHERE id = ?').run(now, current.id);
      }

      const due = this.db
        .prepare(
          `SELECT * FROM device_commands WHERE device_id = ? AND (status = 'queued' OR (status = 'delivered' AND delivered_at <= ?))
           ORDER BY created_at, rowid LIMIT 20`,
        )
        .all(current.id, now - REDELIVER_AFTER_MS) as CommandRow[];
      const markDelivered = this.db.prepare("UPDATE device_commands SET status = 'delivered', delivered_at = ? WHERE id = ?");
      for (const command of due) {
        markDelivered.run(now, command.id);
        if (command.status === 'queued') {
          pending.push({
            emit: (sink) => sink.emit('devices.commandUpdated', { deviceId: current.id, commandId: command.id, type: command.type, status: 'delivered' }),
          });
        }
      }
      return due.map((c) => ({ id: c.id, type: c.type, params: parseParams(c.params) }));
    }).immediate();

    this.events.emit('devices.updated', { deviceId: device.id });
    for (const event of pending) event.emit(this.events);
    for (const n of notifications) this.notify(n.accountId, n.message);
    return { commands };
  }

  commandResult(authorization: string | undefined, commandId: string, body: unknown, ip: string): { id: string; status: CommandStatus; replayed: boolean } {
    return this.commandResultFrom(this.authenticate(authorization, ip), commandId, body);
  }

  commandResultFrom(device: AuthenticatedDevice, commandId: string, body: unknown): { id: string; status: CommandStatus; replayed: boolean } {
    const input = parseAgent(AgentCommandResult, body);
    const now = this.clock.now();
    const pending: PendingEvent[] = [];
    const notifications: { accountId: string; message: OwnerMessage }[] = [];
    const outcome = this.db.transaction((): { id: string; status: CommandStatus; replayed: boolean } => {
      // Another device's command is answered like a missing one.
      const command = this.db.prepare('SELECT * FROM device_commands WHERE id = ? AND device_id = ?').get(commandId, device.id) as CommandRow | undefined;
      if (!command) throw new LifelineError('not_found', 'There is no such command for this device.');
      if (command.status === 'done' || command.status === 'failed') {
        if (command.status === input.status) return { id: command.id, status: command.status, replayed: true };
        throw new LifelineError('conflict', `This command already finished as "${command.status}"; a result cannot be changed.`);
      }
      if (command.status === 'queued') {
        throw new LifelineError('invalid_state', 'This command has not been delivered to the device yet; send a report to receive it first.');
      }
      const detail = input.detail?.slice(0, 500) ?? null;
      this.db.prepare('UPDATE device_commands SET status = ?, finished_at = ?, detail = ? WHERE id = ?').run(input.status, now, detail, command.id);
      pending.push({
        emit: (sink) => sink.emit('devices.commandUpdated', { deviceId: device.id, commandId: command.id, type: command.type, status: input.status }),
      });
      const done = input.status === 'done';
      if (command.type === 'lost_mode') {
        this.db.prepare("UPDATE devices SET lost_mode = ? WHERE id = ? AND lost_mode = 'pending'").run(done ? 'on' : 'off', device.id);
      } else if (command.type === 'end_lost_mode') {
        this.db
          .prepare("UPDATE devices SET lost_mode = ?, lost_message = CASE WHEN ? THEN NULL ELSE lost_message END, lost_phone = CASE WHEN ? THEN NULL ELSE lost_phone END WHERE id = ? AND lost_mode = 'ending'")
          .run(done ? 'off' : 'on', done ? 1 : 0, done ? 1 : 0, device.id);
      } else if (command.type === 'erase' && done) {
        // The phone is wiped: its token dies here, the activation lock stays on until the owner activates or removes it.
        this.db
          .prepare("UPDATE devices SET erased = 1, token_hash = NULL, lost_mode = 'off', lost_message = NULL, lost_phone = NULL WHERE id = ?")
          .run(device.id);
        const dropped = this.db
          .prepare("UPDATE device_commands SET status = 'failed', finished_at = ?, detail = 'The phone was erased before it could run this.' WHERE device_id = ? AND status IN ('queued', 'delivered') RETURNING id, type")
          .all(now, device.id) as { id: string; type: CommandType }[];
        for (const d of dropped) {
          pending.push({ emit: (sink) => sink.emit('devices.commandUpdated', { deviceId: device.id, commandId: d.id, type: d.type, status: 'failed' }) });
        }
        const text = `"${device.name}" was erased. It stays locked to your account: it can only be set up again with your account and password.`;
        pending.push(this.addAlert(device, 'erase_done', text, now));
        notifications.push({ accountId: device.account_id, message: { subject: `${device.name} was erased`, text, facts: { kind: 'erase_done', device: device.name } } });
      }
      return { id: command.id, status: input.status, replayed: false };
    }).immediate();
    if (!outcome.replayed) {
      for (const event of pending) event.emit(this.events);
      this.events.emit('devices.updated', { deviceId: device.id });
      for (const n of notifications) this.notify(n.accountId, n.message);
    }
    return outcome;
  }

  /**
   * How an erased or reset phone gets back in. Needs the owner's credentials; every failure has the
   * same answer so a caller without them learns nothing about the device or the account.
   */
  async activate(body: unknown, ip: string): Promise<{ deviceId: string; deviceToken: string }> {
    const input = parseAgent(AgentActivateRequest, body);
    const ref = input.deviceId !== undefined ? `id:${input.deviceId}` : `serial:${input.serial ?? ''}`;
    const pairKey = `activate:${ref}|${ip}`;
    const ipKey = `activate-ip:${ip}`;
    const wait = Math.max(this.throttle.blockedFor(pairKey, this.limits.activatePerDeviceIp), this.throttle.blockedFor(ipKey, this.limits.activatePerIp));
    if (wait > 0) throw new LifelineError('rate_limited', `Too many failed activations. Try again in ${minutes(wait)}.`, { retryAfterMs: wait });

    const device = (
      input.deviceId !== undefined
        ? this.db.prepare(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE id = ?`).get(input.deviceId)
        : this.db.prepare(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE serial = ?`).get(input.serial)
    ) as DeviceRow | undefined;
    // Always ask the account service, so an unknown device costs the same time as a wrong password.
    const accountId = await this.gate.authenticateOwner(input.account, input.password, ip);
    if (!device || accountId === undefined || accountId !== device.account_id) {
      this.throttle.fail(pairKey);
      this.throttle.fail(ipKey);
      throw new LifelineError('invalid_credentials', ACTIVATION_REFUSED);
    }
    if (this.gate.isRecoveryHoldActive(accountId)) {
      const now = this.clock.now();
      const text =
        `Someone tried to set up "${device.name}" again with your account less than 24 hours after its password was recovered. ` +
        'It stays locked for now. If this was not you, secure your account.';
      const event = this.addAlert(device, 'activation_held', text, now);
      event.emit(this.events);
      this.notify(accountId, { subject: `${device.name}: activation held`, text, facts: { kind: 'activation_held', device: device.name } });
      throw new LifelineError(
        'recently_recovered',
        "This account's password was recovered less than 24 hours ago, so the phone stays locked for now. Try again after 24 hours; the owner has been told.",
      );
    }
    const token = newDeviceToken();
    const now = this.clock.now();
    this.db
      .prepare(
        `UPDATE devices SET token_hash = ?, token_issued_at = ?, erased = 0, lost_mode = 'off', lost_message = NULL, lost_phone = NULL,
           find_device = 1, activation_lock = 1, last_seen_at = ? WHERE id = ?`,
      )
      .run(tokenHash(token), now, now, device.id);
    this.throttle.clear(pairKey);
    this.events.emit('devices.updated', { deviceId: device.id });
    return { deviceId: device.id, deviceToken: token };
  }

  // -------------------------------------------------------------------------------------------
  // Upkeep

  /** Deletes location history older than the retention setting. Returns the number of reports deleted. */
  pruneHistory(): number {
    const cutoff = this.clock.now() - this.settings().historyRetentionDays * DAY;
    const deleted = this.db.prepare('DELETE FROM device_reports WHERE at < ?').run(cutoff).changes;
    this.throttle.pruneOlderThan(2 * DAY);
    return deleted;
  }

  /** Prunes now and then hourly; returns the stop function for the app's closers. */
  startMaintenance(everyMs = HOUR): () => Promise<void> {
    const run = () => {
      try {
        const n = this.pruneHistory();
        if (n > 0) this.log(`devices: deleted ${n} location reports past the retention period`);
      } catch (error) {
        this.log(`devices: pruning history failed: ${(error as Error).message}`);
      }
    };
    run();
    const timer = setInterval(run, everyMs);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await this.flushNotifications();
    };
  }

  /** Waits for owner messages already started (tests, shutdown). */
  async flushNotifications(): Promise<void> {
    while (this.pendingNotifications.size > 0) await Promise.allSettled([...this.pendingNotifications]);
  }

  // -------------------------------------------------------------------------------------------

  private trail(deviceId: string, range: { from?: number; to?: number; limit?: number }): { points: HistoryPoint[]; truncated: boolean } {
    const limit = range.limit ?? 100_000;
    const from = range.from ?? 0;
    const to = range.to ?? Number.MAX_SAFE_INTEGER;
    // The newest `limit` points, returned oldest first.
    const rows = this.db
      .prepare(
        `SELECT lat, lon, accuracy_m, source, at, battery_percent FROM device_reports
         WHERE device_id = ? AND at >= ? AND at <= ? AND lat IS NOT NULL
         ORDER BY at DESC, id DESC LIMIT ?`,
      )
      .raw()
      .all(deviceId, from, to, limit + 1) as [number, number, number, LocationSource, number, number | null][];
    const truncated = rows.length > limit;
    if (truncated) rows.pop();
    rows.reverse();
    return {
      points: rows.map(([lat, lon, accuracyM, source, at, batteryPercent]) => ({ lat, lon, accuracyM, source, at, batteryPercent })),
      truncated,
    };
  }

  private ownedDevice(accountId: string, deviceId: string): DeviceRow {
    const row = this.db.prepare(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE id = ? AND account_id = ?`).get(deviceId, accountId) as DeviceRow | undefined;
    if (!row) throw notFound();
    return row;
  }

  private async checkPassword(accountId: string, password: string, caller: { ip: string; userAgent: string }): Promise<void> {
    const key = `password:${accountId}`;
    const wait = this.throttle.blockedFor(key, this.limits.passwordFailuresPerAccount);
    if (wait > 0) throw new LifelineError('rate_limited', `Too many wrong passwords. Try again in ${minutes(wait)}.`, { retryAfterMs: wait });
    if (!(await this.gate.verifyPassword(accountId, password, caller))) {
      this.throttle.fail(key);
      throw new LifelineError('invalid_credentials', 'That password is not right. Type your current account password.');
    }
    this.throttle.clear(key);
  }

  private addAlert(device: Pick<DeviceRow, 'id' | 'account_id'>, kind: AlertKind, message: string, at: number): PendingEvent {
    const id = `alr_${crypto.randomBytes(12).toString('base64url')}`;
    this.db.prepare('INSERT INTO device_alerts (id, account_id, device_id, kind, message, at) VALUES (?, ?, ?, ?, ?, ?)').run(id, device.account_id, device.id, kind, message, at);
    return { emit: (sink) => sink.emit('devices.alert', { deviceId: device.id, alertId: id, kind }) };
  }

  private notify(accountId: string, message: OwnerMessage): void {
    const sending = this.gate
      .notifyOwner(accountId, message)
      .catch((error: unknown) => this.log(`devices: could not message the owner: ${(error as Error).message}`))
      .finally(() => this.pendingNotifications.delete(sending));
    this.pendingNotifications.add(sending);
  }

  private commandRow(id: string): CommandRow {
    const row = this.db.prepare('SELECT * FROM device_commands WHERE id = ?').get(id) as CommandRow | undefined;
    if (!row) throw notFound();
    return row;
  }

  private summarize(row: DeviceRow): DeviceSummary {
    const now = this.clock.now();
    const last = this.db
      .prepare('SELECT lat, lon, accuracy_m, source, at FROM device_reports WHERE device_id = ? AND lat IS NOT NULL ORDER BY at DESC, id DESC LIMIT 1')
      .get(row.id) as { lat: number; lon: number; accuracy_m: number; source: LocationSource; at: number } | undefined;
    const place = last ? this.places?.nearest(last.lat, last.lon)?.label : undefined;
    return {
      id: row.id,
      name: row.name,
      model: row.model,
      platform: row.platform,
      osVersion: row.os_version,
      online: row.erased === 0 && row.last_seen_at !== null && now - row.last_seen_at <= ONLINE_WINDOW_MS,
      lastSeenAt: row.last_seen_at,
      battery: row.battery_percent === null ? null : { percent: row.battery_percent, charging: row.battery_charging === 1 },
      network: row.network_type === null ? null : { type: row.network_type as NetworkType, ...(row.network_operator ? { operator: row.network_operator } : {}) },
      sim: row.sim_slot === null ? null : { slot: row.sim_slot, ...(row.sim_operator ? { operator: row.sim_operator } : {}) },
      screenLocked: row.screen_locked === null ? null : row.screen_locked === 1,
      lastLocation: last
        ? { lat: last.lat, lon: last.lon, accuracyM: last.accuracy_m, source: last.source, at: last.at, ...(place ? { place } : {}) }
        : null,
      findDevice: row.find_device === 1,
      activationLock: row.activation_lock === 1,
      lostMode: { state: row.lost_mode, message: row.lost_message, phone: row.lost_phone },
      erased: row.erased === 1,
      createdAt: row.created_at,
    };
  }
}

function toCommand(row: CommandRow): DeviceCommand {
  return {
    id: row.id,
    deviceId: row.device_id,
    type: row.type,
    params: parseParams(row.params),
    status: row.status,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
    finishedAt: row.finished_at,
    detail: row.detail,
  };
}

function parseParams(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function notFound(): LifelineError {
  return new LifelineError('not_found', 'There is no such device on your account. Refresh the list of devices.');
}

/** Parses an agent body; the message names fields and rules, never the values sent. */
function parseAgent<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const parts = parsed.error.issues.slice(0, 5).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.map(String).join('.') : 'body';
    if (issue.code === 'unrecognized_keys') return `${where}: unexpected field(s) ${issue.keys.join(', ')}`;
    return `${where}: ${issue.message}`;
  });
  throw new LifelineError('invalid_input', `The request is not valid: ${parts.join('; ')}. See docs/agent-api.md.`);
}

export function randomCode(): string {
  let code = '';
  for (let i = 0; i < ENROLL_CODE_LENGTH; i++) code += ENROLL_CODE_ALPHABET[crypto.randomInt(ENROLL_CODE_ALPHABET.length)];
  return code;
}

/** Accepts the code as people type it: any case, spaces and dashes, full-width letters. */
export function normalizeCode(text: string): string {
  return text.normalize('NFKC').toUpperCase().replace(/[\s-]/g, '');
}

function codeHash(code: string): Buffer {
  return crypto.createHash('sha256').update(`lifeline-enroll\0${code}`).digest();
}

function newDeviceToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** Device tokens carry 256 random bits, so a plain SHA-256 is enough to keep them out of the database. */
function tokenHash(token: string): Buffer {
  return crypto.createHash('sha256').update(token).digest();
}

function normalizeName(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ');
}

function slug(name: string): string {
  const s = name.normalize('NFKD').replace(/[^\w-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '').toLowerCase();
  return s.slice(0, 40) || 'device';
}

function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
    return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
  } catch {
    return true;
  }
}

function minutes(ms: number): string {
  const m = Math.ceil(ms / MINUTE);
  return m <= 1 ? 'a minute' : m >= 120 ? `${Math.ceil(m / 60)} hours` : `${m} minutes`;
}

function describeSpan(ms: number): string {
  if (ms >= 2 * DAY) return `${Math.round(ms / DAY)} days`;
  if (ms >= 2 * HOUR) return `${Math.round(ms / HOUR)} hours`;
  return `${Math.max(1, Math.round(ms / MINUTE))} minutes`;
}
