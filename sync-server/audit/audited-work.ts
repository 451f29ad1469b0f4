import { AppError, type ErrorCode } from '../../shared/errors.ts';
import { AuditTrail, outcomeOf, type AuditActor, type AuditLog } from './audit-trail.ts';

export interface Work {
  /** The org the work concerns; null files it in the unattributed chain. */
  tenantId: string | null;
  kind: 'job' | 'event' | 'admin';
  /** The job or event type, or the admin command: "reminders.send", "tenant.create". */
  name: string;
  /** Who asked for it, when someone did (an admin command run for a user); else null. */
  actor?: AuditActor | null;
}

/**
 * Runs work that does not arrive as a request (a job, a domain event, an admin command)
 * and writes one audit entry for it, whatever its outcome: the same collector and the same
 * fail-closed rule as the tRPC audit middleware. The action is "<kind>:<name>". The work
 * calls `trail.touched(entity, ids)` for what it reads or changes, ids only.
 */
export async function auditedWork<T>(log: AuditLog, work: Work, fn: (trail: AuditTrail) => Promise<T>): Promise<T> {
  const trail = new AuditTrail();
  trail.tenantId = work.tenantId;
  trail.actor = work.actor ?? null;
  const write = (errorCode: ErrorCode | null) =>
    log.record({
      tenantId: trail.tenantId,
      actor: trail.actor,
      action: `${work.kind}:${work.name}`,
      kind: work.kind,
      entity: trail.entity,
      ids: trail.ids,
      outcome: outcomeOf(errorCode),
      errorCode,
      detail: trail.detail,
      occurredAt: new Date(),
    });
  let result: T;
  try {
    result = await fn(trail);
  } catch (error) {
    await write(error instanceof AppError ? error.code : 'INTERNAL');
    throw error;
  }
  await write(null);
  return result;
}
