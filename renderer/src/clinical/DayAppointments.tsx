import { readAppError } from '../api/errors.ts';
import { hrefOf } from '../layout/routes.ts';
import { Alert } from '../ui/Alert.tsx';
import { DataTable } from '../ui/DataTable.tsx';
import { formatTime } from '../ui/format.ts';
import { useDayAppointments, useMyDay, useOpenEncounter } from './use-clinical.ts';

/** The practitioner's booked appointments of the day; one without an encounter can start one. */
export function DayAppointments({ date, practitionerId, canStart }: { date: string; practitionerId: string; canStart: boolean }) {
  const appointments = useDayAppointments(date, practitionerId);
  const day = useMyDay(date, practitionerId);
  const open = useOpenEncounter();
  const failure = appointments.isError ? readAppError(appointments.error) : null;
  const openFailure = open.isError ? readAppError(open.error) : null;
  const encounterOf = new Map((day.data?.encounters ?? []).flatMap((e) => (e.appointmentId ? [[e.appointmentId, e.id] as const] : [])));
  const rows = (appointments.data ?? []).filter((a) => a.status !== 'cancelled');

  function start(appointment: { id: string; patientId: string }) {
    open.mutate(
      { patientId: appointment.patientId, appointmentId: appointment.id, practitionerId },
      { onSuccess: ({ id }) => (window.location.hash = hrefOf({ section: 'encounter', id })) },
    );
  }

  return (
    <section aria-labelledby="my-day-appointments" className="clinical-part">
      <h2 id="my-day-appointments">Appointments</h2>
      {failure && <Alert tone="error" title="Could not load the appointments">{failure.message}</Alert>}
      {openFailure && <Alert tone="error" title="Could not start the encounter">{openFailure.message}</Alert>}
      {appointments.isPending ? (
        <p className="muted">Loading appointments…</p>
      ) : rows.length === 0 ? (
        <p className="empty">No appointments booked for this practitioner on this day.</p>
      ) : (
        <DataTable caption="Appointments of the day, in time order" columns={['Time', 'Patient', 'Reason', 'Encounter']}>
          {rows.map((appointment) => {
            const encounterId = encounterOf.get(appointment.id);
            return (
              <tr key={appointment.id}>
                <th scope="row">{`${formatTime(appointment.startsAt)}–${formatTime(appointment.endsAt)}`}</th>
                <td>
                  <a href={hrefOf({ section: 'chart', id: appointment.patientId })}>{appointment.patientName}</a>
                </td>
                <td>{appointment.reason || '—'}</td>
                <td>
                  {encounterId ? (
                    <a href={hrefOf({ section: 'encounter', id: encounterId })}>
                      Open encounter<span className="visually-hidden">{` for ${appointment.patientName}`}</span>
                    </a>
                  ) : canStart ? (
                    <button type="button" disabled={open.isPending} onClick={() => start(appointment)}>
                      Start encounter<span className="visually-hidden">{` for ${appointment.patientName}`}</span>
                    </button>
                  ) : (
                    <span className="muted">Not started</span>
                  )}
                </td>
              </tr>
            );
          })}
        </DataTable>
      )}
    </section>
  );
}
