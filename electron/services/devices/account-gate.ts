/**
 * What the devices service needs from accounts, and nothing more. The account service implements it
 * (wired in app.ts); tests and the benchmark use `InMemoryDeviceAccountGate`.
 */

/** The part of a call context the gate reads; `CallContext` from the dispatcher fits it. */
export interface GateCaller {
  readonly ip: string;
  readonly userAgent: string;
  readonly session: { get(): string | undefined };
}

/** What happened, for a message worded in the owner's language (English and Indonesian templates). */
export interface DeviceAlertFacts {
  readonly kind: 'lost_device_reported' | 'sim_changed' | 'erase_done' | 'activation_held';
  readonly device: string;
  /** "near Bandung, Indonesia": never exact coordinates. */
  readonly place?: string | undefined;
  /** The new SIM's operator. */
  readonly operator?: string | undefined;
  /** When the phone reported (ms). */
  readonly at?: number | undefined;
}

export interface OwnerMessage {
  /** Short subject line for email; SMS sends only the text. */
  readonly subject: string;
  /** Plain words in English, no secrets, no exact coordinates (the in-app alert says the same). */
  readonly text: string;
  readonly facts: DeviceAlertFacts;
}

export interface DeviceAccountGate {
  /** The signed-in account of this caller; throws LifelineError('not_signed_in') when there is none. */
  currentAccountId(caller: GateCaller): string;
  /** Checks the account's current password (for erase and remove). Counts failures like sign-in does. */
  verifyPassword(accountId: string, password: string, caller: { ip: string; userAgent: string }): Promise<boolean>;
  /**
   * Phone number, email or account ID plus password, throttled like sign-in (per account+IP and per IP).
   * Undefined for every kind of failure, with the same timing.
   */
  authenticateOwner(identifier: string, password: string, ip: string): Promise<string | undefined>;
  /** True for 24 hours after the account's password was recovered (RECOVERY.md, step 7). */
  isRecoveryHoldActive(accountId: string): boolean;
  /** Sends a message to every verified channel of the account. */
  notifyOwner(accountId: string, message: OwnerMessage): Promise<void>;
}
