import type { Database } from 'better-sqlite3';
import path from 'node:path';
import type { SystemInfo } from '../contract';
import type { LifelineConfig } from './config';
import { createDispatcher, type Dispatcher, type Handlers } from './dispatcher';
import { createAccountHandlers } from './handlers/account-handlers';
import { createBackupHandlers } from './handlers/backup-handlers';
import { createDeviceHandlers } from './handlers/device-handlers';
import { createShopHandlers } from './handlers/shop-handlers';
import { createSystemHandlers, type PathPicker } from './handlers/system-handlers';
import { createAccountServices, type AccountServices, type AccountServicesOptions } from './services/account/account-services';
import { createDeviceAccountGate } from './services/account/device-gate';
import { weakPassword } from './services/account/errors';
import { BackupService } from './services/backup/backup-service';
import type { PassphraseKeychain } from './services/backup/keychain';
import { AdjustableClock, type Clock } from './services/clock';
import { applyMigrations } from './services/db/migrate';
import { coreMigrations } from './services/db/migrations/core';
import { closeDatabase, openDatabase } from './services/db/open';
import { deviceMigrations } from './services/devices/migrations';
import { DevicesService, eventSinkFrom } from './services/devices/devices-service';
import { loadPlaceIndex, PlaceIndex } from './services/devices/places';
import { EventBus } from './services/events';
import { findResource } from './services/resources';
import { SettingsService } from './services/settings/settings-service';
import { createEnrollmentLookup } from './services/shop/enrollment';
import { ShopService } from './services/shop/shop-service';

export const APP_VERSION = '0.1.0';

/** What the test hooks can see and move; only built when LIFELINE_TEST_HOOKS=1 on a loopback host. */
export interface TestHooks {
  advanceClock(ms: number): void;
  /** The answer of the most recently issued picture code, if any. */
  latestCaptchaAnswer(): string | undefined;
  /** Messages delivered to one address (email or E.164 phone) by any transport, oldest first. */
  outbox(to: string): readonly { channel: 'email' | 'sms'; to: string; subject?: string; text: string; at: number }[];
}

export interface LifelineApp {
  readonly config: LifelineConfig;
  readonly clock: Clock;
  readonly events: EventBus;
  readonly db: Database;
  readonly dispatcher: Dispatcher;
  readonly testHooks: TestHooks | undefined;
  /** The services other services and the host build on. */
  readonly services: { readonly account: AccountServices; readonly devices: DevicesService; readonly backup: BackupService; readonly shop: ShopService };
  info(): SystemInfo;
  /** Stops services in reverse order of creation; waits for work that must not be cut in half. */
  close(): Promise<void>;
}

export interface CreateAppOptions {
  hostKind: 'desktop' | 'web';
  /** Defaults to real time with a test-hook offset. */
  clock?: Clock;
  onInternalError?: (method: string, error: unknown) => void;
  /** Test seams for the account services (cheaper hashing, recording transports). */
  account?: AccountServicesOptions;
  /** Operational notes (never personal data or secrets); stderr in the hosts. */
  log?: (line: string) => void;
  /** The native folder/file picker (desktop only: Electron's dialog). */
  pickPaths?: PathPicker;
  /** The OS keychain for remembering the backup passphrase (desktop only: Electron safeStorage). */
  backupKeychain?: PassphraseKeychain;
}

/** The composition root: one place that builds every service from the config and wires them together. */
export function createApp(config: LifelineConfig, options: CreateAppOptions): LifelineApp {
  const clock = options.clock ?? new AdjustableClock();
  const events = new EventBus();
  const db = openDatabase(config.dataDir);
  const closers: (() => void | Promise<void>)[] = [() => closeDatabase(db, config.dataDir)];

  const log = options.log ?? (() => undefined);
  let account: AccountServices;
  let devices: DevicesService;
  let backup: BackupService;
  let settings: SettingsService;
  let shop: ShopService;
  let gate: ReturnType<typeof createDeviceAccountGate>;
  try {
    applyMigrations(db, 'core', coreMigrations, () => clock.now());
    applyMigrations(db, 'devices', deviceMigrations, () => clock.now());
    settings = new SettingsService(db, clock, events);
    account = createAccountServices(config, db, clock, events, { defaultRegion: config.phoneRegion, ...options.account });
    closers.push(() => account.close());
    const placesFile = findResource('places/cities.json');
    gate = createDeviceAccountGate(account);
    devices = new DevicesService({
      db,
      clock,
      events: eventSinkFrom(events),
      gate,
      places: placesFile ? loadPlaceIndex(placesFile, log) : new PlaceIndex([]),
      publicUrl: config.publicUrl,
      log,
    });
    closers.push(devices.startMaintenance());
    backup = new BackupService({
      dir: path.join(config.dataDir, 'backups'),
      clock,
      onProgress: (p) => events.emit('backup.progress', p),
      ...(options.backupKeychain ? { keychain: options.backupKeychain } : {}),
      checkNewPassphrase: (passphrase) => {
        const verdict = account.policy.check(passphrase);
        return verdict.ok ? undefined : weakPassword(verdict.problem);
      },
    });
    closers.push(() => backup.close());
    shop = new ShopService({
      db,
      clock,
      dir: path.join(config.dataDir, 'shop'),
      emit: (name, payload) => events.emit(name, payload),
      enrollment: createEnrollmentLookup(db, (accountId) => account.isRecoveryHoldActive(accountId)),
      log,
    });
    closers.push(shop.startMaintenance());
  } catch (error) {
    for (const close of closers.reverse()) void close();
    throw error;
  }
  const sandboxEmail = config.sandbox || !config.smtpUrl;
  const sandboxSms = config.sandbox || !config.smsWebhookUrl;

  const info = (): SystemInfo => ({
    name: 'Lifeline',
    version: APP_VERSION,
    dataDir: config.dataDir,
    host: options.hostKind,
    delivery: {
      mode: sandboxEmail || sandboxSms ? 'sandbox' : 'real',
      email: sandboxEmail ? 'outbox' : 'smtp',
      sms: sandboxSms ? 'outbox' : 'webhook',
      ...(sandboxEmail || sandboxSms ? { outboxDir: path.join(config.dataDir, 'outbox') } : {}),
    },
    testHooks: config.testHooks,
  });

  const handlers: Handlers = {
    ...createSystemHandlers({ info, clock, settings, pickPaths: options.pickPaths }),
    ...createAccountHandlers({ services: account }),
    ...createDeviceHandlers({ devices, gate }),
    ...createBackupHandlers({ backup }),
    ...createShopHandlers({ shop }),
  };

  const dispatcher = createDispatcher(handlers, { onInternalError: options.onInternalError });

  const testHooks: TestHooks | undefined = config.testHooks
    ? {
        advanceClock(ms) {
          if (!(clock instanceof AdjustableClock)) throw new Error('This clock cannot be moved.');
          clock.advance(ms);
        },
        latestCaptchaAnswer: () => account.testHooks.latestCaptchaAnswer(),
        outbox: (to) => account.testHooks.outbox(to),
      }
    : undefined;

  let closed = false;
  return {
    config,
    clock,
    events,
    db,
    dispatcher,
    testHooks,
    services: { account, devices, backup, shop },
    info,
    async close() {
      if (closed) return;
      closed = true;
      for (const close of closers.reverse()) await close();
    },
  };
}
