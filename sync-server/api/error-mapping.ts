import { TRPCError } from '@trpc/server';
import { AppError, HTTP_STATUS, type ErrorCode } from '../../shared/errors.ts';
import { SYNC_HTTP_MAX_BODY_BYTES } from '../../shared/sync/procedures.ts';

type TrpcCode = TRPCError['code'];

/**
 * The one place an AppError code becomes a transport status. The tRPC code is the
 * nearest one tRPC has; the exact HTTP status of shared/errors.ts HTTP_STATUS is set on
 * the response by `responseMeta` and reported in error.data.httpStatus.
 */
const TRPC_CODE: Record<ErrorCode, TrpcCode> = {
  TENANT_REQUIRED: 'BAD_REQUEST',
  TENANT_UNKNOWN: 'FORBIDDEN',
  TENANT_MISMATCH: 'FORBIDDEN',
  TENANT_SUSPENDED: 'FORBIDDEN',
  ORG_OFFBOARDED: 'FORBIDDEN',
  DEVICE_REVOKED: 'FORBIDDEN',
  DEVICE_NOT_ENROLLED: 'FORBIDDEN',
  UNAUTHENTICATED: 'UNAUTHORIZED',
  INVALID_CREDENTIALS: 'UNAUTHORIZED',
  ACCOUNT_LOCKED: 'FORBIDDEN',
  FORBIDDEN: 'FORBIDDEN',
  VALIDATION: 'BAD_REQUEST',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  STORE_MISMATCH: 'CONFLICT',
  STORE_LOCKED: 'PRECONDITION_FAILED',
  PROTOCOL_UNSUPPORTED: 'PRECONDITION_FAILED',
  OFFLINE: 'SERVICE_UNAVAILABLE',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
};

export function toTrpcError(error: AppError): TRPCError {
  return new TRPCError({ code: TRPC_CODE[error.code], message: error.message, cause: error });
}

export interface ClientError {
  code: ErrorCode;
  message: string;
  httpStatus: number;
  /** RATE_LIMITED: wait this long before trying again. */
  retryAfterMs?: number;
  /** Field paths of a validation failure, with the rule each broke; never the values. */
  issues?: { path: string; message: string }[];
}

/** A request body past SYNC_HTTP_MAX_BODY_BYTES (http-server.ts): the workstation keeps its pushes under it. */
const TOO_LARGE_MESSAGE = `The request is too large for the sync server (at most ${SYNC_HTTP_MAX_BODY_BYTES / (1024 * 1024)} MiB).`;

const GENERIC_INTERNAL = 'The sync server could not complete this request. Please try again.';

/** What a client is told about any error: an AppError code and a sentence, nothing internal. */
export function describeError(error: TRPCError): ClientError {
  const cause = error.cause;
  if (cause instanceof AppError) {
    const described: ClientError = { code: cause.code, message: cause.message, httpStatus: HTTP_STATUS[cause.code] };
    return cause.retryAfterMs === undefined ? described : { ...described, retryAfterMs: cause.retryAfterMs };
  }
  const issues = schemaIssues(cause);
  if (issues) {
    const listed = issues.slice(0, 5).map((issue) => `${issue.path || '(input)'} ${issue.message}`).join('; ');
    return { code: 'VALIDATION', message: `The request is not valid: ${listed}.`, httpStatus: HTTP_STATUS.VALIDATION, issues };
  }
  switch (error.code) {
    case 'PARSE_ERROR':
    case 'BAD_REQUEST':
    case 'METHOD_NOT_SUPPORTED':
      return { code: 'VALIDATION', message: 'The request could not be read.', httpStatus: HTTP_STATUS.VALIDATION };
    case 'NOT_FOUND':
      return { code: 'NOT_FOUND', message: 'No such procedure on the sync server.', httpStatus: HTTP_STATUS.NOT_FOUND };
    case 'PAYLOAD_TOO_LARGE':
      return { code: 'VALIDATION', message: TOO_LARGE_MESSAGE, httpStatus: 413 };
    default:
      return { code: 'INTERNAL', message: GENERIC_INTERNAL, httpStatus: HTTP_STATUS.INTERNAL };
  }
}

/** Issues of a schema failure (zod or any Standard Schema), reduced to path + rule. */
function schemaIssues(cause: unknown): { path: string; message: string }[] | null {
  if (!cause || typeof cause !== 'object' || !('issues' in cause) || !Array.isArray(cause.issues)) return null;
  return cause.issues.map((issue: unknown) => {
    const { path, message } = (issue ?? {}) as { path?: unknown; message?: unknown };
    const segments = Array.isArray(path) ? path.map((segment) => (typeof segment === 'object' && segment && 'key' in segment ? String(segment.key) : String(segment))) : [];
    return { path: segments.join('.'), message: typeof message === 'string' ? message : 'is not valid' };
  });
}
