/**
 * Is the phone on the counter enrolled in a Lifeline account here? Read-only look-up in the devices
 * service's table by serial or IMEI, plus the account's 24 h recovery hold. Kept to one query so the
 * Shop depends on nothing else of the devices service.
 */
import type { Database } from 'better-sqlite3';

export interface LifelineState {
  enrolled: boolean;
  activationLock: boolean;
  lostMode: boolean;
  recoveredWithin24h: boolean;
}

export type EnrollmentLookup = (phone: { serial: string | null; imeis: string[] }) => LifelineState | null;

export function createEnrollmentLookup(db: Database, isRecoveryHoldActive: (accountId: string) => boolean): EnrollmentLookup {
  return ({ serial, imeis }) => {
    const keys = [serial, ...imeis].filter((k): k is string => !!k);
    if (keys.length === 0) return null;
    const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'devices'").get();
    if (!hasTable) return null;
    const marks = keys.map(() => '?').join(', ');
    const row = db
      .prepare(`SELECT account_id, activation_lock, lost_mode FROM devices WHERE (serial IN (${marks}) OR imei IN (${marks})) AND erased = 0 LIMIT 1`)
      .get(...keys, ...keys) as { account_id: string; activation_lock: number; lost_mode: string } | undefined;
    if (!row) return null;
    return {
      enrolled: true,
      activationLock: row.activation_lock === 1,
      lostMode: row.lost_mode === 'on' || row.lost_mode === 'pending',
      recoveredWithin24h: isRecoveryHoldActive(row.account_id),
    };
  };
}
