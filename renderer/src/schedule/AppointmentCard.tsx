import { useEffect, useId, useRef, useState } from 'react';
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

/**
 * One visit in a column: time, patient, reason, status as text, and the desk's actions.
 * A booked visit offers them all; a no-show may still check in (a late patient); cancelled
 * and checked-in ones offer none. After an action the card itself takes focus (the button
 * pressed is gone), and closing the cancel question returns focus to "Cancel".
 */
export function AppointmentCard({ appointment, rights, pending, onAction, onReschedule }: Props) {
  const [confirming, setConfirming] = useState(false);
  const statusId = useId();
  const card = useRef<HTMLElement>(null);
  const cancelButton = useRef<HTMLButtonElement>(null);
  const backToCancel = useRef(false);
  const keepFocus = useRef(false);
  useEffect(() => {
    if (confirming || !backToCancel.current) return;
    backToCancel.current = false;
    cancelButton.current?.focus();
  }, [confirming]);
  // The new status can move the card within its column (a moved node loses focus): take it again.
  useEffect(() => {
    if (!keepFocus.current) return;
    keepFocus.current = false;
    if (!document.activeElement || document.activeElement === document.body) card.current?.focus();
  }, [appointment.status]);

  const time = `${clinicTime(appointment.startsAt)}–${clinicTime(appointment.endsAt)}`;
  const patient = appointment.patientName || 'Unknown patient';
  // Names repeat (two patients, or one patient twice): the time and practitioner tell the buttons apart.
  const who = `${patient}, ${clinicTime(appointment.startsAt)}${appointment.practitionerName ? ` with ${appointment.practitionerName}` : ''}`;
  const status = STATUS_TEXT[appointment.status];
  const open = appointment.status === 'booked';
  const lateCheckIn = appointment.status === 'no_show';
  const act = (action: AppointmentAction) => {
    keepFocus.current = true;
    card.current?.focus();
    onAction(action, appointment);
  };
  const checkIn = rights.checkIn && (
    <button type="button" disabled={pending} aria-label={`Check in ${who}`} onClick={() => act('checkIn')}>
      Check in
    </button>
  );
  return (
    <article ref={card} tabIndex={-1} className={`appt appt-${appointment.status}`} aria-label={`${time} ${patient}`} aria-describedby={statusId}>
      <p className="appt-line">
        <time dateTime={appointment.startsAt}>{time}</time> <strong>{patient}</strong>
      </p>
      {appointment.reason && <p className="appt-reason">{appointment.reason}</p>}
      <p id={statusId} className={`status status-${appointment.status}`}>
        {status}
      </p>
      {rights.write && open && !confirming && (
        <div className="appt-actions">
          {checkIn}
          <button type="button" disabled={pending} aria-label={`Reschedule ${who}`} onClick={() => onReschedule(appointment)}>
            Reschedule
          </button>
          <button type="button" ref={cancelButton} disabled={pending} aria-label={`Cancel ${who}`} onClick={() => setConfirming(true)}>
            Cancel
          </button>
          <button type="button" disabled={pending} aria-label={`No-show ${who}`} onClick={() => act('noShow')}>
            No-show
          </button>
        </div>
      )}
      {rights.write && lateCheckIn && checkIn && <div className="appt-actions">{checkIn}</div>}
      {confirming && (
        <ConfirmCancel
          what={`the appointment of ${who}`}
          pending={pending}
          onConfirm={() => {
            setConfirming(false);
            act('cancel');
          }}
          onKeep={() => {
            backToCancel.current = true;
            setConfirming(false);
          }}
        />
      )}
    </article>
  );
}
