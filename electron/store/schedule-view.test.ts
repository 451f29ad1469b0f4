import { describe, expect, it } from 'vitest';
import type { AppointmentFields } from '../../shared/entities/appointment.ts';
import { formatHlc } from '../../shared/hlc.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { Change, PullPage } from '../../shared/sync/pull.ts';
import { freshStorePerTest } from '../test-support/fresh-store.ts';
import type { OrgStore } from './org-store.ts';
import { APPOINTMENTS_IN_RANGE_SQL, OPEN_CONFLICTS_SQL, scheduleView, type ScheduleView } from './schedule-view.ts';
import { localToInstant } from './schedule-view-time.ts';
import { sampleAppointment, samplePatient } from './test-fixtures.ts';

const openFresh = freshStorePerTest();

let seq = 0;
const upsert = (entity: Change['entity'], id: string, fields: Record<string, unknown>): Change => ({
  seq: String(++seq), entity, id, op: 'upsert', fields, fieldHlc: {}, version: 1,
});
const page = (s: OrgStore, domain: PullPage['domain'], changes: Change[]): PullPage => ({
  protocolVersion: 1, tenantId: s.tenantId, domain, changes, cursor: changes.at(-1)?.seq ?? '0', hasMore: false,
  serverHlc: formatHlc({ ms: Date.now(), counter: 0, node: 'server' }),
});

const MONDAY = '2030-05-06';

/** Two practitioners, two rooms; Dr. Able works Monday and Wednesday mornings in Room 1 (30-minute slots). */
function clinic() {
  const s = openFresh();
  const ids = { able: uuidv7(), baker: uuidv7(), room1: uuidv7(), room2: uuidv7() };
  const block = (practitionerId: string, locationId: string, weekday: number, startTime: string, endTime: string, slotMinutes: number, validFrom = '2030-01-01', validTo: string | null = null) =>
    upsert('practitioner_schedule', uuidv7(), { practitionerId, locationId, weekday, startTime, endTime, slotMinutes, validFrom, validTo });
  s.applyPage(page(s, 'personnel', [
    upsert('staff_member', ids.able, { displayName: 'Dr. Able', jobTitle: 'GP', jobRoles: [], isPractitioner: true, npi: null, active: true }),
    upsert('staff_member', ids.baker, { displayName: 'Dr. Baker', jobTitle: 'GP', jobRoles: [], isPractitioner: true, npi: null, active: true }),
  ]));
  s.applyPage(page(s, 'scheduling', [
    upsert('location', ids.room1, { name: 'Room 1', kind: 'room', active: true }),
    upsert('location', ids.room2, { name: 'Room 2', kind: 'room', active: true }),
    block(ids.able, ids.room1, 1, '09:00', '11:00', 30),
    block(ids.able, ids.room1, 3, '09:00', '10:00', 30),
    // Dr. Baker's Monday moves from 13:00 to 14:00 from 13 May on.
    block(ids.baker, ids.room2, 1, '13:00', '14:00', 60, '2030-01-01', MONDAY),
    block(ids.baker, ids.room2, 1, '14:00', '15:00', 60, '2030-05-13'),
  ]));
  const patientId = s.patients.create(samplePatient()).id;
  const book = (startsAt: string, endsAt: string, overrides: Partial<AppointmentFields> = {}) =>
    s.appointments.create(sampleAppointment(patientId, { startsAt, endsAt, practitionerName: 'Dr. Able', location: 'Room 1', ...overrides })).id;
  return { s, ids, book };
}

const free = (view: ScheduleView, practitionerId: string, locationId: string) =>
  view.columns.find((c) => c.practitionerId === practitionerId && c.locationId === locationId)?.freeSlots.map((slot) => `${slot.date} ${slot.start}`);

describe('schedule view (local store)', () => {
  it('takes out every slot a booking overlaps; touching ends, cancelled and no-show bookings leave it free', () => {
    const { s, ids, book } = clinic();
    const exact = book(`${MONDAY}T09:30:00Z`, `${MONDAY}T10:00:00Z`); // 09:30 only: touches 09:00 and 10:00
    const straddling = book(`${MONDAY}T10:15:00+00:00`, `${MONDAY}T10:45:00Z`, { practitionerName: 'DR. ABLE', location: 'room 1', status: 'checked_in' });
    const cancelled = book(`${MONDAY}T09:00:00Z`, `${MONDAY}T09:30:00Z`, { status: 'cancelled' });
    const noShow = book(`${MONDAY}T09:00:00Z`, `${MONDAY}T09:30:00Z`, { status: 'no_show' });
    const releasedStranger = book(`${MONDAY}T10:00:00Z`, `${MONDAY}T10:30:00Z`, { practitionerName: 'Dr. Nobody', status: 'cancelled' });

    const view = scheduleView(s.db, { from: MONDAY, days: 1 });
    expect(view).toMatchObject({ from: MONDAY, to: MONDAY, timeZone: 'UTC', unplaced: [] });
    expect(view.releasedUnplaced.map((a) => [a.id, a.status])).toEqual([[releasedStranger, 'cancelled']]);
    expect(free(view, ids.able, ids.room1)).toEqual([`${MONDAY} 09:00`]);
    const column = view.columns.find((c) => c.practitionerId === ids.able)!;
    expect(column).toMatchObject({ practitionerName: 'Dr. Able', locationName: 'Room 1', blocks: [{ date: MONDAY, start: '09:00', end: '11:00', slotMinutes: 30 }] });
    expect(column.appointments.map((a) => [a.id, a.status, a.patientName])).toEqual([[exact, 'booked', 'Ada Testperson'], [straddling, 'checked_in', 'Ada Testperson']]);
    // Released appointments still show where they were, apart from the ones that hold their time.
    expect(column.released.map((a) => [a.id, a.status])).toEqual([[cancelled, 'cancelled'], [noShow, 'no_show']].sort(([x], [y]) => x!.localeCompare(y!)));
    expect(scheduleView(s.db, { from: MONDAY, days: 1, practitionerId: ids.baker }).columns.flatMap((c) => c.released)).toEqual([]);
    expect(column.freeSlots[0]).toEqual({ date: MONDAY, start: '09:00', end: '09:30', startsAt: `${MONDAY}T09:00:00.000Z`, endsAt: `${MONDAY}T09:30:00.000Z` });
  });

  it('counts a booking of the practitioner anywhere, and keeps unknown names apart as unplaced', () => {
    const { s, ids, book } = clinic();
    const elsewhere = book(`${MONDAY}T10:00:00Z`, `${MONDAY}T11:00:00Z`, { location: 'Room 2' });
    const stranger = book(`${MONDAY}T09:00:00Z`, `${MONDAY}T09:30:00Z`, { practitionerName: 'Dr. Nobody' });
    const view = scheduleView(s.db, { from: MONDAY, days: 1 });
    expect(free(view, ids.able, ids.room1)).toEqual([`${MONDAY} 09:00`, `${MONDAY} 09:30`]);
    expect(view.columns.find((c) => c.locationId === ids.room2 && c.practitionerId === ids.able)).toMatchObject({ blocks: [], freeSlots: [], appointments: [{ id: elsewhere }] });
    expect(view.unplaced.map((a) => [a.id, a.practitionerId, a.locationId])).toEqual([[stranger, null, ids.room1]]);
    // Filtered to Room 1, the stranger's booking still shows there; filtered to Dr. Baker, it does not.
    expect(scheduleView(s.db, { from: MONDAY, days: 1, locationId: ids.room1 }).unplaced.map((a) => a.id)).toEqual([stranger]);
    expect(scheduleView(s.db, { from: MONDAY, days: 1, practitionerId: ids.baker }).unplaced).toEqual([]);
  });

  it('uses only the blocks in force on each day (validFrom and validTo inclusive)', () => {
    const { s, ids } = clinic();
    expect(free(scheduleView(s.db, { from: MONDAY, days: 1 }), ids.baker, ids.room2)).toEqual([`${MONDAY} 13:00`]);
    expect(free(scheduleView(s.db, { from: '2030-05-13', days: 1 }), ids.baker, ids.room2)).toEqual(['2030-05-13 14:00']);
    expect(free(scheduleView(s.db, { from: '2029-12-31', days: 1 }), ids.baker, ids.room2)).toBeUndefined();
  });

  it('spans a week from any first day, and filters by practitioner and location', () => {
    const { s, ids, book } = clinic();
    book('2030-05-08T09:00:00Z', '2030-05-08T09:30:00Z');
    const week = scheduleView(s.db, { from: MONDAY, days: 7 });
    expect(week).toMatchObject({ from: MONDAY, to: '2030-05-12' });
    expect(free(week, ids.able, ids.room1)).toEqual([
      `${MONDAY} 09:00`, `${MONDAY} 09:30`, `${MONDAY} 10:00`, `${MONDAY} 10:30`, '2030-05-08 09:30',
    ]);
    const fromWednesday = scheduleView(s.db, { from: '2030-05-08', days: 7, practitionerId: ids.baker });
    expect(fromWednesday.to).toBe('2030-05-14');
    expect(fromWednesday.columns.map((c) => [c.practitionerName, c.locationName])).toEqual([['Dr. Baker', 'Room 2']]);
    expect(free(fromWednesday, ids.baker, ids.room2)).toEqual(['2030-05-13 14:00']);
    expect(scheduleView(s.db, { from: MONDAY, days: 7, locationId: ids.room1 }).columns.map((c) => c.practitionerName)).toEqual(['Dr. Able']);
    expect(scheduleView(s.db, { from: MONDAY, days: 7, practitionerId: ids.baker, locationId: ids.room1 }).columns).toEqual([]);
  });

  it('reads days in the given time zone', () => {
    const { s, ids, book } = clinic();
    // 01:30 on Monday in Berlin is Sunday evening in UTC.
    const early = book('2030-05-05T23:30:00Z', '2030-05-06T00:00:00Z', { status: 'booked' });
    const berlin = scheduleView(s.db, { from: MONDAY, days: 1, timeZone: 'Europe/Berlin' });
    expect(berlin.timeZone).toBe('Europe/Berlin');
    expect(berlin.columns.find((c) => c.practitionerId === ids.able)?.appointments.map((a) => a.id)).toEqual([early]);
    expect(berlin.columns.find((c) => c.practitionerId === ids.able)?.freeSlots[0]).toMatchObject({ start: '09:00', startsAt: `${MONDAY}T07:00:00.000Z` });
    expect(scheduleView(s.db, { from: MONDAY, days: 1 }).columns.find((c) => c.practitionerId === ids.able)?.appointments).toEqual([]);
    expect(new Date(localToInstant('2030-03-10', '12:00', 'America/New_York')).toISOString()).toBe('2030-03-10T16:00:00.000Z'); // after the DST change
    expect(new Date(localToInstant('2030-03-09', '12:00', 'America/New_York')).toISOString()).toBe('2030-03-09T17:00:00.000Z');
  });

  it('lists the open booking conflicts in range, filtered like the columns', () => {
    const { s, ids, book } = clinic();
    const first = book(`${MONDAY}T09:00:00Z`, `${MONDAY}T09:30:00Z`);
    const second = book(`${MONDAY}T09:15:00Z`, `${MONDAY}T09:45:00Z`);
    const conflict = (startsAt: string, status: 'open' | 'resolved', practitionerId: string | null = null) =>
      upsert('booking_conflict', uuidv7(), {
        firstAppointmentId: first, secondAppointmentId: second, practitionerId, practitionerName: 'Dr. Able',
        startsAt, endsAt: `${MONDAY}T09:30:00Z`, status, resolution: status === 'open' ? null : 'dismissed',
      });
    const inRange = conflict(`${MONDAY}T09:15:00Z`, 'open');
    s.applyPage(page(s, 'scheduling', [inRange, conflict('2030-05-07T09:15:00Z', 'open'), conflict(`${MONDAY}T09:15:00Z`, 'resolved')]));
    expect(scheduleView(s.db, { from: MONDAY, days: 1 }).openConflicts.map((c) => c.id)).toEqual([inRange.id]);
    expect(scheduleView(s.db, { from: MONDAY, days: 1, practitionerId: ids.able, locationId: ids.room1 }).openConflicts).toHaveLength(1);
    expect(scheduleView(s.db, { from: MONDAY, days: 1, practitionerId: ids.baker }).openConflicts).toEqual([]);
    expect(scheduleView(s.db, { from: MONDAY, days: 1, locationId: ids.room2 }).openConflicts).toEqual([]);
  });

  it('reads appointments, conflicts and schedules through their indexes', () => {
    const s = openFresh();
    const plan = (sql: string, params: Record<string, unknown>) => JSON.stringify(s.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params));
    expect(plan(APPOINTMENTS_IN_RANGE_SQL, { fromMs: 0, toMs: 1 })).toMatch(/SEARCH a USING INDEX appointments_start/);
    expect(plan(OPEN_CONFLICTS_SQL, { fromMs: 0, toMs: 1 })).toMatch(/SEARCH booking_conflicts USING INDEX booking_conflicts_status/);
    // The per-day lookups of setup-queries.listSchedules, as the view makes them.
    expect(plan('SELECT * FROM practitioner_schedules WHERE weekday = @weekday ORDER BY weekday, start_time, practitioner_id, valid_from, id', { weekday: 1 }))
      .toMatch(/SEARCH practitioner_schedules USING INDEX practitioner_schedules_day/);
    expect(plan('SELECT * FROM practitioner_schedules WHERE practitioner_id = @p AND weekday = @weekday ORDER BY weekday, start_time, practitioner_id, valid_from, id', { p: 'x', weekday: 1 }))
      .toMatch(/SEARCH practitioner_schedules USING INDEX practitioner_schedules_practitioner/);
  });
});
