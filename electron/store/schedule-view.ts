import type { AppointmentFields } from '../../shared/entities/appointment.ts';
import type { Db } from './db.ts';
import { prepared } from './prepared.ts';
import { appointmentOf } from './queries.ts';
import { fieldsOfRow } from './rows.ts';
import { listLocations, listSchedules, listStaff, type BookingConflictRow } from './setup-queries.ts';
import { addDays, isoWeekday, localToInstant, minutesOf, timeOf } from './schedule-view-time.ts';

/**
 * The desk's schedule for a day or a week, on the local store only (works offline): per
 * practitioner and location, the working blocks, the booked appointments and the free slots
 * (the block's slot grid minus every slot a booked appointment overlaps), plus the open
 * booking conflicts in the range.
 *
 * Dates are clinic-local calendar days in `timeZone`. The practice profile has no time zone
 * field yet, so callers pass none and the clinic runs on UTC (the result says which zone).
 *
 * Appointments name their practitioner and location by text only (a workstation booking
 * carries no ids), so they are placed by matching those names, case-insensitively, to the
 * synced staff and locations; an ambiguous or unknown name leaves the appointment "unplaced".
 * A practitioner is busy wherever they are: a booking at another location takes the slot too.
 * Cancelled and no-show appointments are listed apart ("released"): the desk still sees them
 * where they were, but they take no slot.
 */

export interface ScheduleViewQuery {
  /** First day, YYYY-MM-DD (clinic-local). */
  from: string;
  /** Number of days, 1 (a day) to 7 (a week). */
  days: number;
  practitionerId?: string | undefined;
  locationId?: string | undefined;
  /** IANA zone the dates and schedule times are in; default UTC. */
  timeZone?: string | undefined;
}

export interface ScheduledBlock {
  scheduleId: string;
  date: string;
  start: string;
  end: string;
  slotMinutes: number;
}

export interface FreeSlot {
  date: string;
  start: string;
  end: string;
  startsAt: string;
  endsAt: string;
}

export interface BookedAppointment {
  id: string;
  patientId: string;
  patientName: string;
  startsAt: string;
  endsAt: string;
  status: AppointmentFields['status'];
  reason: string;
  practitionerName: string;
  location: string;
  practitionerId: string | null;
  locationId: string | null;
}

export interface ScheduleColumn {
  practitionerId: string;
  practitionerName: string;
  locationId: string;
  locationName: string;
  blocks: ScheduledBlock[];
  appointments: BookedAppointment[];
  /** Cancelled and no-show appointments here: shown, but their time is free again. */
  released: BookedAppointment[];
  freeSlots: FreeSlot[];
}

export interface ScheduleView {
  from: string;
  /** Last day, inclusive. */
  to: string;
  timeZone: string;
  columns: ScheduleColumn[];
  /** Booked appointments in range whose practitioner or location name matches nothing synced (a filter on that side leaves them out). */
  unplaced: BookedAppointment[];
  /** Cancelled and no-show appointments in range that match no column (same rule as `unplaced`). */
  releasedUnplaced: BookedAppointment[];
  openConflicts: BookingConflictRow[];
}

/** Every appointment in range, whatever its status: the view splits holding from released ones. */
export const APPOINTMENTS_IN_RANGE_SQL = `
  SELECT a.id, a.patient_id, a.starts_at, a.ends_at, a.status, a.reason, a.practitioner_name, a.location,
         p.given_name, p.family_name
  FROM appointments a LEFT JOIN patients p ON p.id = a.patient_id
  WHERE a.starts_at_ms >= @fromMs AND a.starts_at_ms < @toMs
  ORDER BY a.starts_at_ms, a.id`;

/** Statuses that free the appointment's time again. */
const RELEASED: ReadonlySet<AppointmentFields['status']> = new Set(['cancelled', 'no_show']);

/** How far before the range an appointment may start and still reach into it (no visit lasts a day). */
const LONGEST_APPOINTMENT_MS = 86_400_000;

export const OPEN_CONFLICTS_SQL = `
  SELECT * FROM booking_conflicts WHERE status = 'open' AND starts_at_ms >= @fromMs AND starts_at_ms < @toMs ORDER BY starts_at_ms, id`;

const nameKey = (name: string) => name.trim().toLowerCase();

/** name -> id, with names two records share left out (they identify nobody). */
function byUniqueName(rows: readonly { id: string; name: string }[]): Map<string, string> {
  const seen = new Map<string, string | null>();
  for (const row of rows) seen.set(nameKey(row.name), seen.has(nameKey(row.name)) ? null : row.id);
  return new Map([...seen].filter((entry): entry is [string, string] => entry[1] !== null));
}

export function scheduleView(db: Db, query: ScheduleViewQuery): ScheduleView {
  const timeZone = query.timeZone ?? 'UTC';
  const dates = Array.from({ length: query.days }, (_, i) => addDays(query.from, i));
  const fromMs = localToInstant(query.from, '00:00', timeZone);
  const toMs = localToInstant(addDays(query.from, query.days), '00:00', timeZone);

  const staff = listStaff(db, { practitionersOnly: true, includeInactive: true });
  const locations = listLocations(db, { includeInactive: true });
  const staffById = new Map(staff.map((s) => [s.id, s]));
  const locationById = new Map(locations.map((l) => [l.id, l]));
  const practitionerByName = byUniqueName(staff.map((s) => ({ id: s.id, name: s.displayName })));
  const locationByName = byUniqueName(locations.map((l) => ({ id: l.id, name: l.name })));

  const inRange = prepared<[{ fromMs: number; toMs: number }], Record<string, string | null>>(db, APPOINTMENTS_IN_RANGE_SQL)
    .all({ fromMs: fromMs - LONGEST_APPOINTMENT_MS, toMs })
    .filter((row) => Date.parse(String(row['ends_at'])) > fromMs)
    .map((row): BookedAppointment => ({
      ...appointmentOf(row),
      practitionerId: practitionerByName.get(nameKey(String(row['practitioner_name']))) ?? null,
      locationId: locationByName.get(nameKey(String(row['location']))) ?? null,
    }));
  const booked = inRange.filter((a) => !RELEASED.has(a.status));

  const columns = new Map<string, ScheduleColumn>();
  const columnOf = (practitionerId: string, locationId: string): ScheduleColumn => {
    const key = `${practitionerId}|${locationId}`;
    let column = columns.get(key);
    if (!column) {
      column = {
        practitionerId,
        practitionerName: staffById.get(practitionerId)?.displayName ?? '',
        locationId,
        locationName: locationById.get(locationId)?.name ?? '',
        blocks: [],
        appointments: [],
        released: [],
        freeSlots: [],
      };
      columns.set(key, column);
    }
    return column;
  };
  const wanted = (practitionerId: string | null, locationId: string | null) =>
    (query.practitionerId === undefined || practitionerId === query.practitionerId) && (query.locationId === undefined || locationId === query.locationId);

  // Blocks in force on each date, for active practitioners at active locations (an inactive one offers nothing).
  for (const date of dates) {
    const blocks = listSchedules(db, { weekday: isoWeekday(date), practitionerId: query.practitionerId, locationId: query.locationId });
    for (const block of blocks) {
      if (block.validFrom > date || (block.validTo !== null && block.validTo < date)) continue;
      if (staffById.get(block.practitionerId)?.active === false || locationById.get(block.locationId)?.active === false) continue;
      columnOf(block.practitionerId, block.locationId).blocks.push({
        scheduleId: block.id, date, start: block.startTime, end: block.endTime, slotMinutes: block.slotMinutes,
      });
    }
  }

  const unplaced: BookedAppointment[] = [];
  const busy = new Map<string, { start: number; end: number }[]>();
  for (const appointment of booked) {
    const { practitionerId, locationId } = appointment;
    if (practitionerId !== null) {
      const spans = busy.get(practitionerId) ?? [];
      spans.push({ start: Date.parse(appointment.startsAt), end: Date.parse(appointment.endsAt) });
      busy.set(practitionerId, spans);
    }
    if (!wanted(practitionerId, locationId)) continue;
    if (practitionerId !== null && locationId !== null) columnOf(practitionerId, locationId).appointments.push(appointment);
    else unplaced.push(appointment);
  }
  const releasedUnplaced: BookedAppointment[] = [];
  for (const appointment of inRange) {
    const { practitionerId, locationId } = appointment;
    if (!RELEASED.has(appointment.status) || !wanted(practitionerId, locationId)) continue;
    if (practitionerId !== null && locationId !== null) columnOf(practitionerId, locationId).released.push(appointment);
    else releasedUnplaced.push(appointment);
  }

  // Slot grid of each block, minus slots any booking of the practitioner overlaps (touching ends do not overlap).
  for (const column of columns.values()) {
    const spans = busy.get(column.practitionerId) ?? [];
    for (const block of column.blocks) {
      const end = minutesOf(block.end);
      for (let start = minutesOf(block.start); start + block.slotMinutes <= end; start += block.slotMinutes) {
        const slotStart = localToInstant(block.date, timeOf(start), timeZone);
        const slotEnd = localToInstant(block.date, timeOf(start + block.slotMinutes), timeZone);
        if (spans.some((span) => span.start < slotEnd && span.end > slotStart)) continue;
        column.freeSlots.push({
          date: block.date, start: timeOf(start), end: timeOf(start + block.slotMinutes),
          startsAt: new Date(slotStart).toISOString(), endsAt: new Date(slotEnd).toISOString(),
        });
      }
    }
    column.blocks.sort((a, b) => a.date.localeCompare(b.date) || a.start.localeCompare(b.start));
    column.freeSlots.sort((a, b) => a.startsAt.localeCompare(b.startsAt));
  }

  const bookedById = new Map(booked.map((a) => [a.id, a]));
  const openConflicts = prepared<[{ fromMs: number; toMs: number }], Record<string, unknown>>(db, OPEN_CONFLICTS_SQL)
    .all({ fromMs, toMs })
    .map((row): BookingConflictRow => ({ ...fieldsOfRow('booking_conflict', row), id: String(row['id']) }))
    .filter((conflict) => {
      const practitionerId = conflict.practitionerId ?? practitionerByName.get(nameKey(conflict.practitionerName)) ?? null;
      if (query.practitionerId !== undefined && practitionerId !== query.practitionerId) return false;
      const sides = [bookedById.get(conflict.firstAppointmentId), bookedById.get(conflict.secondAppointmentId)];
      return query.locationId === undefined || sides.some((side) => side?.locationId === query.locationId);
    });

  const ordered = [...columns.values()].sort(
    (a, b) => a.practitionerName.localeCompare(b.practitionerName) || a.locationName.localeCompare(b.locationName) || a.practitionerId.localeCompare(b.practitionerId) || a.locationId.localeCompare(b.locationId),
  );
  return { from: query.from, to: dates.at(-1) ?? query.from, timeZone, columns: ordered, unplaced, releasedUnplaced, openConflicts };
}
