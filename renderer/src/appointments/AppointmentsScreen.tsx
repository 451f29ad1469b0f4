import { useState } from 'react';
import { readAppError } from '../api/errors.ts';
import { Alert } from '../ui/Alert.tsx';
import { formatCalendarDate, localToday } from '../ui/format.ts';
import { AppointmentTable } from './AppointmentTable.tsx';
import { BookAppointmentForm } from './BookAppointmentForm.tsx';
import { DayPicker } from './DayPicker.tsx';
import { localDayOf } from './day.ts';
import { useAppointments } from './use-appointments.ts';
import { ScreenHead } from '../ui/ScreenHead.tsx';

/** One day's schedule at a time: what the desk works from, and a small DOM. */
export function AppointmentsScreen() {
  const appointments = useAppointments();
  const [day, setDay] = useState(localToday);
  const [formOpen, setFormOpen] = useState(false);
  const [booked, setBooked] = useState(false);
  const failure = appointments.isError ? readAppError(appointments.error) : null;
  const rows = (appointments.data ?? []).filter((appointment) => localDayOf(appointment.startsAt) === day);

  return (
    <section aria-labelledby="appointments-heading">
      <ScreenHead
        headingId="appointments-heading"
        title="Appointments"
        actionLabel="Book appointment"
        expanded={formOpen}
        onToggle={() => {
          setFormOpen((open) => !open);
          setBooked(false);
        }}
      />
      {formOpen && (
        <BookAppointmentForm
          initialDay={day}
          onBooked={(bookedDay) => {
            setBooked(true);
            setFormOpen(false);
            setDay(bookedDay);
          }}
          onCancel={() => setFormOpen(false)}
        />
      )}
      {booked && <Alert tone="success">Appointment booked. It shows as “Pending sync” until it reaches the server.</Alert>}
      <div className="toolbar">
        <DayPicker day={day} onChange={setDay} />
      </div>
      {failure && <Alert tone="error" title="Could not load appointments">{failure.message}</Alert>}
      <h2 className="day-heading">{formatCalendarDate(day, 'long')}</h2>
      {appointments.isPending ? (
        <p className="muted">Loading appointments…</p>
      ) : rows.length === 0 ? (
        <p className="empty">No appointments on this day.</p>
      ) : (
        <AppointmentTable appointments={rows} caption={`Appointments on ${formatCalendarDate(day, 'long')}`} />
      )}
    </section>
  );
}
