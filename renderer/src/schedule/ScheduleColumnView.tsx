import { AppointmentCard } from './AppointmentCard.tsx';
import { clinicDay, clinicTime, dayLabel, type ScheduleMode } from './schedule-dates.ts';
import type { AppointmentAction } from './use-schedule.ts';
import type { Booked, DeskRights, FreeSlot, ScheduleColumn, SlotChoice } from './schedule-types.ts';

type Entry = { at: string; appointment: Booked; slot?: undefined } | { at: string; slot: FreeSlot; appointment?: undefined };

type Props = {
  column: ScheduleColumn;
  mode: ScheduleMode;
  rights: DeskRights;
  pendingId: string | null;
  onBook: (choice: SlotChoice) => void;
  onAction: (action: AppointmentAction, appointment: Booked) => void;
  onReschedule: (appointment: Booked) => void;
};

/**
 * Appointments (cancelled and no-show ones too) and free slots of a day, in time order. A
 * released appointment sits just before the free slot it gave back (the sort is stable).
 */
function entriesByDay(column: ScheduleColumn): Map<string, Entry[]> {
  const days = new Map<string, Entry[]>();
  const add = (day: string, entry: Entry) => days.set(day, [...(days.get(day) ?? []), entry]);
  for (const appointment of [...column.appointments, ...column.released]) add(clinicDay(appointment.startsAt), { at: appointment.startsAt, appointment });
  for (const slot of column.freeSlots) add(slot.date, { at: slot.startsAt, slot });
  for (const entries of days.values()) entries.sort((a, b) => a.at.localeCompare(b.at));
  return new Map([...days].sort(([a], [b]) => a.localeCompare(b)));
}

/** One practitioner at one location: what is booked and what is free. */
export function ScheduleColumnView({ column, mode, rights, pendingId, onBook, onAction, onReschedule }: Props) {
  const title = `${column.practitionerName} — ${column.locationName}`;
  const headingId = `col-${column.practitionerId}-${column.locationId}`;
  const days = entriesByDay(column);
  return (
    <section className="sched-column" aria-labelledby={headingId}>
      <h3 id={headingId}>{title}</h3>
      {days.size === 0 && <p className="muted">Not working and nothing booked.</p>}
      {[...days].map(([day, entries]) => (
        <div key={day} className="sched-day">
          {mode === 'week' && <h4>{dayLabel(day, 'short')}</h4>}
          <ol className="sched-entries">
            {entries.map((entry) =>
              entry.appointment ? (
                <li key={entry.appointment.id}>
                  <AppointmentCard appointment={entry.appointment} rights={rights} pending={pendingId === entry.appointment.id} onAction={onAction} onReschedule={onReschedule} />
                </li>
              ) : (
                <li key={entry.slot.startsAt} className="slot">
                  {rights.write ? (
                    <button
                      type="button"
                      className="slot-button"
                      aria-label={`Book ${entry.slot.start}${mode === 'week' ? ` on ${dayLabel(day, 'short')}` : ''} with ${column.practitionerName} in ${column.locationName}`}
                      onClick={() => onBook({ date: entry.slot.date, time: entry.slot.start, practitionerName: column.practitionerName, location: column.locationName })}
                    >
                      Book {entry.slot.start}
                    </button>
                  ) : (
                    <span className="slot-free">{clinicTime(entry.slot.startsAt)} free</span>
                  )}
                </li>
              ),
            )}
          </ol>
        </div>
      ))}
    </section>
  );
}
