import { useState } from 'react';
import { clinicTime } from './schedule-dates.ts';
import { ConfirmCancel } from './ConfirmCancel.tsx';
import type { AppointmentAction } from './use-schedule.ts';
import type { Booked, DeskRights } from './schedule-types.ts';

export const STATUS_TEXT: Record<Booked['status'], string> = {
  booked: 'Booked',
  checked_in: 'Checked in',
  cancelled: 'Cancelled',
  no_show: 'No-show',
};

type Props = {
  appointment: Booked;
  rights: DeskRights;
  pending: boolean;
  onAction: (action: AppointmentAction, appointment: Booked) => void;
  onReschedule: (appointment: Booked) => void;
};

/** One booked visit in a column: time, patient, reason, status as text, and the desk's actions. */
export function AppointmentCard({ appointment, rights, pending, onAction, onReschedule }: Props) {
  const [confirming, setConfirming] = useState(false);
  const time = `${clinicTime(appointment.startsAt)}–${clinicTime(appointment.endsAt)}`;
  // Names repeat (two patients, or one patient twice): the time and practitioner tell the buttons apart.
  const who = `${appointment.patientName || 'Unknown patient'}, ${clinicTime(appointment.startsAt)}${appointment.practitionerName ? ` with ${appointment.practitionerName}` : ''}`;
  const open = appointment.status === 'booked';
  return (
    <article className={`appt appt-${appointment.status}`} aria-label={`${time} ${appointment.patientName}`}>
      <p className="appt-line">
        <time dateTime={appointment.startsAt}>{time}</time> <strong>{appointment.patientName || 'Unknown patient'}</strong>
      </p>
      {appointment.reason && <p className="appt-reason">{appointment.reason}</p>}
      <p className={`status status-${appointment.status}`}>{STATUS_TEXT[appointment.status]}</p>
      {rights.write && open && !confirming && (
        <div className="appt-actions">
          {rights.checkIn && (
            <button type="button" disabled={pending} aria-label={`Check in ${who}`} onClick={() => onAction('checkIn', appointment)}>
              Check in
            </button>
          )}
          <button type="button" disabled={pending} aria-label={`Reschedule ${who}`} onClick={() => onReschedule(appointment)}>
            Reschedule
          </button>
          <button type="button" disabled={pending} aria-label={`Cancel ${who}`} onClick={() => setConfirming(true)}>
            Cancel
          </button>
          <button type="button" disabled={pending} aria-label={`No-show ${who}`} onClick={() => onAction('noShow', appointment)}>
            No-show
          </button>
        </div>
      )}
      {confirming && (
        <ConfirmCancel
          what={`the appointment of ${who}`}
          pending={pending}
          onConfirm={() => {
            setConfirming(false);
            onAction('cancel', appointment);
          }}
          onKeep={() => setConfirming(false)}
        />
      )}
    </article>
  );
}
