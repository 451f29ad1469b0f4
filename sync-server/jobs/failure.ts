import { AppError, type ErrorCode } from '../../shared/errors.ts';
import { errorCodeOf } from '../log.ts';

/** Failures that trying again cannot fix: the job or event is set aside at once. */
const PERMANENT: ReadonlySet<ErrorCode> = new Set([
  'VALIDATION',
  'NOT_FOUND',
  'FORBIDDEN',
  'CONFLICT',
  'TENANT_REQUIRED',
  'TENANT_UNKNOWN',
  'TENANT_MISMATCH',
  'TENANT_SUSPENDED',
]);

export interface Failure {
  /** What is stored and logged: an AppError code, a SQLSTATE or an error class; never a message. */
  code: string;
  /** What the audit entry carries. */
  auditCode: ErrorCode;
  permanent: boolean;
}

export function classifyFailure(error: unknown): Failure {
  if (error instanceof AppError) return { code: error.code, auditCode: error.code, permanent: PERMANENT.has(error.code) };
  return { code: errorCodeOf(error), auditCode: 'INTERNAL', permanent: false };
}
