import type { ErrorCode } from '../../contract';

/** The HTTP status that goes with each error code; the envelope in the body carries the detail. */
export function statusForError(code: ErrorCode): number {
  switch (code) {
    case 'unknown_method':
    case 'not_found':
    case 'store_missing':
      return 404;
    case 'invalid_input':
    case 'bad_request':
    case 'weak_password':
    case 'invalid_code':
      return 400;
    case 'unauthorized':
    case 'not_signed_in':
    case 'invalid_credentials':
    case 'wrong_passphrase':
      return 401;
    case 'forbidden':
    case 'account_disabled':
    case 'recently_recovered':
      return 403;
    case 'conflict':
    case 'already_in_use':
    case 'busy':
    case 'invalid_state':
    case 'not_empty':
    case 'store_locked':
      return 409;
    case 'expired':
      return 410;
    case 'payload_too_large':
      return 413;
    case 'unsupported_version':
    case 'corrupt_data':
      return 422;
    case 'rate_limited':
      return 429;
    case 'cancelled':
      return 499;
    case 'unavailable':
    case 'delivery_failed':
    case 'device_unreachable':
    case 'adb_missing':
    case 'storage_full':
      return 503;
    case 'internal':
    case 'invalid_output':
      return 500;
  }
}
