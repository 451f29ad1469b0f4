import type { z } from 'zod';
import type { SyncedDomain } from '../domains.ts';
import { agentConfigFieldsSchema } from './agent-config.ts';
import { appointmentFieldsSchema } from './appointment.ts';
import { bookingConflictFieldsSchema } from './booking-conflict.ts';
import { encounterFieldsSchema } from './encounter.ts';
import { locationFieldsSchema } from './location.ts';
import { noteFieldsSchema } from './note.ts';
import { orderFieldsSchema } from './order.ts';
import { patientFieldsSchema } from './patient.ts';
import { payerContractFieldsSchema } from './payer-contract.ts';
import { practiceProfileFieldsSchema } from './practice-profile.ts';
import { practitionerScheduleFieldsSchema } from './practitioner-schedule.ts';
import { staffMemberFieldsSchema } from './staff-member.ts';

interface CatalogEntry {
  domain: SyncedDomain;
  fields: z.ZodObject;
  /**
   * Set-up data: written only on the server (admin procedures online, or the server itself),
   * pulled read-only by workstations. A workstation never queues a change of it, and the
   * server refuses a pushed one with a reason (sync-server/sync/online-only.ts).
   */
  editedOnline?: true;
}

/**
 * Every entity that syncs, the domain that owns it on the server, and the schema of its
 * fields. Adding an entity starts here; server appliers and store tables follow from it.
 */
export const ENTITY_CATALOG = {
  patient: { domain: 'master_data', fields: patientFieldsSchema },
  appointment: { domain: 'scheduling', fields: appointmentFieldsSchema },
  // Clinical records: written offline on workstations; the server applies its clinical rules (shared/entities/{encounter,note,order}.ts).
  encounter: { domain: 'clinical', fields: encounterFieldsSchema },
  note: { domain: 'clinical', fields: noteFieldsSchema },
  order: { domain: 'clinical', fields: orderFieldsSchema },
  // The org's set-up: edited online by admins (and conflicts written by the server), only read on workstations.
  location: { domain: 'scheduling', fields: locationFieldsSchema, editedOnline: true },
  practitioner_schedule: { domain: 'scheduling', fields: practitionerScheduleFieldsSchema, editedOnline: true },
  booking_conflict: { domain: 'scheduling', fields: bookingConflictFieldsSchema, editedOnline: true },
  staff_member: { domain: 'personnel', fields: staffMemberFieldsSchema, editedOnline: true },
  practice_profile: { domain: 'configuration', fields: practiceProfileFieldsSchema, editedOnline: true },
  payer_contract: { domain: 'configuration', fields: payerContractFieldsSchema, editedOnline: true },
  agent_config: { domain: 'configuration', fields: agentConfigFieldsSchema, editedOnline: true },
} as const satisfies Record<string, CatalogEntry>;

export type EntityName = keyof typeof ENTITY_CATALOG;
export const ENTITY_NAMES = Object.keys(ENTITY_CATALOG) as EntityName[];
export type EntityFields<E extends EntityName> = z.infer<(typeof ENTITY_CATALOG)[E]['fields']>;

export function entitiesOfDomain(domain: SyncedDomain): EntityName[] {
  return ENTITY_NAMES.filter((name) => ENTITY_CATALOG[name].domain === domain);
}

/** True for set-up entities that only the server writes (see CatalogEntry.editedOnline). */
export function isEditedOnline(entity: EntityName): boolean {
  const entry: CatalogEntry = ENTITY_CATALOG[entity];
  return entry.editedOnline === true;
}
