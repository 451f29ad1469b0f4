import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../../test/support/postgres.ts';
import { staffCreateInput } from '../../../shared/api/personnel.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { Poke } from '../../../shared/sync/poke.ts';
import { PROTOCOL_VERSION } from '../../../shared/sync/version.ts';
import { PersonnelService } from '../personnel/staff.ts';
import { testEngines } from '../../testing/engines.ts';
import { appCodeOf, appointmentFields, createOrg, patientFields, signedIn, startTestServer, type SyncClient, type TestDevice, type TestServer } from '../../testing/harness.ts';

const engines = testEngines(await requirePostgres('sync-server/domains/scheduling/scheduling-desk (PostgreSQL)'), testPostgresUrl());

/** The code and sentence a failed call carried, to compare two refusals exactly. */
async function refusal(call: Promise<unknown>): Promise<{ code: string | undefined; message: string }> {
  try {
    await call;
  } catch (error) {
    return { code: await appCodeOf(Promise.reject(error)), message: (error as Error).message };
  }
  throw new Error('expected the call to fail');
}

const WEEK = { from: '2030-01-06T00:00:00.000Z', to: '2030-01-13T00:00:00.000Z' };

for (const engine of engines) {
  describe.skipIf(!engine.available)(`scheduling desk procedures (${engine.name})`, () => {
    let server: TestServer;
    let a: SyncClient;
    let b: SyncClient;
    let aDevice: TestDevice;
    let bDevice: TestDevice;
    let tenantA: string;
    let tenantB: string;
    let drA: string;
    let drB: string;
    let patientA: string;
    let patientB: string;

    /** A practitioner through the personnel service itself (the checker scheduling asks). */
    const practitioner = async (tenantId: string, displayName: string) =>
      (await new PersonnelService(server.databases.domains.personnel).create(tenantId, staffCreateInput.parse({ displayName, isPractitioner: true }))).id;

    const room = (client: SyncClient, name: string) => client.scheduling.locations.create.mutate({ name, kind: 'room' });

    const book = (client: SyncClient, over: Partial<Parameters<SyncClient['scheduling']['appointments']['book']['mutate']>[0]> & { locationId: string }) =>
      client.scheduling.appointments.book.mutate({
        patientId: patientA,
        practitionerId: drA,
        startsAt: '2030-01-07T09:00:00.000Z',
        endsAt: '2030-01-07T09:30:00.000Z',
        reason: 'Check-up',
        practitionerName: 'Dr. Able',
        ...over,
      });

    beforeAll(async () => {
      server = await startTestServer(engine);
      const orgA = await createOrg(server, 'sched-a');
      const orgB = await createOrg(server, 'sched-b');
      tenantA = orgA.tenantId;
      tenantB = orgB.tenantId;
      const sa = await signedIn(server, { code: 'sched-a', ...orgA });
      const sb = await signedIn(server, { code: 'sched-b', ...orgB });
      a = sa.client;
      b = sb.client;
      aDevice = sa.device;
      bDevice = sb.device;
      drA = await practitioner(tenantA, 'Dr. Able');
      drB = await practitioner(tenantB, 'Dr. Baker');
      patientA = uuidv7();
      patientB = uuidv7();
      await aDevice.push(aDevice.mutation('patient', patientA, patientFields({ mrn: 'A-1' })));
      await bDevice.push(bDevice.mutation('patient', patientB, patientFields({ mrn: 'B-1' })));
    });
    afterAll(() => server?.stop());

    it('creates, lists, renames and deactivates locations; a duplicate name in the org is a CONFLICT', async () => {
      const created = await a.scheduling.locations.create.mutate({ name: 'Room 1', kind: 'room' });
      expect(created).toMatchObject({ name: 'Room 1', kind: 'room', active: true, version: 1 });
      expect(await refusal(a.scheduling.locations.create.mutate({ name: 'Room 1', kind: 'clinic' }))).toEqual({
        code: 'CONFLICT',
        message: 'This organization already has a location with that name.',
      });
      // The same name in another org is that org's business: no clash, nothing learned.
      await expect(b.scheduling.locations.create.mutate({ name: 'Room 1', kind: 'room' })).resolves.toMatchObject({ name: 'Room 1' });

      const renamed = await a.scheduling.locations.update.mutate({ id: created.id, name: 'Room 1A' });
      expect(renamed).toMatchObject({ id: created.id, name: 'Room 1A', version: 2 });
      await a.scheduling.locations.update.mutate({ id: created.id, active: false });
      expect((await a.scheduling.locations.list.query()).map((l) => l.id)).not.toContain(created.id);
      expect((await a.scheduling.locations.list.query({ includeInactive: true })).find((l) => l.id === created.id)).toMatchObject({ active: false });
      expect(await appCodeOf(a.scheduling.locations.update.mutate({ id: created.id }))).toBe('VALIDATION');
    });

    it('keeps practitioner schedules: create, list by practitioner, replace by id; refuses overlaps, unknown practitioners and inactive locations', async () => {
      const clinic = await room(a, 'Clinic North');
      const block = { practitionerId: drA, locationId: clinic.id, weekday: 1, startTime: '08:00', endTime: '12:00', slotMinutes: 15, validFrom: '2030-01-01' };
      const monday = await a.scheduling.schedules.upsert.mutate(block);
      expect(monday).toMatchObject({ ...block, validTo: null, version: 1 });
      const afternoon = await a.scheduling.schedules.upsert.mutate({ ...block, startTime: '13:00', endTime: '17:00' });

      expect(await refusal(a.scheduling.schedules.upsert.mutate({ ...block, startTime: '11:00', endTime: '14:00' }))).toEqual({
        code: 'CONFLICT',
        message: 'This practitioner already has a schedule block that overlaps these days and hours.',
      });
      // Same hours, but a validity range that ends before the other starts: no overlap.
      await a.scheduling.schedules.upsert.mutate({ ...block, validFrom: '2029-01-01', validTo: '2029-12-31' });

      const replaced = await a.scheduling.schedules.upsert.mutate({ ...block, id: afternoon.id, startTime: '14:00', endTime: '18:00', slotMinutes: 30 });
      expect(replaced).toMatchObject({ id: afternoon.id, startTime: '14:00', endTime: '18:00', slotMinutes: 30, version: 2 });
      const listed = await a.scheduling.schedules.list.query({ practitionerId: drA });
      expect(listed.map((s) => s.id)).toEqual(expect.arrayContaining([monday.id, afternoon.id]));
      expect(listed.every((s) => s.practitionerId === drA)).toBe(true);

      expect(await refusal(a.scheduling.schedules.upsert.mutate({ ...block, practitionerId: uuidv7(), weekday: 2 }))).toEqual({
        code: 'NOT_FOUND',
        message: 'No such practitioner in this organization.',
      });
      const closed = await room(a, 'Closed wing');
      await a.scheduling.locations.update.mutate({ id: closed.id, active: false });
      expect(await appCodeOf(a.scheduling.schedules.upsert.mutate({ ...block, locationId: closed.id, weekday: 3 }))).toBe('CONFLICT');
      expect(await appCodeOf(a.scheduling.schedules.upsert.mutate({ ...block, weekday: 4, startTime: '12:00', endTime: '11:00' }))).toBe('VALIDATION');
    });

    it('books, checks in and reschedules through the same HLC feed as sync, so workstations pull every change', async () => {
      const location = await room(a, 'Room 7');
      const { cursor } = await aDevice.pullAll('scheduling');
      const pokes: Poke[] = [];
      const sub = await new Promise<{ unsubscribe(): void }>((resolve, reject) => {
        const s = a.sync.pokes.subscribe({ protocolVersion: PROTOCOL_VERSION }, { onStarted: () => resolve(s), onData: (p) => pokes.push(p), onError: reject });
      });

      const booked = await book(a, { locationId: location.id, startsAt: '2030-01-08T10:00:00.000Z', endsAt: '2030-01-08T10:30:00.000Z' });
      expect(booked).toMatchObject({ status: 'booked', practitionerId: drA, locationId: location.id, location: 'Room 7', version: 1 });
      let page = await aDevice.pull('scheduling', cursor);
      expect(page.changes).toEqual([
        expect.objectContaining({ id: booked.id, op: 'upsert', version: 1, fields: expect.objectContaining({ status: 'booked', location: 'Room 7', patientId: patientA }) }),
      ]);
      const bookedHlc = page.changes[0]!.fieldHlc.status!;

      const checkedIn = await a.scheduling.appointments.setStatus.mutate({ id: booked.id, status: 'checked_in' });
      expect(checkedIn).toMatchObject({ status: 'checked_in', version: 2 });
      page = await aDevice.pull('scheduling', page.cursor);
      expect(page.changes[0]).toMatchObject({ id: booked.id, version: 2, fields: { status: 'checked_in' } });
      expect(page.changes[0]!.fieldHlc.status! > bookedHlc).toBe(true);
      // Only the changed field carries a new HLC: a workstation's concurrent edit of another field still merges.
      expect(page.changes[0]!.fieldHlc.reason).toBe(bookedHlc);

      const moved = await book(a, { locationId: location.id, startsAt: '2030-01-09T10:00:00.000Z', endsAt: '2030-01-09T10:30:00.000Z' });
      const rescheduled = await a.scheduling.appointments.reschedule.mutate({ id: moved.id, startsAt: '2030-01-10T11:00:00.000Z', endsAt: '2030-01-10T11:45:00.000Z' });
      expect(rescheduled).toMatchObject({ startsAt: '2030-01-10T11:00:00.000Z', endsAt: '2030-01-10T11:45:00.000Z', status: 'booked', version: 2 });
      page = await aDevice.pull('scheduling', page.cursor);
      expect(page.changes.find((c) => c.id === moved.id)).toMatchObject({ fields: { startsAt: '2030-01-10T11:00:00.000Z', endsAt: '2030-01-10T11:45:00.000Z' } });

      await expect.poll(() => pokes.length).toBeGreaterThanOrEqual(1);
      expect(pokes.every((p) => p.domain === 'scheduling')).toBe(true);
      sub.unsubscribe();

      const listed = await a.scheduling.appointments.list.query({ ...WEEK, practitionerId: drA, locationId: location.id });
      expect(listed.map((x) => x.id)).toEqual([booked.id, moved.id]);
      expect(await a.scheduling.appointments.get.query({ id: moved.id })).toEqual(rescheduled);
    });

    it('refuses every move out of a non-booked state with CONFLICT and a sentence, and double-booking a practitioner', async () => {
      const location = await room(a, 'Room 8');
      const appt = await book(a, { locationId: location.id, startsAt: '2030-01-11T08:00:00.000Z', endsAt: '2030-01-11T08:30:00.000Z' });
      await a.scheduling.appointments.setStatus.mutate({ id: appt.id, status: 'cancelled' });
      expect(await refusal(a.scheduling.appointments.setStatus.mutate({ id: appt.id, status: 'checked_in' }))).toEqual({
        code: 'CONFLICT',
        message: 'This appointment is already cancelled; only a booked appointment can be checked in.',
      });
      expect(await refusal(a.scheduling.appointments.setStatus.mutate({ id: appt.id, status: 'cancelled' }))).toMatchObject({ code: 'CONFLICT' });
      expect(await refusal(a.scheduling.appointments.reschedule.mutate({ id: appt.id, startsAt: '2030-01-11T09:00:00.000Z', endsAt: '2030-01-11T09:30:00.000Z' }))).toEqual({
        code: 'CONFLICT',
        message: 'This appointment is already cancelled; only a booked appointment can be rescheduled.',
      });
      expect((await a.scheduling.appointments.get.query({ id: appt.id })).status).toBe('cancelled');

      // The cancelled slot is free again; a second booking over a live one is not.
      const first = await book(a, { locationId: location.id, startsAt: '2030-01-11T08:00:00.000Z', endsAt: '2030-01-11T08:30:00.000Z' });
      expect(await refusal(book(a, { locationId: location.id, startsAt: '2030-01-11T08:15:00.000Z', endsAt: '2030-01-11T08:45:00.000Z' }))).toEqual({
        code: 'CONFLICT',
        message: 'The practitioner already has an appointment at that time.',
      });
      await a.scheduling.appointments.setStatus.mutate({ id: first.id, status: 'no_show' });
      expect(await appCodeOf(a.scheduling.appointments.setStatus.mutate({ id: first.id, status: 'checked_in' }))).toBe('CONFLICT');
    });

    it('changes the status of an appointment a workstation created by sync, and the sync push path still works', async () => {
      const id = uuidv7();
      const pushed = await aDevice.push(aDevice.mutation('appointment', id, appointmentFields(patientA)));
      expect(pushed.results[0]?.status).toBe('applied');
      expect(await a.scheduling.appointments.setStatus.mutate({ id, status: 'checked_in' })).toMatchObject({ status: 'checked_in', practitionerId: null, locationId: null });
      // A later workstation edit of another field merges with the desk's status change.
      await aDevice.push(aDevice.mutation('appointment', id, { reason: 'Follow-up' }));
      const change = (await aDevice.pullAll('scheduling')).changes.find((c) => c.id === id);
      expect(change?.fields).toMatchObject({ status: 'checked_in', reason: 'Follow-up' });
    });

    it("answers org B's location, schedule and appointment ids exactly like unknown ids, and leaves B unchanged", async () => {
      const bRoom = await room(b, 'B room');
      const bSchedule = await b.scheduling.schedules.upsert.mutate({
        practitionerId: drB, locationId: bRoom.id, weekday: 2, startTime: '09:00', endTime: '10:00', slotMinutes: 20, validFrom: '2030-01-01',
      });
      const bAppt = await b.scheduling.appointments.book.mutate({
        patientId: patientB, practitionerId: drB, locationId: bRoom.id, startsAt: '2030-01-08T09:00:00.000Z', endsAt: '2030-01-08T09:20:00.000Z', reason: 'B visit', practitionerName: 'Dr. Baker',
      });
      const snapshot = async () => ({
        locations: await b.scheduling.locations.list.query({ includeInactive: true }),
        schedules: await b.scheduling.schedules.list.query(),
        appointments: await b.scheduling.appointments.list.query(WEEK),
        feed: (await bDevice.pullAll('scheduling')).changes,
      });
      const before = await snapshot();
      const aRoom = await room(a, 'A room for attacks');
      const random = uuidv7();
      const same = async (withB: Promise<unknown>, withRandom: Promise<unknown>) => {
        const [x, y] = [await refusal(withB), await refusal(withRandom)];
        expect(x.code).toBe('NOT_FOUND');
        expect(x).toEqual(y);
      };

      await same(a.scheduling.locations.update.mutate({ id: bRoom.id, name: 'Hijacked' }), a.scheduling.locations.update.mutate({ id: random, name: 'Hijacked' }));
      const block = { practitionerId: drA, locationId: aRoom.id, weekday: 5, startTime: '09:00', endTime: '10:00', slotMinutes: 20, validFrom: '2030-01-01' };
      await same(a.scheduling.schedules.upsert.mutate({ ...block, id: bSchedule.id }), a.scheduling.schedules.upsert.mutate({ ...block, id: random }));
      await same(a.scheduling.schedules.upsert.mutate({ ...block, locationId: bRoom.id }), a.scheduling.schedules.upsert.mutate({ ...block, locationId: random }));
      await same(a.scheduling.schedules.upsert.mutate({ ...block, practitionerId: drB }), a.scheduling.schedules.upsert.mutate({ ...block, practitionerId: random }));
      await same(a.scheduling.appointments.get.query({ id: bAppt.id }), a.scheduling.appointments.get.query({ id: random }));
      await same(a.scheduling.appointments.setStatus.mutate({ id: bAppt.id, status: 'cancelled' }), a.scheduling.appointments.setStatus.mutate({ id: random, status: 'cancelled' }));
      const times = { startsAt: '2030-01-09T09:00:00.000Z', endsAt: '2030-01-09T09:20:00.000Z' };
      await same(a.scheduling.appointments.reschedule.mutate({ id: bAppt.id, ...times }), a.scheduling.appointments.reschedule.mutate({ id: random, ...times }));
      await same(book(a, { locationId: bRoom.id }), book(a, { locationId: random }));
      await same(book(a, { locationId: aRoom.id, patientId: patientB }), book(a, { locationId: aRoom.id, patientId: random }));
      await same(book(a, { locationId: aRoom.id, practitionerId: drB }), book(a, { locationId: aRoom.id, practitionerId: random }));
      // Filters naming B's ids find nothing in A (and never B's rows).
      expect(await a.scheduling.appointments.list.query({ ...WEEK, locationId: bRoom.id })).toEqual([]);
      expect(await a.scheduling.appointments.list.query({ ...WEEK, practitionerId: drB })).toEqual([]);
      expect(await a.scheduling.schedules.list.query({ locationId: bRoom.id })).toEqual([]);
      expect(JSON.stringify(await a.scheduling.locations.list.query({ includeInactive: true }))).not.toContain(bRoom.id);

      expect(await snapshot()).toEqual(before);
      expect(before.appointments.map((x) => x.id)).toEqual([bAppt.id]);
      expect(before.feed.filter((c) => c.entity === 'appointment').map((c) => c.id)).toEqual([bAppt.id]);
      // B's scheduling feed also carries its set-up (and A's attempts added nothing to it).
      expect(before.feed.map((c) => c.id)).toEqual(expect.arrayContaining([bRoom.id, bSchedule.id]));
    });

    it('lets each role do only what its capabilities say', async () => {
      const itAdmin = { username: 'it', password: 'it-admin-password-1', displayName: 'IT', role: 'it_admin' as const };
      const clinician = { username: 'doc', password: 'clinician-password-1', displayName: 'Doc', role: 'clinician' as const };
      for (const user of [itAdmin, clinician]) await server.admin.createUser({ tenantId: tenantA, ...user });
      const it = (await signedIn(server, { code: 'sched-a', ...itAdmin })).client;
      const doc = (await signedIn(server, { code: 'sched-a', ...clinician })).client;
      expect(await appCodeOf(it.scheduling.locations.list.query())).toBe('FORBIDDEN');
      expect(await appCodeOf(it.scheduling.appointments.list.query(WEEK))).toBe('FORBIDDEN');
      const seen = await doc.scheduling.appointments.list.query(WEEK);
      expect(seen.length).toBeGreaterThan(0);
      expect(await appCodeOf(doc.scheduling.appointments.setStatus.mutate({ id: seen[0]!.id, status: 'cancelled' }))).toBe('FORBIDDEN');
      expect(await appCodeOf(doc.scheduling.locations.create.mutate({ name: 'Doc room', kind: 'room' }))).toBe('FORBIDDEN');
    });

    it('refuses loose or unbounded input with VALIDATION', async () => {
      const untyped = a.scheduling as unknown as Record<string, Record<string, { mutate(i: unknown): Promise<unknown>; query(i: unknown): Promise<unknown> }>>;
      expect(await appCodeOf(untyped.locations!.create!.mutate({ name: 'X', kind: 'room', tenantId: tenantB }))).toBe('VALIDATION');
      expect(await appCodeOf(untyped.locations!.create!.mutate({ name: 'Nul\u0000byte', kind: 'room' }))).toBe('VALIDATION');
      expect(await appCodeOf(untyped.locations!.create!.mutate({ name: 'x'.repeat(101), kind: 'room' }))).toBe('VALIDATION');
      expect(await appCodeOf(a.scheduling.appointments.list.query({ from: '2030-01-01T00:00:00Z', to: '2030-06-01T00:00:00Z' }))).toBe('VALIDATION');
      expect(await appCodeOf(untyped.appointments!.setStatus!.mutate({ id: uuidv7(), status: 'booked' }))).toBe('VALIDATION');
      expect(await appCodeOf(a.scheduling.appointments.reschedule.mutate({ id: uuidv7(), startsAt: '2030-01-01T10:00:00Z', endsAt: '2030-01-01T09:00:00Z' }))).toBe('VALIDATION');
    });
  });
}
