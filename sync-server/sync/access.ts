import type { Capability } from '../../shared/auth/capabilities.ts';
import { roleCan } from '../../shared/auth/capabilities.ts';
import { ENTITY_WRITE } from '../../shared/auth/entity-write.ts';
import type { SyncedDomain } from '../../shared/domains.ts';
import { entitiesOfDomain, type EntityName } from '../../shared/entities/catalog.ts';
import { AppError } from '../../shared/errors.ts';
import type { Role } from '../../shared/sync/auth.ts';
import type { Mutation, MutationResult } from '../../shared/sync/mutation.ts';

/**
 * The sync protocol carries many entities through two procedures, so `sync.exchange` alone
 * is not enough: each pulled domain and each pushed entity needs its own capability.
 * Records (not partial maps) so a new entity or domain cannot be added without an answer.
 */
export const DOMAIN_READ: Record<SyncedDomain, Capability> = {
  configuration: 'configuration.read',
  personnel: 'personnel.read',
  master_data: 'patients.read',
  scheduling: 'schedule.read',
  // Every clinical entity has its own read capability (ENTITY_READ): a role that may read none of them gets empty
  // pages, so a workstation pulls every domain without knowing its user's role.
  clinical: 'sync.exchange',
};

/**
 * Minimum necessary inside a domain: the capability to receive each entity in a pull. The
 * front desk gets encounters (dates, status, practitioner) but never a note's contents
 * or an order; the domain's feed is filtered by entity for the role (readableEntities).
 */
export const ENTITY_READ: Record<EntityName, Capability> = {
  patient: 'patients.read',
  appointment: 'schedule.read',
  location: 'schedule.read',
  practitioner_schedule: 'schedule.read',
  booking_conflict: 'schedule.read',
  staff_member: 'personnel.read',
  practice_profile: 'configuration.read',
  payer_contract: 'configuration.read',
  agent_config: 'configuration.read',
  encounter: 'encounters.read',
  note: 'notes.read',
  order: 'orders.read',
};

/**
 * Per entity, the capability writing it needs: defined in shared/ (the workstation checks
 * it too, e.g. before a conflict resolution), re-exported here for the server's checks.
 */
export { ENTITY_WRITE };

export function assertCanPull(role: Role, domain: SyncedDomain): void {
  if (!roleCan(role, DOMAIN_READ[domain])) throw new AppError('FORBIDDEN', 'Your role does not allow downloading this data.');
}

/**
 * A role's answer to one pushed mutation: null when the role may make it, otherwise a
 * rejection of that mutation alone. One refused change must not hold up the rest of a
 * device's outbox (a front-desk device with a queued note would otherwise never sync
 * again), so role refusals are per mutation, like every other rejection.
 */
export function refuseForRole(role: Role, mutation: Mutation): MutationResult | null {
  if (!roleCan(role, ENTITY_WRITE[mutation.entity])) {
    return { mutationId: mutation.mutationId, status: 'rejected', code: 'FORBIDDEN', reason: 'Your role does not allow this change. It was not applied.' };
  }
  // Signing a note is its own act (notes.sign), beyond writing it.
  if (mutation.entity === 'note' && mutation.op === 'upsert' && mutation.fields['status'] === 'signed' && !roleCan(role, 'notes.sign')) {
    return { mutationId: mutation.mutationId, status: 'rejected', code: 'FORBIDDEN', reason: 'Your role does not allow signing clinical notes. The note was not signed.' };
  }
  return null;
}

/** The entities of a domain a role receives in a pull (and in the domain's checksum). */
export function readableEntities(role: Role, domain: SyncedDomain): EntityName[] {
  return entitiesOfDomain(domain).filter((entity) => roleCan(role, ENTITY_READ[entity]));
}
