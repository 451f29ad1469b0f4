import type { EntityName } from '../entities/catalog.ts';
import type { Capability } from './capabilities.ts';

/**
 * The capability that writing each synced entity needs. The server checks it on every
 * pushed mutation (sync-server/sync/access.ts); the workstation checks it before it makes
 * a write on a person's behalf that is not a form (e.g. resolving a conflict). A Record,
 * so a new entity cannot be added without an answer. For set-up entities (catalog
 * `editedOnline`): the capability of the online procedures that change them.
 */
export const ENTITY_WRITE: Record<EntityName, Capability> = {
  patient: 'patients.write',
  appointment: 'schedule.write',
  encounter: 'encounters.write',
  note: 'notes.write',
  order: 'orders.write',
  location: 'schedule.write',
  practitioner_schedule: 'schedule.write',
  booking_conflict: 'schedule.write',
  staff_member: 'personnel.write',
  practice_profile: 'configuration.write',
  payer_contract: 'configuration.write',
  agent_config: 'configuration.write',
};
