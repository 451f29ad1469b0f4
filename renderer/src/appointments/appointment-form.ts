import { appointmentFieldsSchema, appointmentTimesAreOrdered, type AppointmentFields } from '../../../shared/entities/appointment.ts';
import { fieldErrors } from '../ui/zod-errors.ts';

export type BookingValues = {
  patientId: string;
  date: string;
  time: string;
  duration: string;
  reason: string;
  practitionerName: string;
  location: string;
};
export type BookingErrors = Partial<Record<keyof BookingValues, string>>;

export const BOOKING_LABELS: Record<keyof BookingValues, string> = {
  patientId: 'Patient',
  date: 'Date',
  time: 'Start time',
  duration: 'Duration',
  reason: 'Reason',
  practitionerName: 'Practitioner',
  location: 'Location',
};

export const DURATION_OPTIONS = [
  { value: '15', label: '15 minutes' },
  { value: '30', label: '30 minutes' },
  { value: '45', label: '45 minutes' },
  { value: '60', label: '1 hour' },
  { value: '90', label: '1.5 hours' },
] as const;

export function emptyBooking(date: string, initial: Partial<BookingValues> = {}): BookingValues {
  return { patientId: '', date, time: '09:00', duration: '30', reason: '', practitionerName: '', location: '', ...initial };
}

/**
 * Turns the form's date and time into the API's instants and checks them with the shared
 * schema. The clinic's days are UTC days (like the schedule), so the time typed is UTC.
 */
export function validateBooking(values: BookingValues): { ok: true; fields: AppointmentFields } | { ok: false; errors: BookingErrors } {
  const errors: BookingErrors = {};
  if (!values.patientId) errors.patientId = 'Choose a patient';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(values.date)) errors.date = 'Date is required';
  if (!/^\d{2}:\d{2}$/.test(values.time)) errors.time = 'Start time is required';
  const minutes = Number(values.duration);
  if (!Number.isInteger(minutes) || minutes <= 0) errors.duration = 'Choose a duration';
  const start = new Date(`${values.date}T${values.time}:00Z`);
  if (!errors.date && !errors.time && Number.isNaN(start.getTime())) errors.date = 'Date is not a real date';
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const end = new Date(start.getTime() + minutes * 60_000);
  const candidate = {
    patientId: values.patientId,
    startsAt: start.toISOString(),
    endsAt: end.toISOString(),
    status: 'booked' as const,
    reason: values.reason,
    practitionerName: values.practitionerName,
    location: values.location,
  };
  const parsed = appointmentFieldsSchema.safeParse(candidate);
  if (!parsed.success) {
    const mapped = fieldErrors(parsed.error, {
      patientId: BOOKING_LABELS.patientId,
      startsAt: BOOKING_LABELS.time,
      endsAt: BOOKING_LABELS.duration,
      status: 'Status',
      reason: BOOKING_LABELS.reason,
      practitionerName: BOOKING_LABELS.practitionerName,
      location: BOOKING_LABELS.location,
    });
    return {
      ok: false,
      errors: {
        patientId: mapped.patientId,
        time: mapped.startsAt,
        duration: mapped.endsAt,
        reason: mapped.reason,
        practitionerName: mapped.practitionerName,
        location: mapped.location,
      },
    };
  }
  if (!appointmentTimesAreOrdered(parsed.data)) return { ok: false, errors: { duration: 'The appointment must end after it starts' } };
  return { ok: true, fields: parsed.data };
}

/** The API's per-field messages (named after the wire fields) placed on the form's fields. */
export function serverBookingErrors(fieldErrors: Record<string, string>): BookingErrors {
  const target: Record<string, keyof BookingValues> = {
    patientId: 'patientId',
    startsAt: 'time',
    endsAt: 'duration',
    reason: 'reason',
    practitionerName: 'practitionerName',
    location: 'location',
  };
  const errors: BookingErrors = {};
  for (const [wire, message] of Object.entries(fieldErrors)) {
    const field = target[wire];
    if (field && !errors[field]) errors[field] = `${BOOKING_LABELS[field]} ${message}`;
  }
  return errors;
}
