import type { FormEvent } from 'react';
import { readAppError } from '../api/errors.ts';
import { Alert } from '../ui/Alert.tsx';
import { SelectField } from '../ui/SelectField.tsx';
import { TextField } from '../ui/TextField.tsx';
import { PatientPicker } from './PatientPicker.tsx';
import { PractitionerLocationFields } from './PractitionerLocationFields.tsx';
import { closeOnEscape, useFormFields } from '../ui/use-form-fields.ts';
import { BOOKING_LABELS, DURATION_OPTIONS, emptyBooking, serverBookingErrors, validateBooking, type BookingValues } from './appointment-form.ts';
import { useBookAppointment } from './use-appointments.ts';
import { FormActions } from '../ui/FormActions.tsx';

type Props = {
  initialDay: string;
  /** What the free slot chosen already says: time, practitioner, location. */
  initial?: Partial<BookingValues>;
  /** e.g. "Book 09:30 with Dr. Demo Alpha in Room 1". */
  title?: string;
  onBooked: (day: string) => void;
  onCancel: () => void;
};

/** Book a patient in: pick the patient, confirm the prefilled slot. Escape closes it. */
export function BookAppointmentForm({ initialDay, initial, title = 'Book appointment', onBooked, onCancel }: Props) {
  const book = useBookAppointment();
  const { values, setValues, errors, setErrors, field, passes } = useFormFields(() => emptyBooking(initialDay, initial), BOOKING_LABELS);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = validateBooking(values);
    if (!passes(result)) return;
    book.mutate(result.fields, {
      onSuccess: () => onBooked(values.date),
      onError: (error) => setErrors(serverBookingErrors(readAppError(error).fieldErrors)),
    });
  }

  const failure = book.isError ? readAppError(book.error) : null;

  return (
    <section className="card" aria-labelledby="book-heading" onKeyDown={closeOnEscape(onCancel)}>
      <h2 id="book-heading">{title}</h2>
      {failure && <Alert tone="error" title="Could not book the appointment">{failure.message}</Alert>}
      <form onSubmit={onSubmit} noValidate aria-labelledby="book-heading" className="form-grid">
        <PatientPicker value={values.patientId} onChange={(patientId) => setValues((current) => ({ ...current, patientId }))} error={errors.patientId} />
        <TextField {...field('date')} type="date" />
        <TextField {...field('time')} type="time" step={300} hint="Clinic time (UTC)" />
        <SelectField {...field('duration')} options={DURATION_OPTIONS} />
        <TextField {...field('reason')} autoComplete="off" hint="Optional" />
        <PractitionerLocationFields practitioner={field('practitionerName')} location={field('location')} />
        <FormActions saveLabel="Save appointment" pending={book.isPending} onCancel={onCancel} />
      </form>
    </section>
  );
}
