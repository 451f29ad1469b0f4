import { useState } from 'react';
import { readAppError } from '../api/errors.ts';
import { Alert } from '../ui/Alert.tsx';
import { AppointmentTable } from './AppointmentTable.tsx';
import { BookAppointmentForm } from './BookAppointmentForm.tsx';
import { useAppointments } from './use-appointments.ts';

export function AppointmentsScreen() {
  const appointments = useAppointments();
  const [formOpen, setFormOpen] = useState(false);
  const [booked, setBooked] = useState(false);
  const failure = appointments.isError ? readAppError(appointments.error) : null;
  const rows = appointments.data ?? [];

  return (
    <section aria-labelledby="appointments-heading">
      <div className="screen-head">
        <h1 id="appointments-heading">Appointments</h1>
        <button
          type="button"
          className="primary"
          aria-expanded={formOpen}
          onClick={() => {
            setFormOpen((open) => !open);
            setBooked(false);
          }}
        >
          Book appointment
        </button>
      </div>
      {formOpen && (
        <BookAppointmentForm
          onBooked={() => {
            setBooked(true);
            setFormOpen(false);
          }}
          onCancel={() => setFormOpen(false)}
        />
      )}
      {booked && <Alert tone="success">Appointment booked. It will show as pending until it has synced.</Alert>}
      {failure && <Alert tone="error" title="Could not load appointments">{failure.message}</Alert>}
      {appointments.isPending ? (
        <p className="muted">Loading appointments…</p>
      ) : rows.length === 0 ? (
        <p className="empty">No appointments yet.</p>
      ) : (
        <AppointmentTable appointments={rows} />
      )}
    </section>
  );
}
