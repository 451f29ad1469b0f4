import { z } from 'zod';
import { isoDate } from '../entities/patient.ts';
import { practitionerScheduleFieldsSchema } from '../entities/practitioner-schedule.ts';
import { idSchema } from '../ids.ts';
import { label } from './text.ts';

/**
 * Inputs of the scheduling.* procedures. Every object is strict (an unknown key is a
 * VALIDATION error, not silently dropped) and every string and range is bounded.
 */


const instant = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date and time' });
const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** The longest appointment and the widest window one list call may ask for. */
export const MAX_APPOINTMENT_MINUTES = 12 * 60;
export const MAX_LIST_DAYS = 92;

export const LOCATION_KINDS = ['clinic', 'room', 'telehealth', 'external'] as const;

export const locationListInput = z.strictObject({ includeInactive: z.boolean().default(false) }).prefault({});

export const locationCreateInput = z.strictObject({
  name: label(100),
  kind: z.enum(LOCATION_KINDS),
  active: z.boolean().default(true),
});

export const locationUpdateInput = z
  .strictObject({
    id: idSchema,
    name: label(100).optional(),
    kind: z.enum(LOCATION_KINDS).optional(),
    active: z.boolean().optional(),
  })
  .refine((input) => input.name !== undefined || input.kind !== undefined || input.active !== undefined, 'must change at least one field');

export const scheduleListInput = z.strictObject({ practitionerId: idSchema.optional(), locationId: idSchema.optional() }).prefault({});

/** One weekly block; without `id` a new one is created, with `id` that block is replaced. */
export const scheduleUpsertInput = z
  .strictObject({
    id: idSchema.optional(),
    // The synced record's fields (weekday 1 = Monday ... 7 = Sunday), open-ended unless given.
    ...practitionerScheduleFieldsSchema.shape,
    validTo: isoDate.nullable().default(null),
  })
  .refine((s) => minutesOf(s.endTime) > minutesOf(s.startTime), { message: 'must end after it starts', path: ['endTime'] })
  .refine((s) => minutesOf(s.endTime) - minutesOf(s.startTime) >= s.slotMinutes, { message: 'must be at least one slot long', path: ['slotMinutes'] })
  .refine((s) => s.validTo === null || s.validTo >= s.validFrom, { message: 'must not be before validFrom', path: ['validTo'] });

const orderedTimes = <S extends z.ZodType<{ startsAt: string; endsAt: string }>>(schema: S): S =>
  schema
    .refine((a) => Date.parse(a.endsAt) > Date.parse(a.startsAt), { message: 'must be after startsAt', path: ['endsAt'] })
    .refine((a) => Date.parse(a.endsAt) - Date.parse(a.startsAt) <= MAX_APPOINTMENT_MINUTES * 60_000, { message: 'makes the appointment too long', path: ['endsAt'] });

export const appointmentListInput = z
  .strictObject({
    from: instant,
    to: instant,
    practitionerId: idSchema.optional(),
    locationId: idSchema.optional(),
    limit: z.number().int().min(1).max(500).default(200),
  })
  .refine((r) => Date.parse(r.to) > Date.parse(r.from), { message: 'must be after from', path: ['to'] })
  .refine((r) => Date.parse(r.to) - Date.parse(r.from) <= MAX_LIST_DAYS * 86_400_000, { message: `must be at most ${MAX_LIST_DAYS} days after from`, path: ['to'] });

export const appointmentGetInput = z.strictObject({ id: idSchema });

export const appointmentBookInput = orderedTimes(
  z.strictObject({
    patientId: idSchema,
    practitionerId: idSchema,
    locationId: idSchema,
    startsAt: instant,
    endsAt: instant,
    reason: label(200),
    /** The practitioner's name as shown on workstations (the synced appointment carries display text). */
    practitionerName: label(100),
  }),
);

/** The only moves out of `booked`; every other status change is refused (CONFLICT). */
export const APPOINTMENT_STATUS_TARGETS = ['checked_in', 'cancelled', 'no_show'] as const;

export const appointmentSetStatusInput = z.strictObject({ id: idSchema, status: z.enum(APPOINTMENT_STATUS_TARGETS) });

export const appointmentRescheduleInput = orderedTimes(z.strictObject({ id: idSchema, startsAt: instant, endsAt: instant }));

export type LocationCreateInput = z.infer<typeof locationCreateInput>;
export type LocationUpdateInput = z.infer<typeof locationUpdateInput>;
export type ScheduleUpsertInput = z.infer<typeof scheduleUpsertInput>;
export type AppointmentListInput = z.infer<typeof appointmentListInput>;
export type AppointmentBookInput = z.infer<typeof appointmentBookInput>;
export type AppointmentStatusTarget = (typeof APPOINTMENT_STATUS_TARGETS)[number];
