import { z } from 'zod';
import { roleCan } from '../../shared/auth/capabilities.ts';
import { AppError } from '../../shared/errors.ts';
import { idSchema } from '../../shared/ids.ts';
import type { OrgStore } from '../store/org-store.ts';
import { needs } from './capability-gate.ts';
import { t } from './trpc.ts';

/**
 * What the clinician's screens need beside clinical.* (clinical-router.ts): the patient
 * header of a chart, the patients named on My day, and one encounter with its own notes and
 * orders. Same rules as clinical.*: a named capability after the session gate, and notes or
 * orders come back null (not empty) for a role that may not read them.
 */
export interface PatientHeader {
  id: string;
  givenName: string;
  familyName: string;
  birthDate: string;
  mrn: string;
}

function headerOf(store: OrgStore, id: string): PatientHeader | null {
  const patient = store.patients.get(id);
  return patient ? { id, givenName: patient.givenName, familyName: patient.familyName, birthDate: patient.birthDate, mrn: patient.mrn } : null;
}

export const clinicalViewsRouter = t.router({
  /** Chart and My day headers; ids unknown here are simply left out (not synced yet). */
  patients: needs('encounters.read')
    .input(z.strictObject({ ids: z.array(idSchema).max(200) }))
    .query(({ ctx, input }) => {
      const store = ctx.backend.store();
      return [...new Set(input.ids)].map((id) => headerOf(store, id)).filter((header) => header !== null);
    }),
  encounter: needs('encounters.read')
    .input(z.strictObject({ id: idSchema }))
    .query(({ ctx, input }) => {
      const store = ctx.backend.store();
      const encounter = store.encounters.get(input.id);
      if (!encounter) throw new AppError('NOT_FOUND', 'That encounter is not on this workstation.');
      return {
        encounter: { ...encounter, id: input.id },
        patient: headerOf(store, encounter.patientId),
        notes: roleCan(ctx.user.role, 'notes.read') ? store.notes.ofEncounter(input.id) : null,
        orders: roleCan(ctx.user.role, 'orders.read') ? store.orders.ofEncounter(input.id) : null,
      };
    }),
});
