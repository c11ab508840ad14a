import { z } from 'zod';

/**
 * Every error code a caller can see. Codes are stable API: scripts and tests branch on them,
 * people read the message next to them.
 */
export const errorCodes = [
  // transport and contract
  'unknown_method',
  'invalid_input',
  'invalid_output',
  'bad_request',
  'payload_too_large',
  'unauthorized',
  'forbidden',
  'not_found',
  'internal',
  'unavailable',
  // state and resources
  'conflict',
  'already_in_use',
  'busy',
  'invalid_state',
  'expired',
  'cancelled',
  'not_empty',
  'unsupported_version',
  'storage_full',
  // accounts and recovery
  'not_signed_in',
  'invalid_credentials',
  'rate_limited',
  'weak_password',
  'invalid_code',
  'delivery_failed',
  'account_disabled',
  'recently_recovered',
  // backup store
  'wrong_passphrase',
  'store_locked',
  'store_missing',
  'corrupt_data',
  // devices and shop
  'device_unreachable',
  'adb_missing',
] as const;

export const ErrorCode = z.enum(errorCodes);
export type ErrorCode = (typeof errorCodes)[number];

/**
 * The one error type services throw on purpose. The dispatcher turns it into an envelope;
 * anything else that escapes a service becomes `internal` with a generic message.
 */
export class LifelineError extends Error {
  readonly code: ErrorCode;
  /** Extra machine-readable facts for the caller (e.g. retryAfterMs). Never secrets. */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'LifelineError';
    this.code = code;
    this.details = details;
  }
}

export function isLifelineError(value: unknown): value is LifelineError {
  return value instanceof LifelineError;
}
