import type { Capability } from '../../shared/auth/capabilities.ts';
import { roleCan } from '../../shared/auth/capabilities.ts';
import type { SyncedDomain } from '../../shared/domains.ts';
import type { EntityName } from '../../shared/entities/catalog.ts';
import { AppError } from '../../shared/errors.ts';
import type { Role } from '../../shared/sync/auth.ts';

/**
 * The sync protocol carries many entities through two procedures, so `sync.exchange` alone
 * is not enough: each pulled domain and each pushed entity needs its own capability.
 * Records (not partial maps) so a new entity or domain cannot be added without an answer.
 */
export const DOMAIN_READ: Record<SyncedDomain, Capability> = {
  master_data: 'patients.read',
  scheduling: 'schedule.read',
};

export const ENTITY_WRITE: Record<EntityName, Capability> = {
  patient: 'patients.write',
  appointment: 'schedule.write',
};

export function assertCanPull(role: Role, domain: SyncedDomain): void {
  if (!roleCan(role, DOMAIN_READ[domain])) throw new AppError('FORBIDDEN', 'Your role does not allow downloading this data.');
}

export function assertCanPush(role: Role, entities: Iterable<EntityName>): void {
  for (const entity of entities) {
    if (!roleCan(role, ENTITY_WRITE[entity])) throw new AppError('FORBIDDEN', 'Your role does not allow these changes.');
  }
}
