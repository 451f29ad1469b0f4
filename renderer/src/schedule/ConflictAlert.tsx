import { useEffect, useRef, useState } from 'react';
import { ConfirmCancel } from './ConfirmCancel.tsx';
import { clinicTime, dayLabel, clinicDay } from './schedule-dates.ts';
import type { Booked, DeskRights, OpenConflict } from './schedule-types.ts';

type Props = {
  conflicts: readonly OpenConflict[];
  /** Every active appointment the view shows, by id: a conflict's sides. */
  active: ReadonlyMap<string, Booked>;
  rights: DeskRights;
  pendingId: string | null;
  onCancel: (appointment: Booked) => void;
  onMove: (appointment: Booked) => void;
};

const overlap = (a: Booked, b: Booked) => Date.parse(a.startsAt) < Date.parse(b.endsAt) && Date.parse(b.startsAt) < Date.parse(a.endsAt);

/**
 * A conflict is the server's record; only the server closes it, once a change that ends the
 * overlap has synced. Until then a conflict this desk already acted on (one side cancelled,
 * or moved apart) says so instead of asking again.
 */
function isResolvingHere(conflict: OpenConflict, active: ReadonlyMap<string, Booked>): boolean {
  const first = active.get(conflict.firstAppointmentId);
  const second = active.get(conflict.secondAppointmentId);
  return !first || !second || !overlap(first, second);
}

/** Open double bookings in the range, at the top of the schedule, with a way to settle each. */
export function ConflictAlert({ conflicts, active, rights, pendingId, onCancel, onMove }: Props) {
  const [confirming, setConfirming] = useState<string | null>(null);
  // Closing the cancel question: "Keep it" returns to that side's "Cancel this one"; a cancel
  // leaves the conflict resolving (its buttons gone), so the heading takes focus.
  const heading = useRef<HTMLHeadingElement>(null);
  const cancelButtons = useRef(new Map<string, HTMLButtonElement>());
  const returnTo = useRef<string | null>(null);
  useEffect(() => {
    if (confirming !== null || returnTo.current === null) return;
    cancelButtons.current.get(returnTo.current)?.focus();
    returnTo.current = null;
  }, [confirming]);
  if (conflicts.length === 0) return null;
  return (
    <section className="conflicts" role="alert" aria-labelledby="conflicts-heading">
      <h2 id="conflicts-heading" ref={heading} tabIndex={-1}>
        {conflicts.length === 1 ? 'A double booking needs a decision' : `${conflicts.length} double bookings need a decision`}
      </h2>
      <ul>
        {conflicts.map((conflict) => {
          const resolving = isResolvingHere(conflict, active);
          const when = `${dayLabel(clinicDay(conflict.startsAt), 'short')} ${clinicTime(conflict.startsAt)}–${clinicTime(conflict.endsAt)}`;
          const sides = [conflict.firstAppointmentId, conflict.secondAppointmentId].map((id) => active.get(id));
          return (
            <li key={conflict.id} className="conflict">
              <p>
                <strong>{conflict.practitionerName || 'One practitioner'}</strong> is booked twice, {when}.
                {resolving && <span className="resolving"> Resolving — waiting for sync.</span>}
              </p>
              <ul className="conflict-sides">
                {sides.map((side, index) =>
                  side ? (
                    <li key={side.id}>
                      <span>
                        {clinicTime(side.startsAt)}–{clinicTime(side.endsAt)} {side.patientName || 'Unknown patient'}
                        {side.location && `, ${side.location}`}
                      </span>
                      {rights.write && !resolving && confirming !== side.id && (
                        <>
                          {' '}
                          <button
                            type="button"
                            ref={(button) => {
                              if (button) cancelButtons.current.set(side.id, button);
                              else cancelButtons.current.delete(side.id);
                            }}
                            disabled={pendingId === side.id}
                            aria-label={`Cancel this one: ${side.patientName}, ${clinicTime(side.startsAt)}`}
                            onClick={() => setConfirming(side.id)}
                          >
                            Cancel this one
                          </button>{' '}
                          <button type="button" disabled={pendingId === side.id} aria-label={`Move this one: ${side.patientName}, ${clinicTime(side.startsAt)}`} onClick={() => onMove(side)}>
                            Move this one
                          </button>
                        </>
                      )}
                      {confirming === side.id && (
                        <ConfirmCancel
                          what={`the appointment of ${side.patientName || 'this patient'}, ${clinicTime(side.startsAt)}`}
                          pending={pendingId === side.id}
                          onConfirm={() => {
                            heading.current?.focus();
                            setConfirming(null);
                            onCancel(side);
                          }}
                          onKeep={() => {
                            returnTo.current = side.id;
                            setConfirming(null);
                          }}
                        />
                      )}
                    </li>
                  ) : (
                    <li key={`${conflict.id}-${index}`} className="muted">
                      The other appointment was cancelled or moved on this workstation.
                    </li>
                  ),
                )}
              </ul>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
