import type { z } from 'zod';
import type { SyncedDomain } from '../domains.ts';
import { appointmentFieldsSchema } from './appointment.ts';
import { patientFieldsSchema } from './patient.ts';

/**
 * Every entity that syncs, the domain that owns it on the server, and the schema of its
 * fields. Adding an entity starts here; server appliers and store tables follow from it.
 */
export const ENTITY_CATALOG = {
  patient: { domain: 'master_data', fields: patientFieldsSchema },
  appointment: { domain: 'scheduling', fields: appointmentFieldsSchema },
} as const satisfies Record<string, { domain: SyncedDomain; fields: z.ZodObject }>;

export type EntityName = keyof typeof ENTITY_CATALOG;
export const ENTITY_NAMES = Object.keys(ENTITY_CATALOG) as EntityName[];
export type EntityFields<E extends EntityName> = z.infer<(typeof ENTITY_CATALOG)[E]['fields']>;

export function entitiesOfDomain(domain: SyncedDomain): EntityName[] {
  return ENTITY_NAMES.filter((name) => ENTITY_CATALOG[name].domain === domain);
}
