import type { FormEvent } from 'react';
import { readAppError } from '../api/errors.ts';
import { PractitionerLocationFields } from '../appointments/PractitionerLocationFields.tsx';
import { BOOKING_LABELS, DURATION_OPTIONS, emptyBooking, serverBookingErrors, validateBooking } from '../appointments/appointment-form.ts';
import { Alert } from '../ui/Alert.tsx';
import { FormActions } from '../ui/FormActions.tsx';
import { SelectField } from '../ui/SelectField.tsx';
import { TextField } from '../ui/TextField.tsx';
import { closeOnEscape, useFormFields } from '../ui/use-form-fields.ts';
import { clinicDay, clinicTime } from './schedule-dates.ts';
import type { Booked } from './schedule-types.ts';
import { useReschedule } from './use-schedule.ts';

type Props = { appointment: Booked; onDone: (day: string) => void; onCancel: () => void };

function durationOf(appointment: Booked): string {
  const minutes = String(Math.round((Date.parse(appointment.endsAt) - Date.parse(appointment.startsAt)) / 60_000));
  return DURATION_OPTIONS.some((option) => option.value === minutes) ? minutes : '30';
}

/** A new date and time (and, if need be, practitioner or room) for a booked appointment. */
export function RescheduleForm({ appointment, onDone, onCancel }: Props) {
  const reschedule = useReschedule();
  const { values, setErrors, field, passes } = useFormFields(
    () =>
      emptyBooking(clinicDay(appointment.startsAt), {
        patientId: appointment.patientId,
        time: clinicTime(appointment.startsAt),
        duration: durationOf(appointment),
        reason: appointment.reason,
        practitionerName: appointment.practitionerName,
        location: appointment.location,
      }),
    BOOKING_LABELS,
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = validateBooking(values);
    if (!passes(result)) return;
    const { startsAt, endsAt, practitionerName, location } = result.fields;
    reschedule.mutate(
      { id: appointment.id, startsAt, endsAt, practitionerName, location },
      { onSuccess: () => onDone(values.date), onError: (error) => setErrors(serverBookingErrors(readAppError(error).fieldErrors)) },
    );
  }

  const failure = reschedule.isError ? readAppError(reschedule.error) : null;
  return (
    <section className="card" aria-labelledby="reschedule-heading" onKeyDown={closeOnEscape(onCancel)}>
      <h2 id="reschedule-heading">Reschedule {appointment.patientName || 'appointment'}</h2>
      {failure && <Alert tone="error" title="Could not move the appointment">{failure.message}</Alert>}
      <form onSubmit={onSubmit} noValidate aria-labelledby="reschedule-heading" className="form-grid">
        <TextField {...field('date')} label="New date" type="date" autoFocus />
        <TextField {...field('time')} label="New start time" type="time" step={300} hint="Clinic time (UTC)" />
        <SelectField {...field('duration')} options={DURATION_OPTIONS} />
        <PractitionerLocationFields practitioner={field('practitionerName')} location={field('location')} />
        <FormActions saveLabel="Move appointment" pending={reschedule.isPending} onCancel={onCancel} />
      </form>
    </section>
  );
}
