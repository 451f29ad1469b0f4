import { z } from 'zod';
import { ENCOUNTER_STATUSES } from '../api/clinical.ts';
import { AppError } from '../errors.ts';
import { idSchema } from '../ids.ts';

/**
 * An encounter (a patient's visit or contact) as it syncs. Who opened and closed it is
 * not a field: the server records the signed-in user who did. The rules below are the
 * only copy: the server's desk procedures, its sync appliers and the workstation's store
 * all ask them.
 */
const instant = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date and time' });

export const encounterFieldsSchema = z.object({
  patientId: idSchema,
  appointmentId: idSchema.nullable(),
  practitionerId: idSchema.nullable(),
  status: z.enum(ENCOUNTER_STATUSES),
  startedAt: instant,
  endedAt: instant.nullable(),
});

export type EncounterFields = z.infer<typeof encounterFieldsSchema>;

/** Workstation clocks drift; a time this far ahead of the checking clock still counts as "now". */
export const CLOCK_SKEW_MS = 10 * 60_000;

export const encounterInFuture = (what: 'start' | 'end') => new AppError('VALIDATION', `An encounter cannot ${what} in the future.`);
export const encounterEndsBeforeStart = () => new AppError('VALIDATION', 'An encounter cannot end before it started.');
export const encounterClosed = () => new AppError('CONFLICT', 'This encounter is already closed.');

/** The time rules of a whole encounter (create, or merged state after an edit). */
export function encounterTimesRefusal(f: Pick<EncounterFields, 'status' | 'startedAt' | 'endedAt'>, now: number = Date.now()): AppError | null {
  if (Date.parse(f.startedAt) > now + CLOCK_SKEW_MS) return encounterInFuture('start');
  if (f.endedAt !== null && Date.parse(f.endedAt) > now + CLOCK_SKEW_MS) return encounterInFuture('end');
  if ((f.status === 'closed') !== (f.endedAt !== null)) return new AppError('VALIDATION', 'A closed encounter needs its end time, and an open one has none.');
  if (f.endedAt !== null && Date.parse(f.endedAt) < Date.parse(f.startedAt)) return encounterEndsBeforeStart();
  return null;
}

/** What may change on an existing encounter: while open, anything but its patient; once closed, nothing. */
export function encounterChangeRefusal(current: Pick<EncounterFields, 'status'>, changed: readonly string[]): AppError | null {
  if (changed.length === 0) return null;
  if (current.status === 'closed') return encounterClosed();
  if (changed.includes('patientId')) return new AppError('CONFLICT', "An encounter's patient cannot change. Open a new encounter for the other patient.");
  return null;
}
