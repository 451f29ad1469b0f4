import type { EntityFields, EntityName } from '../../shared/entities/catalog.ts';

/**
 * How each synced entity maps onto its store table: wire field name -> column. Derived
 * columns (kept only for querying) are computed from the full field set on every write.
 */
export interface EntityTable<E extends EntityName> {
  table: string;
  columns: { readonly [F in keyof EntityFields<E>]-?: string };
  derived?: (fields: EntityFields<E>) => Record<string, string | number>;
}

export const ENTITY_TABLES: { readonly [E in EntityName]: EntityTable<E> } = {
  patient: {
    table: 'patients',
    columns: {
      givenName: 'given_name',
      familyName: 'family_name',
      birthDate: 'birth_date',
      sex: 'sex',
      phone: 'phone',
      mrn: 'mrn',
    },
  },
  appointment: {
    table: 'appointments',
    columns: {
      patientId: 'patient_id',
      startsAt: 'starts_at',
      endsAt: 'ends_at',
      status: 'status',
      reason: 'reason',
      practitionerName: 'practitioner_name',
      location: 'location',
    },
    derived: (fields) => ({ starts_at_ms: Date.parse(fields.startsAt) }),
  },
};
