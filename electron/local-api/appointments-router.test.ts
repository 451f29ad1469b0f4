import { describe, expect, it } from 'vitest';
import { formatHlc } from '../../shared/hlc.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { Role } from '../../shared/sync/auth.ts';
import { freshStorePerTest } from '../test-support/fresh-store.ts';
import { refusal, storeOnlyCaller } from '../test-support/local-api-caller.ts';
import { sampleAppointment, samplePatient } from '../store/test-fixtures.ts';
import type { OrgStore } from '../store/org-store.ts';

const openFresh = freshStorePerTest();

/**
 * appointments.* on a real encrypted store, as a signed-in person of a role. Only the store,
 * the session's user and the sync wake-up reach these procedures; the wake-ups are counted.
 */
function callerAs(store: OrgStore, role: Role | null) {
  const wakes = { count: 0 };
  const caller = storeOnlyCaller(store, { role, afterLocalWrite: () => void (wakes.count += 1) });
  return { caller, wakes };
}

/** A practitioner pulled from the server (set-up data arrives only by sync). */
function pullPractitioner(s: OrgStore, displayName: string): string {
  const id = uuidv7();
  const change = { seq: '1', entity: 'staff_member', id, op: 'upsert', fields: { displayName, jobTitle: '', jobRoles: [], isPractitioner: true, npi: null, active: true }, fieldHlc: {}, version: 1 } as const;
  s.applyPage({ protocolVersion: 1, tenantId: s.tenantId, domain: 'personnel', changes: [change], cursor: change.seq, hasMore: false, serverHlc: formatHlc({ ms: Date.now(), counter: 0, node: 'server' }) });
  return id;
}

function seeded() {
  const s = openFresh();
  const patientId = s.patients.create(samplePatient()).id;
  const book = (overrides = {}) => s.appointments.create(sampleAppointment(patientId, { startsAt: '2030-05-06T09:00:00.000Z', endsAt: '2030-05-06T09:30:00.000Z', practitionerName: 'Dr. Able', ...overrides })).id;
  return { s, patientId, book };
}

describe('local API: appointments', () => {
  it('books, lists and reschedules, queueing each change for sync', async () => {
    const { s, patientId } = seeded();
    const { caller, wakes } = callerAs(s, 'front_desk');
    const { id } = await caller.appointments.create(sampleAppointment(patientId, { startsAt: '2030-05-06T09:00:00.000Z', endsAt: '2030-05-06T09:30:00.000Z' }));
    await caller.appointments.reschedule({ id, startsAt: '2030-05-07T14:00:00.000Z', endsAt: '2030-05-07T14:45:00.000Z', location: 'Room 2' });
    const [row] = (await caller.appointments.list()).filter((a) => a.id === id);
    expect(row).toMatchObject({ startsAt: '2030-05-07T14:00:00.000Z', endsAt: '2030-05-07T14:45:00.000Z', location: 'Room 2', practitionerName: 'Dr. Example', status: 'booked', pending: true });
    expect(wakes.count).toBe(2);
    expect(s.pendingBatch(10).filter((m) => m.id === id).map((m) => Object.keys(m.fields).sort())).toEqual([
      ['endsAt', 'location', 'patientId', 'practitionerName', 'reason', 'startsAt', 'status'],
      ['endsAt', 'location', 'startsAt'],
    ]);
  });

  it('cancels and marks no-shows once, with a sentence for every refused step', async () => {
    const { s, book } = seeded();
    const { caller } = callerAs(s, 'front_desk');
    const first = book();
    const second = book();
    expect(await caller.appointments.cancel({ id: first })).toEqual({ id: first, status: 'cancelled' });
    expect(await caller.appointments.noShow({ id: second })).toEqual({ id: second, status: 'no_show' });
    expect(await refusal(caller.appointments.cancel({ id: first }))).toEqual({ code: 'CONFLICT', message: 'This appointment was cancelled. Book a new one instead.' });
    expect(await refusal(caller.appointments.reschedule({ id: first, startsAt: '2030-05-07T09:00:00Z', endsAt: '2030-05-07T09:30:00Z' }))).toMatchObject({ code: 'CONFLICT' });
    expect(await refusal(caller.appointments.checkIn({ id: first }))).toMatchObject({ code: 'CONFLICT', message: 'This appointment was cancelled. Book a new one instead.' });
    expect(await refusal(caller.appointments.cancel({ id: second }))).toEqual({ code: 'CONFLICT', message: 'This appointment is marked as a no-show. Book a new one instead.' });
    expect(await refusal(caller.appointments.cancel({ id: uuidv7() }))).toEqual({ code: 'NOT_FOUND', message: 'That appointment is not on this workstation.' });
    expect(await refusal(caller.appointments.noShow({ id: 'nope' }))).toMatchObject({ code: 'VALIDATION', fieldErrors: { id: expect.any(String) } });
    expect(s.appointments.get(first)?.status).toBe('cancelled');
  });

  it('refuses a reschedule that ends before it starts, and loses nothing', async () => {
    const { s, book } = seeded();
    const { caller, wakes } = callerAs(s, 'front_desk');
    const id = book();
    const before = s.pendingCount();
    expect(await refusal(caller.appointments.reschedule({ id, startsAt: '2030-05-07T10:00:00Z', endsAt: '2030-05-07T09:30:00Z' }))).toEqual({
      code: 'VALIDATION', message: 'An appointment must end after it starts.', fieldErrors: { endsAt: 'must be after the start' },
    });
    expect(await refusal(caller.appointments.reschedule({ id, startsAt: 'tomorrow', endsAt: '2030-05-07T09:30:00Z' }))).toMatchObject({ code: 'VALIDATION', fieldErrors: { startsAt: expect.any(String) } });
    expect(s.appointments.get(id)).toMatchObject({ startsAt: '2030-05-06T09:00:00.000Z', status: 'booked' });
    expect(s.pendingCount()).toBe(before);
    expect(wakes.count).toBe(0);
  });

  it('checks in and opens the encounter in one step, with the practitioner the name means', async () => {
    const { s, patientId, book } = seeded();
    const able = pullPractitioner(s, 'Dr. Able');
    const { caller } = callerAs(s, 'front_desk');
    const id = book();
    const result = await caller.appointments.checkIn({ id });
    expect(result).toMatchObject({ id, status: 'checked_in' });
    expect(s.appointments.get(id)?.status).toBe('checked_in');
    expect(s.encounters.ofPatient(patientId)).toEqual([expect.objectContaining({ id: result.encounterId, appointmentId: id, practitionerId: able, status: 'open' })]);
    expect(await refusal(caller.appointments.checkIn({ id }))).toEqual({ code: 'CONFLICT', message: 'This patient is already checked in, so the appointment can no longer change.' });
    expect(s.encounters.ofPatient(patientId)).toHaveLength(1);
    // A late patient marked no-show still checks in; a name nobody (or two people) has leaves the practitioner open.
    const late = book({ practitionerName: 'Dr. Unknown' });
    await caller.appointments.noShow({ id: late });
    const lateVisit = await caller.appointments.checkIn({ id: late });
    expect(s.encounters.get(lateVisit.encounterId)).toMatchObject({ appointmentId: late, practitionerId: null });
  });

  it('rolls the check-in back when the encounter cannot open', async () => {
    const { s, book } = seeded();
    const { caller } = callerAs(s, 'front_desk');
    const id = book();
    const pending = s.pendingCount();
    // The patient vanished from this workstation (merged away on the server, say): the encounter is refused.
    s.db.prepare('DELETE FROM patients').run();
    expect(await refusal(caller.appointments.checkIn({ id }))).toMatchObject({ code: 'VALIDATION' });
    expect(s.appointments.get(id)?.status).toBe('booked');
    expect(s.pendingCount()).toBe(pending);
  });

  it('lets only roles with schedule.write change appointments, and check-in needs encounters.write too', async () => {
    const { s, book } = seeded();
    const id = book();
    const clinician = callerAs(s, 'clinician').caller;
    expect((await clinician.appointments.list()).map((a) => a.id)).toEqual([id]);
    const able = pullPractitioner(s, 'Dr. Able');
    expect(await clinician.appointments.choices()).toEqual({ practitioners: [{ id: able, name: 'Dr. Able' }], locations: [] });
    expect(await refusal(clinician.appointments.cancel({ id }))).toEqual({
      code: 'FORBIDDEN', message: 'Your role (clinician) may not book, reschedule, cancel, check in; edit locations and schedules.',
    });
    expect(await refusal(callerAs(s, 'org_admin').caller.appointments.checkIn({ id }))).toEqual({
      code: 'FORBIDDEN', message: 'Your role (org admin) may not open and close encounters.',
    });
    expect(await refusal(callerAs(s, 'it_admin').caller.appointments.list())).toMatchObject({ code: 'FORBIDDEN' });
    expect(await refusal(callerAs(s, null).caller.appointments.noShow({ id }))).toMatchObject({ code: 'STORE_LOCKED' });
    expect(s.appointments.get(id)?.status).toBe('booked');
  });
});
