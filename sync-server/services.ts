import { HybridClock } from '../shared/hlc.ts';
import type { SyncedDomain } from '../shared/domains.ts';
import type { PokeBus } from './bus/poke-bus.ts';
import type { DatabaseSet } from './db/domain-db.ts';
import type { AuditLog } from './audit/audit-trail.ts';
import { AuditEvents } from './domains/audit/audit-events.ts';
import { PatientService } from './domains/master_data/patients.ts';
import { AppointmentService } from './domains/scheduling/appointments.ts';
import { SessionStore } from './domains/tenant_info/sessions.ts';
import { TenantDirectory } from './domains/tenant_info/tenants.ts';
import { UserDirectory } from './domains/tenant_info/users.ts';
import type { Logger } from './log.ts';
import type { SyncDomainService } from './sync/outcome.ts';

/** Every domain service, each handed its own DomainDb once, wired at start-up. */
export interface Services {
  tenants: TenantDirectory;
  users: UserDirectory;
  sessions: SessionStore;
  audit: AuditLog;
  patients: PatientService;
  appointments: AppointmentService;
  syncDomains: Record<SyncedDomain, SyncDomainService>;
  bus: PokeBus;
  clock: HybridClock;
  log: Logger;
}

export function createServices(databases: DatabaseSet, bus: PokeBus, log: Logger): Services {
  const { domains } = databases;
  const patients = new PatientService(domains.master_data);
  const appointments = new AppointmentService(domains.scheduling, (tenantId, ids) => patients.linkedIds(tenantId, ids));
  return {
    tenants: new TenantDirectory(domains.tenant_info),
    users: new UserDirectory(domains.tenant_info),
    sessions: new SessionStore(domains.tenant_info),
    audit: new AuditEvents(domains.audit),
    patients,
    appointments,
    syncDomains: { master_data: patients, scheduling: appointments },
    bus,
    clock: new HybridClock('server'),
    log,
  };
}
