import type { Database } from 'better-sqlite3';
import type { CountryCode } from 'libphonenumber-js';
import type { LifelineConfig } from '../../config';
import { CaptchaService } from '../captcha/captcha-service';
import type { Clock } from '../clock';
import { applyMigrations } from '../db/migrate';
import { createDeliveryService, type DeliveredMessage, type DeliveryService } from '../delivery/delivery-service';
import type { DeliveryChannel, Transport } from '../delivery/transports';
import type { EventBus } from '../events';
import { AccountService } from './account-service';
import { AccountStore } from './account-store';
import { RateLimiter } from './limiter';
import { accountMigrations } from './migrations';
import { isCountryCode } from './normalize';
import { PasswordHasher, PRODUCTION_HASH_PARAMS, type HashParams } from './password-hasher';
import { loadDefaultBlocklist, PasswordPolicy } from './password-policy';
import { PasswordStrengthMeter } from './password-strength';
import { RecoveryService } from './recovery-service';
import { AccountKeys, loadOrCreateSecret } from './secrets';
import { SecurityLog } from './security-log';
import { SessionStore } from './sessions';

export interface AccountServicesOptions {
  /** Argon2 parameters; production values unless a test asks for cheaper ones. */
  hashParams?: HashParams;
  /** Region for phone numbers typed without a country code (ISO 3166 alpha-2, e.g. "ID"). Default "ID". */
  defaultRegion?: string;
  /** Replaces the transports the config would build (tests: failing or recording transports). */
  transports?: Record<DeliveryChannel, Transport>;
  deliveryAttempts?: number;
  deliveryBackoffMs?: (retry: number) => number;
  /** The secret behind code peppers and token hashes; read from (or created in) the data dir when absent. */
  secret?: Buffer;
  blocklist?: ReadonlySet<string>;
}

export interface AccountServices {
  readonly accounts: AccountService;
  readonly recovery: RecoveryService;
  readonly delivery: DeliveryService;
  readonly captcha: CaptchaService;
  readonly sessions: SessionStore;
  readonly store: AccountStore;
  readonly limiter: RateLimiter;
  readonly log: SecurityLog;
  readonly hasher: PasswordHasher;
  readonly policy: PasswordPolicy;
  /** For the devices service: true for 24 h after the account's password was recovered. */
  isRecoveryHoldActive(accountId: string): boolean;
  /** Implementations of TestHooks.latestCaptchaAnswer / TestHooks.outbox (empty unless config.testHooks). */
  readonly testHooks: {
    latestCaptchaAnswer(): string | undefined;
    outbox(to: string): DeliveredMessage[];
  };
  close(): void;
}

/** Builds the account, recovery, picture-code and delivery services on one database (scope 'account'). */
export function createAccountServices(
  config: LifelineConfig,
  db: Database,
  clock: Clock,
  _events: EventBus,
  options: AccountServicesOptions = {},
): AccountServices {
  applyMigrations(db, 'account', accountMigrations, () => clock.now());
  const region = options.defaultRegion ?? 'ID';
  if (!isCountryCode(region)) throw new Error(`"${region}" is not a region libphonenumber-js knows. Use a two-letter code like ID, US or GB.`);
  const defaultRegion: CountryCode = region;
  const keys = new AccountKeys(options.secret ?? loadOrCreateSecret(config.dataDir));
  const store = new AccountStore(db);
  const limiter = new RateLimiter(db, clock);
  const log = new SecurityLog(db, clock);
  const sessions = new SessionStore(db, clock, keys);
  const hasher = new PasswordHasher(options.hashParams ?? PRODUCTION_HASH_PARAMS);
  // Ready before the first sign-in for an unknown account, whose timing must match a real check.
  hasher.prepareDummy().catch(() => undefined);
  const policy = new PasswordPolicy(options.blocklist ?? loadDefaultBlocklist());
  const meter = new PasswordStrengthMeter();
  const captcha = new CaptchaService(db, clock, keys, limiter, { exposeAnswers: config.testHooks });
  const delivery = createDeliveryService(config, db, clock, {
    ...(options.transports ? { transports: options.transports } : {}),
    ...(options.deliveryAttempts !== undefined ? { attempts: options.deliveryAttempts } : {}),
    ...(options.deliveryBackoffMs ? { backoffMs: options.deliveryBackoffMs } : {}),
  });
  const shared = { db, clock, keys, store, limiter, log, sessions, hasher, policy, captcha, delivery, defaultRegion };
  const accounts = new AccountService({ ...shared, meter });
  const recovery = new RecoveryService(shared);
  return {
    accounts,
    recovery,
    delivery,
    captcha,
    sessions,
    store,
    limiter,
    log,
    hasher,
    policy,
    isRecoveryHoldActive: (accountId) => recovery.isRecoveryHoldActive(accountId),
    testHooks: {
      latestCaptchaAnswer: () => captcha.latestAnswer(),
      outbox: (to) => delivery.deliveredTo(to),
    },
    close: () => delivery.close(),
  };
}
