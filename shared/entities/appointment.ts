import { z } from 'zod';
import { idSchema } from '../ids.ts';

export const APPOINTMENT_STATUSES = ['booked', 'checked_in', 'cancelled', 'no_show'] as const;

const instant = z.string().datetime({ offset: true, message: 'must be an ISO-8601 date and time' });

export const appointmentFieldsSchema = z
  .object({
    patientId: idSchema,
    startsAt: instant,
    endsAt: instant,
    status: z.enum(APPOINTMENT_STATUSES),
    reason: z.string().trim().max(200, 'is too long'),
    practitionerName: z.string().trim().max(100, 'is too long'),
    location: z.string().trim().max(100, 'is too long'),
  });

export type AppointmentFields = z.infer<typeof appointmentFieldsSchema>;

/** Checked where a whole appointment is known (create, or merged state after an update). */
export function appointmentTimesAreOrdered(fields: Pick<AppointmentFields, 'startsAt' | 'endsAt'>): boolean {
  return Date.parse(fields.endsAt) > Date.parse(fields.startsAt);
}
