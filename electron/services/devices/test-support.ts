import BetterSqlite3, { type Database } from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DeviceEventName } from '../../../contract/devices';
import { ManualClock } from '../clock';
import { applyMigrations } from '../db/migrate';
import { DevicesService, type DeviceEventSink, type DeviceLimits } from './devices-service';
import { InMemoryDeviceAccountGate } from './memory-gate';
import { deviceMigrations } from './migrations';
import { PlaceIndex, type Place } from './places';

/** A few hand-placed cities for tests (coordinates rounded to 4 places). */
export const TEST_PLACES: readonly Place[] = [
  { name: 'Bandung', country: 'Indonesia', lat: -6.9175, lon: 107.6191 },
  { name: 'Jakarta', country: 'Indonesia', lat: -6.2088, lon: 106.8456 },
  { name: 'Bogor', country: 'Indonesia', lat: -6.595, lon: 106.8166 },
  { name: 'Surabaya', country: 'Indonesia', lat: -7.2575, lon: 112.7521 },
  { name: 'Singapore', country: 'Singapore', lat: 1.3521, lon: 103.8198 },
  { name: 'Suva', country: 'Fiji', lat: -18.1248, lon: 178.4501 },
  { name: 'Reykjavik', country: 'Iceland', lat: 64.1466, lon: -21.9426 },
  { name: 'Amsterdam', country: 'Netherlands', lat: 52.3676, lon: 4.9041 },
];

export interface RecordedEvent {
  name: DeviceEventName;
  payload: Record<string, unknown>;
}

export interface DevicesHarness {
  dir: string;
  db: Database;
  clock: ManualClock;
  gate: InMemoryDeviceAccountGate;
  events: RecordedEvent[];
  service: DevicesService;
  close(): void;
}

/** A devices service on a real SQLite file in a temp dir, with two accounts (alice, bob) in a memory gate. */
export function createDevicesHarness(options: { limits?: Partial<DeviceLimits>; clock?: ManualClock; dir?: string; publicUrl?: string } = {}): DevicesHarness {
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-devices-'));
  const db = openTestDb(dir);
  const clock = options.clock ?? new ManualClock(Date.UTC(2026, 2, 1, 8, 0, 0));
  applyMigrations(db, 'devices', deviceMigrations, () => clock.now());
  const gate = new InMemoryDeviceAccountGate(clock);
  gate.addAccount('1000000001', 'alice-password-1', ['alice@example.com']);
  gate.addAccount('1000000002', 'bob-password-22', ['bob@example.com']);
  const events: RecordedEvent[] = [];
  const sink: DeviceEventSink = { emit: (name, payload) => events.push({ name, payload: payload as Record<string, unknown> }) };
  const service = new DevicesService({
    db,
    clock,
    events: sink,
    gate,
    places: new PlaceIndex(TEST_PLACES),
    publicUrl: options.publicUrl ?? 'https://lifeline.example.net',
    limits: options.limits,
  });
  return { dir, db, clock, gate, events, service, close: () => db.close() };
}

export function openTestDb(dir: string): Database {
  const db = new BetterSqlite3(path.join(dir, 'devices.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  return db;
}

export const ALICE = '1000000001';
export const BOB = '1000000002';

export function caller(accountId: string) {
  return {
    transport: 'internal' as const,
    ip: '127.0.0.1',
    userAgent: 'vitest',
    session: { get: () => `session-${accountId}`, set: () => undefined },
  };
}

/** Enrolls a phone for an account straight through the service; returns its id and token. */
export async function enrollPhone(
  h: { service: DevicesService },
  accountId: string,
  fields: { name?: string; serial?: string } = {},
): Promise<{ deviceId: string; deviceToken: string; bearer: string }> {
  const { code } = await h.service.startEnrollment(accountId);
  const answer = h.service.enroll(
    { code, name: fields.name ?? 'Pixel', model: 'Pixel 8', platform: 'android', osVersion: '14', ...(fields.serial ? { serial: fields.serial } : {}) },
    '127.0.0.1',
  );
  return { ...answer, bearer: `Bearer ${answer.deviceToken}` };
}
