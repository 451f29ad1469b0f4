import { z } from 'zod';
import { idSchema } from '../ids.ts';

export const BOOKING_CONFLICT_STATUSES = ['open', 'resolved'] as const;
/** How an open conflict ended: one appointment moved or was cancelled/deleted, or a person accepted the overlap. */
export const BOOKING_CONFLICT_RESOLUTIONS = ['rescheduled', 'cancelled', 'dismissed'] as const;

const instant = z.string().datetime({ offset: true, message: 'must be an ISO-8601 date and time' });

/**
 * A double-booked slot (scheduling, DESIGN §4): two active appointments of the same
 * practitioner whose times overlap, typically booked on two desks while offline. Both
 * bookings are kept; the server records the overlap in the transaction of the second one
 * so every desk of the org sees it, and resolves it when one of them moves or is cancelled.
 * Written by the server only; workstations read it.
 *
 * firstAppointmentId was stored first, secondAppointmentId made the overlap. startsAt/endsAt
 * are the overlapping part. practitionerId is null when the appointments name the
 * practitioner only by name (appointments made on a workstation carry just the name).
 */
export const bookingConflictFieldsSchema = z.object({
  firstAppointmentId: idSchema,
  secondAppointmentId: idSchema,
  practitionerId: idSchema.nullable(),
  practitionerName: z.string().max(100),
  startsAt: instant,
  endsAt: instant,
  status: z.enum(BOOKING_CONFLICT_STATUSES),
  resolution: z.enum(BOOKING_CONFLICT_RESOLUTIONS).nullable(),
});

export type BookingConflictFields = z.infer<typeof bookingConflictFieldsSchema>;
