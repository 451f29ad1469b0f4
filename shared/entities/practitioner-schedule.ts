import { z } from 'zod';
import { idSchema } from '../ids.ts';
import { isoDate } from './patient.ts';

const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day (HH:MM)');

/**
 * One weekly working block of a practitioner at a location (scheduling), as the desk needs
 * it offline to offer free slots. weekday: 1 = Monday (ISO 8601); validTo null = open-ended.
 * Set up online by an admin; workstations only read it.
 */
export const practitionerScheduleFieldsSchema = z.object({
  practitionerId: idSchema,
  locationId: idSchema,
  weekday: z.number().int().min(1).max(7),
  startTime: timeOfDay,
  endTime: timeOfDay,
  slotMinutes: z.number().int().min(5).max(240),
  validFrom: isoDate,
  validTo: isoDate.nullable(),
});

export type PractitionerScheduleFields = z.infer<typeof practitionerScheduleFieldsSchema>;
