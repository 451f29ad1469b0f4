import type { z } from 'zod';
import type { AuditTrail } from '../audit/audit-trail.ts';
import type { TenantScope } from './tenant-scope.ts';

/** What a handler knows about the job it runs (the payload comes parsed, separately). */
export interface JobInfo {
  id: string;
  type: string;
  /** 1 on the first run; a retry sees more. */
  attempt: number;
}

/**
 * One job type: a zod schema for its payload and the code that runs it inside the job's
 * org. `trail` is the execution's audit entry: say which entity and ids were read or
 * changed (ids only). Throw AppError for an expected failure (VALIDATION, NOT_FOUND… are
 * not retried); anything else is retried with backoff until the job is dead.
 */
export interface JobHandler {
  readonly payload: z.ZodType<Record<string, unknown>>;
  run(scope: TenantScope, payload: Record<string, unknown>, job: JobInfo, trail: AuditTrail): Promise<void>;
}

export type JobHandlers = Readonly<Record<string, JobHandler>>;

/** Ties a payload schema to its handler, typed; the runner parses before it calls. */
export function defineJob<S extends z.ZodType<Record<string, unknown>>>(
  payload: S,
  run: (scope: TenantScope, payload: z.infer<S>, job: JobInfo, trail: AuditTrail) => Promise<void>,
): JobHandler {
  return { payload, run: (scope, parsed, job, trail) => run(scope, parsed as z.infer<S>, job, trail) };
}
