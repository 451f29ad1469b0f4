import { AppError } from '../../shared/errors.ts';
import { isId } from '../../shared/ids.ts';
import type { NewJob } from '../domains/process_automation/job-store.ts';
import { EVENT_PAYLOADS, type EventPayload, type EventType } from '../events/catalog.ts';
import type { Logger } from '../log.ts';
import type { Services } from '../services.ts';
import { scopedAppointments, type ScopedAppointments } from './scoped-appointments.ts';

/**
 * Everything a job or event handler may touch, already bound to ONE org. Handlers get this
 * and nothing else: no connection, no service that takes a tenant id, so a payload naming
 * another org's ids can only ever be looked up inside this org (where they do not exist).
 */
export interface TenantScope {
  readonly tenantId: string;
  /** Logs with this org's id filled in (ids, codes and counts only). */
  readonly log: Logger;
  readonly appointments: ScopedAppointments;
  readonly jobs: { enqueue(job: NewJob): Promise<{ id: string; created: boolean }> };
  readonly events: {
    /** Writes the event to the outbox in this org's tenant context; the relay publishes it. */
    emit<T extends EventType>(type: T, payload: EventPayload<T>, options?: { id?: string }): Promise<{ id: string; created: boolean }>;
  };
  readonly workflows: {
    open(run: { workflow: string; subjectId: string; step: string; id?: string }): Promise<{ id: string; created: boolean }>;
    close(run: { workflow: string; subjectId: string; state: 'done' | 'cancelled'; step: string }): Promise<string | null>;
  };
}

/**
 * Re-establishes an org's context for background work: the org must exist and be active
 * (a job or event for an org that does not, or no longer does, fails without touching data).
 */
export async function openTenantScope(services: Services, tenantId: string): Promise<TenantScope> {
  if (!isId(tenantId)) throw new AppError('TENANT_REQUIRED', 'This work does not name a valid organization.');
  const tenant = await services.tenants.get(tenantId);
  if (!tenant) throw new AppError('TENANT_UNKNOWN', 'The organization of this work does not exist.');
  if (tenant.status !== 'active') throw new AppError('TENANT_SUSPENDED', 'The organization of this work is suspended.');
  const { automation } = services;
  return {
    tenantId,
    log: (event) => services.log({ ...event, tenantId }),
    appointments: scopedAppointments(services, tenantId),
    jobs: { enqueue: (job) => automation.jobs.enqueue(tenantId, job) },
    events: {
      emit: (type, payload, options) =>
        automation.outbox.emit(tenantId, { type, payload: EVENT_PAYLOADS[type].parse(payload), ...(options?.id ? { id: options.id } : {}) }),
    },
    workflows: {
      open: (run) => automation.workflows.open(tenantId, run),
      close: (run) => automation.workflows.close(tenantId, run),
    },
  };
}
