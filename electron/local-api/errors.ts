import { TRPCError } from '@trpc/server';
import { AppError, HTTP_STATUS, type ErrorCode } from '../../shared/errors.ts';
import { ValidationError } from '../store/validation.ts';

export interface ErrorView {
  code: ErrorCode;
  message: string;
  fieldErrors?: Record<string, string>;
}

interface IssueLike {
  path?: readonly PropertyKey[] | readonly { key: PropertyKey }[];
  message: string;
}

function issuesOf(cause: unknown): IssueLike[] | undefined {
  if (typeof cause !== 'object' || cause === null || !('issues' in cause)) return undefined;
  const issues = (cause as { issues: unknown }).issues;
  return Array.isArray(issues) ? (issues as IssueLike[]) : undefined;
}

function fromIssues(issues: IssueLike[]): ErrorView {
  const fieldErrors: Record<string, string> = {};
  for (const issue of issues) {
    const field = (issue.path ?? []).map((p) => String(typeof p === 'object' && p !== null && 'key' in p ? p.key : p)).join('.') || 'input';
    fieldErrors[field] ??= issue.message;
  }
  const sentence = Object.entries(fieldErrors).map(([field, message]) => `${field} ${message}`).join('; ');
  return { code: 'VALIDATION', message: `Check the form: ${sentence}.`, fieldErrors };
}

/**
 * The local API's one error mapping: AppError codes pass through with their (PHI-free)
 * message; input-schema failures become VALIDATION with per-field messages; anything
 * else becomes INTERNAL with a generic sentence, so no SQL, path or stack reaches the UI.
 */
export function describeError(error: TRPCError): ErrorView {
  const cause = error.cause;
  if (cause instanceof ValidationError) return { code: cause.code, message: cause.message, fieldErrors: cause.fieldErrors };
  if (cause instanceof AppError) return { code: cause.code, message: cause.message };
  const issues = issuesOf(cause);
  if (error.code === 'BAD_REQUEST' && issues) return fromIssues(issues);
  if (error.code === 'NOT_FOUND') return { code: 'NOT_FOUND', message: 'No such operation on this workstation.' };
  if (error.code === 'BAD_REQUEST' || error.code === 'PARSE_ERROR' || error.code === 'METHOD_NOT_SUPPORTED') {
    return { code: 'VALIDATION', message: 'The request could not be read.' };
  }
  if (error.code === 'UNAUTHORIZED') return { code: 'UNAUTHENTICATED', message: 'Sign in first.' };
  if (error.code === 'FORBIDDEN') return { code: 'FORBIDDEN', message: 'This request is not allowed.' };
  return { code: 'INTERNAL', message: 'Something went wrong on this workstation. Try again.' };
}

export function errorData(view: ErrorView, path: string | undefined) {
  return { appCode: view.code, httpStatus: HTTP_STATUS[view.code], path, ...(view.fieldErrors ? { fieldErrors: view.fieldErrors } : {}) };
}

export { TRPCError };
