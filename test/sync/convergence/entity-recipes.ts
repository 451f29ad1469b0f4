import type { EntityName } from '../../../shared/entities/catalog.ts';
import type { Db } from '../../../electron/store/db.ts';
import type { OrgStore } from '../../../electron/store/org-store.ts';
import type { EntityRepository } from '../../../electron/store/repository.ts';

/**
 * How the property tests make valid offline edits of an entity through the store's own
 * repository. Only entities a workstation edits need one; every entity in ENTITY_TABLES is
 * compared regardless, so entities added later join the comparison without a recipe.
 *
 * Value pools are small on purpose: devices then often write the same field of the same
 * record concurrently (the interesting case). Appointment times are drawn so that any mix
 * of starts and ends stays ordered, so a merge never produces an invalid appointment.
 */
export interface EntityRecipe {
  entity: EntityName;
  repository: (store: OrgStore) => EntityRepository<EntityName>;
  /** Fields of a new record, or null when it needs something the store does not hold yet. */
  create(db: Db, pick: number): Record<string, unknown> | null;
  /** Field -> the values an update may set. */
  patchable: Record<string, readonly unknown[]>;
}

const FAR_PAST = ['1970-01-01', '1985-06-15', '2001-12-31'];
const STARTS = ['2030-01-07T09:00:00.000Z', '2030-01-07T09:15:00.000Z'];
const ENDS = ['2030-01-07T10:00:00.000Z', '2030-01-07T10:30:00.000Z'];

const patientValues = {
  givenName: ['Ada', 'Bea', 'Cyd', 'Dee'],
  familyName: ['Ames', 'Bolt', 'Cole'],
  birthDate: FAR_PAST,
  sex: ['female', 'male', 'other', 'unknown'],
  phone: ['', '555-0100', '555-0199'],
  mrn: ['M-1', 'M-2', 'M-3'],
} as const;

const appointmentValues = {
  startsAt: STARTS,
  endsAt: ENDS,
  status: ['booked', 'checked_in', 'cancelled', 'no_show'],
  reason: ['Check-up', 'Follow-up', 'Flu'],
  practitionerName: ['Dr. Ames', 'Dr. Bolt'],
  location: ['Room 1', 'Room 2'],
} as const;

const nth = <T>(values: readonly T[], pick: number): T => values[pick % values.length]!;

function pickAll(values: Record<string, readonly unknown[]>, pick: number): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([field, pool], i) => [field, nth(pool, pick + i)]));
}

export const RECIPES: readonly EntityRecipe[] = [
  {
    entity: 'patient',
    repository: (store) => store.patients as unknown as EntityRepository<EntityName>,
    create: (_db, pick) => pickAll(patientValues, pick),
    patchable: patientValues,
  },
  {
    entity: 'appointment',
    repository: (store) => store.appointments as unknown as EntityRepository<EntityName>,
    create(db, pick) {
      const patients = db.prepare<[], { id: string }>('SELECT id FROM patients ORDER BY id').all();
      if (patients.length === 0) return null;
      return { patientId: nth(patients, pick).id, ...pickAll(appointmentValues, pick) };
    },
    patchable: appointmentValues,
  },
];
