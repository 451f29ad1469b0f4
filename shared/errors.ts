/**
 * One error type for the whole system. Expected failures carry a code from this union;
 * the code is mapped to a transport status in exactly one place (HTTP_STATUS below), and
 * the message is written for the person at the desk: it never carries PHI, SQL, or stack.
 */
export const ERROR_CODES = [
  'TENANT_REQUIRED', // request without a valid org id header
  'TENANT_UNKNOWN', // org id is well-formed but no such org
  'TENANT_MISMATCH', // session belongs to another org than the header names
  'TENANT_SUSPENDED', // org frozen (offboarding)
  'ORG_OFFBOARDED', // the org has left: its devices wipe their copy of it
  'DEVICE_REVOKED', // IT removed this workstation from the org: it wipes that org's copy
  'DEVICE_NOT_ENROLLED', // the org requires workstations enrolled with a token by IT
  'UNAUTHENTICATED', // no, expired or revoked session
  'INVALID_CREDENTIALS', // sign-in failed (never says which part was wrong)
  'ACCOUNT_LOCKED', // too many failed sign-ins in a row: refused until an admin of the org unlocks it (no retryAfterMs: waiting does not help)
  'FORBIDDEN', // role lacks the permission
  'VALIDATION', // input does not match the schema
  'NOT_FOUND',
  'CONFLICT',
  'STORE_MISMATCH', // sync data for another org than the open store
  'STORE_LOCKED', // no store open (not signed in / locked)
  'PROTOCOL_UNSUPPORTED', // client and server protocol versions are not adjacent
  'OFFLINE', // the sync server cannot be reached
  'RATE_LIMITED', // too many requests (or a moving org): retry after `retryAfterMs` when given
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export const HTTP_STATUS: Record<ErrorCode, number> = {
  TENANT_REQUIRED: 400,
  TENANT_UNKNOWN: 403,
  TENANT_MISMATCH: 403,
  TENANT_SUSPENDED: 403,
  ORG_OFFBOARDED: 410,
  DEVICE_REVOKED: 403,
  DEVICE_NOT_ENROLLED: 403,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  // 403 like the other refusals only an administrator can lift (TENANT_SUSPENDED,
  // DEVICE_REVOKED): not 429, which invites a retry, nor 423, which is STORE_LOCKED's (the
  // workstation's own screen lock). A workstation of the previous version, which does not
  // know this code, reads the tRPC FORBIDDEN as FORBIDDEN and stops too. No Retry-After.
  ACCOUNT_LOCKED: 403,
  FORBIDDEN: 403,
  VALIDATION: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  STORE_MISMATCH: 409,
  STORE_LOCKED: 423,
  PROTOCOL_UNSUPPORTED: 426,
  OFFLINE: 503,
  RATE_LIMITED: 429,
  INTERNAL: 500,
};

export class AppError extends Error {
  readonly code: ErrorCode;
  /** RATE_LIMITED: how long the caller should wait before trying again (sent to clients as error.data.retryAfterMs). */
  readonly retryAfterMs?: number;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(message, options && 'cause' in options ? { cause: options.cause } : undefined);
    this.name = 'AppError';
    this.code = code;
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}
