import { useMemo, useRef, useState } from 'react';
import { readAppError } from '../api/errors.ts';
import { BookAppointmentForm } from '../appointments/BookAppointmentForm.tsx';
import { can } from '../layout/routes.ts';
import { useSession } from '../session/use-session.ts';
import { Alert } from '../ui/Alert.tsx';
import { AppointmentCard } from './AppointmentCard.tsx';
import { ConflictAlert } from './ConflictAlert.tsx';
import { RescheduleForm } from './RescheduleForm.tsx';
import { ScheduleColumnView } from './ScheduleColumnView.tsx';
import { ScheduleToolbar } from './ScheduleToolbar.tsx';
import { addUtcDays, clinicTime, dayLabel, rangeStart, utcToday, type ScheduleMode } from './schedule-dates.ts';
import type { Booked, DeskRights, SlotChoice } from './schedule-types.ts';
import { useReturnFocus } from './use-return-focus.ts';
import { useAppointmentAction, useScheduleChoices, useScheduleView, type AppointmentAction, type ScheduleFilters } from './use-schedule.ts';
import './schedule.css';

const DONE: Record<AppointmentAction, string> = {
  checkIn: 'checked in; the visit’s encounter is open',
  cancel: 'cancelled; the slot is free again',
  noShow: 'marked as a no-show',
};

type Form = { kind: 'book'; slot: SlotChoice | null } | { kind: 'reschedule'; appointment: Booked } | null;

/**
 * The front desk's day or week: per practitioner and room, who is booked and which slots are
 * free, with booking, rescheduling, cancelling, no-shows and check-in. All of it reads and
 * writes the local store, so it works the same offline; sync carries the changes.
 */
export function ScheduleScreen() {
  const role = useSession().data?.user?.role;
  const rights: DeskRights = { write: role ? can(role, 'schedule.write') : false, checkIn: role ? can(role, 'encounters.write') : false };
  const [mode, setMode] = useState<ScheduleMode>('day');
  const [date, setDate] = useState(utcToday);
  const [filters, setFilters] = useState<ScheduleFilters>({ practitionerId: '', locationId: '' });
  const [form, setForm] = useState<Form>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const view = useScheduleView(mode, date, filters);
  const choices = useScheduleChoices();
  const action = useAppointmentAction();
  const pendingId = action.isPending ? (action.variables?.id ?? null) : null;
  const dayHeading = useRef<HTMLHeadingElement>(null);
  const focus = useReturnFocus(dayHeading, !view.isFetching);

  const data = view.data;
  const active = useMemo(() => new Map((data ? [...data.columns.flatMap((c) => c.appointments), ...data.unplaced] : []).map((a) => [a.id, a])), [data]);

  const act = (kind: AppointmentAction, appointment: Booked) => {
    setNotice(null);
    action.mutate(
      { action: kind, id: appointment.id },
      { onSuccess: () => setNotice(`${appointment.patientName || 'The appointment'} at ${clinicTime(appointment.startsAt)}: ${DONE[kind]}.`) },
    );
  };
  const openForm = (next: Form) => {
    setNotice(null);
    action.reset();
    focus.remember();
    setForm(next);
  };
  const closeForm = () => {
    setForm(null);
    focus.restore();
  };
  // The toolbar's button closes its own form again: focus is already on it.
  const toggleBooking = () => {
    if (form?.kind !== 'book') return openForm({ kind: 'book', slot: null });
    focus.forget();
    setForm(null);
  };
  const start = rangeStart(mode, date);
  const title = mode === 'day' ? dayLabel(start) : `Week of ${dayLabel(start)} to ${dayLabel(addUtcDays(start, 6), 'short')}`;
  const failure = view.isError ? readAppError(view.error) : null;
  const actionFailure = action.isError ? readAppError(action.error) : null;

  return (
    <section aria-labelledby="schedule-heading" aria-busy={view.isPending} className="schedule">
      <div className="screen-head">
        <h1 id="schedule-heading">Schedule</h1>
        {rights.write && (
          <button type="button" className="primary" aria-expanded={form?.kind === 'book'} onClick={toggleBooking}>
            Book appointment
          </button>
        )}
      </div>
      {form?.kind === 'book' && (
        <BookAppointmentForm
          key={form.slot ? `${form.slot.date}${form.slot.time}${form.slot.practitionerName}${form.slot.location}` : 'blank'}
          initialDay={form.slot?.date ?? start}
          initial={form.slot ? { time: form.slot.time, practitionerName: form.slot.practitionerName, location: form.slot.location } : {}}
          title={form.slot ? `Book ${form.slot.time} with ${form.slot.practitionerName} in ${form.slot.location}` : 'Book appointment'}
          onBooked={(day) => {
            closeForm();
            if (mode === 'day') setDate(day);
            setNotice('Appointment booked. It is saved on this workstation and syncs when the server is reachable.');
          }}
          onCancel={closeForm}
        />
      )}
      {form?.kind === 'reschedule' && (
        <RescheduleForm
          key={form.appointment.id}
          appointment={form.appointment}
          onDone={(day) => {
            closeForm();
            if (mode === 'day') setDate(day);
            setNotice('Appointment moved. It syncs when the server is reachable.');
          }}
          onCancel={closeForm}
        />
      )}
      {notice && <Alert tone="success">{notice}</Alert>}
      {actionFailure && <Alert tone="error" title="That did not work">{actionFailure.message}</Alert>}
      <ScheduleToolbar mode={mode} date={date} filters={filters} choices={choices.data} onMode={setMode} onDate={setDate} onFilters={setFilters} />
      {failure && <Alert tone="error" title="Could not load the schedule">{failure.message}</Alert>}
      <h2 className="day-heading" ref={dayHeading} tabIndex={-1}>
        {title}
      </h2>
      {data && (
        <ConflictAlert
          conflicts={data.openConflicts}
          active={active}
          rights={rights}
          pendingId={pendingId}
          onCancel={(appointment) => act('cancel', appointment)}
          onMove={(appointment) => openForm({ kind: 'reschedule', appointment })}
        />
      )}
      {view.isPending ? (
        <p className="muted">Loading the schedule…</p>
      ) : data && data.columns.length === 0 ? (
        <p className="empty">Nobody is scheduled and nothing is booked {mode === 'day' ? 'on this day' : 'this week'}.</p>
      ) : (
        <div className={`sched-grid sched-${mode}`}>
          {data?.columns.map((column) => (
            <ScheduleColumnView
              key={`${column.practitionerId}|${column.locationId}`}
              column={column}
              mode={mode}
              rights={rights}
              pendingId={pendingId}
              onBook={(slot) => openForm({ kind: 'book', slot })}
              onAction={act}
              onReschedule={(appointment) => openForm({ kind: 'reschedule', appointment })}
            />
          ))}
        </div>
      )}
      {data && data.unplaced.length + data.releasedUnplaced.length > 0 && (
        <section className="unplaced" aria-labelledby="unplaced-heading">
          <h2 id="unplaced-heading">Not on the schedule</h2>
          <p className="muted">These appointments name a practitioner or room this workstation does not know (yet).</p>
          <ul className="sched-entries">
            {[...data.unplaced, ...data.releasedUnplaced].map((appointment) => (
              <li key={appointment.id}>
                <p className="muted small">
                  {appointment.practitionerName || 'No practitioner'} · {appointment.location || 'No room'}
                  {mode === 'week' && ` · ${dayLabel(appointment.startsAt.slice(0, 10), 'short')}`}
                </p>
                <AppointmentCard appointment={appointment} rights={rights} pending={pendingId === appointment.id} onAction={act} onReschedule={(a) => openForm({ kind: 'reschedule', appointment: a })} />
              </li>
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}
