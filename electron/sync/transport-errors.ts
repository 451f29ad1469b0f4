import { TRPCClientError } from '@trpc/client';
import { AppError, isErrorCode, type ErrorCode } from '../../shared/errors.ts';

/** tRPC's own codes, for server answers that carry no shared appCode (e.g. its input parser). */
const FROM_TRPC_CODE: Record<string, ErrorCode> = {
  BAD_REQUEST: 'VALIDATION',
  PARSE_ERROR: 'VALIDATION',
  UNAUTHORIZED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  TOO_MANY_REQUESTS: 'RATE_LIMITED',
};

export const OFFLINE_MESSAGE = 'The sync server cannot be reached. Work continues on this workstation and syncs later.';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The server's RATE_LIMITED wait, when it gave a sane one (at most an hour, so a bad answer cannot park sync for days). */
const MAX_RETRY_AFTER_MS = 60 * 60_000;

function retryAfter(value: unknown): { retryAfterMs?: number } {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? { retryAfterMs: Math.min(Math.ceil(value), MAX_RETRY_AFTER_MS) } : {};
}

/**
 * The one place a sync call's failure becomes an AppError: the server's `data.appCode`
 * when it answered, OFFLINE when it did not (network down, timeout, a proxy's 5xx page).
 */
export function toTransportError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof TRPCClientError) {
    const data: unknown = error.data;
    if (isRecord(data)) {
      if (isErrorCode(data['appCode'])) return new AppError(data['appCode'], error.message, retryAfter(data['retryAfterMs']));
      const status = typeof data['httpStatus'] === 'number' ? data['httpStatus'] : 0;
      if (status >= 502 && status <= 504) return new AppError('OFFLINE', OFFLINE_MESSAGE);
      const mapped = typeof data['code'] === 'string' ? FROM_TRPC_CODE[data['code']] : undefined;
      if (mapped) return new AppError(mapped, error.message);
      return new AppError('INTERNAL', 'The sync server could not handle the request.');
    }
    return new AppError('OFFLINE', OFFLINE_MESSAGE);
  }
  return new AppError('OFFLINE', OFFLINE_MESSAGE);
}

export function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (error instanceof Error && error.name === 'AbortError' && signal === undefined);
}

/** The server never answered (no HTTP response at all): a failed connection, not a refusal or a 5xx page. */
export function isUnanswered(error: unknown): boolean {
  return !(error instanceof TRPCClientError && isRecord(error.data));
}
