import type { z } from 'zod';
import type { AuditTrail } from '../audit/audit-trail.ts';
import type { TenantScope } from '../jobs/tenant-scope.ts';
import type { EventEnvelope } from './envelope.ts';

/**
 * What a consumer does with one event type, inside the event's org. As with jobs: throw
 * AppError for an event that can never be handled (not retried), anything else is
 * redelivered with backoff. Handlers must be idempotent (derive ids from the event id).
 */
export interface EventHandler {
  readonly payload: z.ZodType<Record<string, unknown>>;
  handle(scope: TenantScope, payload: Record<string, unknown>, envelope: EventEnvelope, trail: AuditTrail): Promise<void>;
}

export type EventHandlers = Readonly<Record<string, EventHandler>>;

export function defineEventHandler<S extends z.ZodType<Record<string, unknown>>>(
  payload: S,
  handle: (scope: TenantScope, payload: z.infer<S>, envelope: EventEnvelope, trail: AuditTrail) => Promise<void>,
): EventHandler {
  return { payload, handle: (scope, parsed, envelope, trail) => handle(scope, parsed as z.infer<S>, envelope, trail) };
}
