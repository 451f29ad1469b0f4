import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../test/support/postgres.ts';
import { DEFAULT_AGENT_CONFIG } from '../../shared/api/configuration.ts';
import { ENTITY_CATALOG, ENTITY_NAMES, isEditedOnline } from '../../shared/entities/catalog.ts';
import type { Change } from '../../shared/sync/pull.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { Mutation } from '../../shared/sync/mutation.ts';
import { AppointmentService } from '../domains/scheduling/appointments.ts';
import { BookingConflictService } from '../domains/scheduling/booking-conflicts.ts';
import { FeedWriter } from './feed-writer.ts';
import { testEngines } from '../testing/engines.ts';
import { appointmentFields, startTestServer, type TestDevice, type TestServer } from '../testing/harness.ts';
import { orgWithUsers, registerPatient, type RoleOrg } from '../api/routers/test-support/domain-orgs.ts';
import { EDITED_ONLINE_REASON } from './online-only.ts';

const engines = testEngines(await requirePostgres('sync-server/sync/setup-sync (PostgreSQL)'), testPostgresUrl());

/** Valid NPIs (Luhn over 80840 + the first nine digits). */
const NPI_PERSON = '1234567893';
const NPI_ORG = '1245319599';
const TAX_DIGITS = '987654321';
const DEA_NUMBER = 'AB9876543';
const USERS = { desk: 'front_desk', desk2: 'front_desk', doctor: 'clinician', admin: 'org_admin' } as const;

/** The latest state of each entity in a list of pulled changes (later changes win). */
function latest(changes: readonly Change[]): Map<string, Change> {
  return new Map(changes.map((change) => [`${change.entity}:${change.id}`, change]));
}

for (const engine of engines) {
  describe.skipIf(!engine.available)(`set-up sync and booking conflicts (${engine.name})`, () => {
    let server: TestServer;
    let a: RoleOrg<keyof typeof USERS>;
    let b: RoleOrg<keyof typeof USERS>;
    let roomId: string;
    let drId: string;
    let scheduleId: string;
    let contractId: string;

    beforeAll(async () => {
      server = await startTestServer(engine);
      [a, b] = await Promise.all([orgWithUsers(server, 'setup-a', USERS), orgWithUsers(server, 'setup-b', USERS)]);
      const admin = a.client.admin;
      roomId = (await admin.scheduling.locations.create.mutate({ name: 'Room 1', kind: 'room' })).id;
      drId = (await admin.personnel.staff.create.mutate({ displayName: 'Dr. Able', jobTitle: 'GP', isPractitioner: true, npi: NPI_PERSON, jobRoles: ['physician'] })).id;
      await admin.personnel.licences.add.mutate({ staffId: drId, kind: 'dea', number: DEA_NUMBER, jurisdiction: 'US', expiresOn: '2031-01-31' });
      scheduleId = (
        await admin.scheduling.schedules.upsert.mutate({ practitionerId: drId, locationId: roomId, weekday: 1, startTime: '08:00', endTime: '12:00', slotMinutes: 15, validFrom: '2030-01-01' })
      ).id;
      await admin.configuration.profile.update.mutate({
        legalName: 'Able Family Practice', npi: NPI_ORG, taxId: `98-${TAX_DIGITS.slice(2)}`, addressLine1: '1 Main St', addressLine2: '',
        city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US', phone: '555-0100',
      });
      contractId = (await admin.configuration.payerContracts.upsert.mutate({ payerName: 'Acme Health', planName: 'Gold', effectiveFrom: '2030-01-01', feeScheduleRef: 'ACME-2030' })).id;
      await admin.configuration.agent.update.mutate({
        ...DEFAULT_AGENT_CONFIG,
        claimThresholds: { autoSubmitMaxAmount: 1234.56, reviewAboveAmount: 5000, maxDaysToSubmit: 30, denialRateAlertPercent: 10 },
        communication: { ...DEFAULT_AGENT_CONFIG.communication, senderName: 'Able Family Practice' },
      });
    });
    afterAll(() => server?.stop());

    it('delivers every admin change of the set-up to the org, with exactly the synced fields', async () => {
      const desk = a.device.desk;
      const configuration = latest((await desk.pullAll('configuration')).changes);
      const personnel = latest((await desk.pullAll('personnel')).changes);
      const scheduling = latest((await desk.pullAll('scheduling')).changes);

      expect(scheduling.get(`location:${roomId}`)).toMatchObject({ op: 'upsert', version: 1, fields: { name: 'Room 1', kind: 'room', active: true } });
      expect(scheduling.get(`practitioner_schedule:${scheduleId}`)?.fields).toEqual({
        practitionerId: drId, locationId: roomId, weekday: 1, startTime: '08:00', endTime: '12:00', slotMinutes: 15, validFrom: '2030-01-01', validTo: null,
      });
      expect(personnel.get(`staff_member:${drId}`)?.fields).toEqual({
        displayName: 'Dr. Able', jobTitle: 'GP', jobRoles: ['physician'], isPractitioner: true, npi: NPI_PERSON, active: true, userId: null,
      });
      expect(configuration.get(`practice_profile:${a.tenantId}`)?.fields).toEqual({
        legalName: 'Able Family Practice', npi: NPI_ORG, addressLine1: '1 Main St', addressLine2: '', city: 'Springfield', region: 'IL',
        postalCode: '62701', country: 'US', phone: '555-0100',
      });
      expect(configuration.get(`payer_contract:${contractId}`)?.fields).toEqual({
        payerName: 'Acme Health', planName: 'Gold', effectiveFrom: '2030-01-01', effectiveTo: null, feeScheduleRef: 'ACME-2030',
      });
      const agent = configuration.get(`agent_config:${a.tenantId}`);
      expect(Object.keys(agent?.fields ?? {}).sort()).toEqual(['codingRules', 'communication']);
      expect(agent?.fields).toMatchObject({ communication: { senderName: 'Able Family Practice' } });

      // Every pulled row is exactly its catalog entity (a full parse), so no extra column can ride along.
      for (const change of [...configuration.values(), ...personnel.values(), ...scheduling.values()]) {
        expect(ENTITY_CATALOG[change.entity].fields.strict().safeParse(change.fields).success).toBe(true);
      }
    });

    it('never sends the Tax ID, licence numbers or claim thresholds to a workstation, whatever the role', async () => {
      for (const role of ['desk', 'doctor', 'admin'] as const) {
        const pulled = JSON.stringify(await Promise.all((['configuration', 'personnel', 'scheduling'] as const).map((d) => a.device[role].pullAll(d))));
        expect(pulled).toContain('Able Family Practice'); // the pull did return the profile
        for (const secret of [TAX_DIGITS, '**-***', DEA_NUMBER, 'taxId', 'claimThresholds', 'autoSubmitMaxAmount', '1234.56']) {
          expect(pulled).not.toContain(secret);
        }
      }
    });

    it('moves an edited row to the head of its feed, so a device that pulled before receives just that change', async () => {
      const desk = a.device.desk;
      const before = { scheduling: (await desk.pullAll('scheduling')).cursor, personnel: (await desk.pullAll('personnel')).cursor };
      await a.client.admin.scheduling.locations.update.mutate({ id: roomId, name: 'Room 1A' });
      await a.client.admin.personnel.staff.update.mutate({ id: drId, jobRoles: ['physician', 'manager'] });
      const scheduling = await desk.pull('scheduling', before.scheduling);
      expect(scheduling.changes).toEqual([expect.objectContaining({ entity: 'location', id: roomId, version: 2, fields: { name: 'Room 1A', kind: 'room', active: true } })]);
      const personnel = await desk.pull('personnel', before.personnel);
      expect(personnel.changes).toEqual([expect.objectContaining({ entity: 'staff_member', id: drId, fields: expect.objectContaining({ jobRoles: ['manager', 'physician'] }) })]);
    });

    it('refuses a pushed change of set-up data one by one with the reason, applies nothing of it, keeps the rest of the batch', async () => {
      const patientId = uuidv7();
      const sneaky = (device: TestDevice) => [
        device.mutation('location', roomId, { name: 'Renamed offline' }),
        device.mutation('staff_member', drId, { displayName: 'Dr. Impostor', npi: '1245319599' }),
        device.mutation('practice_profile', a.tenantId, { legalName: 'Hijacked' }),
        device.mutation('agent_config', a.tenantId, { communication: { ...DEFAULT_AGENT_CONFIG.communication, senderName: 'x' } }),
        device.mutation('booking_conflict', uuidv7(), { status: 'resolved', resolution: 'dismissed' }),
      ];
      // Every set-up entity is covered by the rule.
      expect(ENTITY_NAMES.filter(isEditedOnline).sort()).toEqual(
        ['agent_config', 'booking_conflict', 'location', 'payer_contract', 'practice_profile', 'practitioner_schedule', 'staff_member'],
      );
      const desk = a.device.desk;
      const deskBatch = [...sneaky(desk), desk.mutation('patient', patientId, { givenName: 'Kept', familyName: 'Patient', birthDate: '1990-01-01', sex: 'unknown', phone: '', mrn: 'K-1' })];
      const result = await desk.push(...deskBatch);
      expect(result.results.slice(0, 5)).toEqual(
        deskBatch.slice(0, 5).map((m) => ({ mutationId: m.mutationId, status: 'rejected', code: 'FORBIDDEN', reason: EDITED_ONLINE_REASON })),
      );
      expect(result.results[5]).toEqual({ mutationId: deskBatch[5]!.mutationId, status: 'applied' });
      // An admin's workstation is refused the same way: set-up is edited online, not synced up.
      const adminResult = await a.device.admin.push(...sneaky(a.device.admin));
      expect(adminResult.results.map((r) => [r.status, r.reason])).toEqual(Array(5).fill(['rejected', EDITED_ONLINE_REASON]));
      // A replay is refused again (never recorded as applied, so never answered 'duplicate').
      expect((await desk.push(deskBatch[0]!)).results[0]).toMatchObject({ status: 'rejected', reason: EDITED_ONLINE_REASON });

      expect((await a.client.desk.scheduling.locations.list.query({})).find((l) => l.id === roomId)?.name).toBe('Room 1A');
      expect((await a.client.desk.personnel.staff.get.query({ id: drId })).displayName).toBe('Dr. Able');
      expect((await a.client.admin.configuration.profile.get.query({}))?.legalName).toBe('Able Family Practice');
      expect((await a.client.admin.configuration.agent.get.query({})).communication.senderName).toBe('Able Family Practice');
      expect(await server.admin.countRows({ domain: 'scheduling', table: 'booking_conflicts', tenantId: a.tenantId })).toBe(0);
    });

    it("gives another org's token none of it", async () => {
      const aIds = new Set([roomId, drId, scheduleId, contractId, a.tenantId]);
      for (const domain of ['configuration', 'personnel', 'scheduling'] as const) {
        const page = await b.device.desk.pull(domain);
        expect(page.tenantId).toBe(b.tenantId);
        expect(page.changes.filter((c) => aIds.has(c.id))).toEqual([]);
      }
      expect((await b.device.desk.pullAll('configuration')).changes).toEqual([]);
      expect((await b.device.desk.pullAll('personnel')).changes).toEqual([]);
    });

    describe('double-booked slot', () => {
      const conflicts = () => new BookingConflictService(server.databases.domains.scheduling);
      let patientId: string;

      beforeAll(async () => {
        patientId = await registerPatient(a.device.desk, 'DB-1');
      });

      const book = (device: TestDevice, startsAt: string, endsAt: string, practitionerName = 'Dr. Able') =>
        device.mutation('appointment', uuidv7(), appointmentFields(patientId, { startsAt, endsAt, practitionerName }));

      it('accepts both offline bookings and records the overlap in the second one; resolves it on reschedule, reopens, resolves on cancel', async () => {
        const first = book(a.device.desk, '2030-03-04T09:00:00.000Z', '2030-03-04T09:30:00.000Z');
        const second = book(a.device.desk2, '2030-03-04T09:15:00.000Z', '2030-03-04T09:45:00.000Z', '  dr. able ');
        const adjacent = book(a.device.desk, '2030-03-04T09:45:00.000Z', '2030-03-04T10:15:00.000Z');
        const otherDoctor = book(a.device.desk, '2030-03-04T09:00:00.000Z', '2030-03-04T09:30:00.000Z', 'Dr. Baker');
        expect((await a.device.desk.push(first, adjacent, otherDoctor)).results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
        expect(await conflicts().list(a.tenantId)).toEqual([]);
        expect((await a.device.desk2.push(second)).results[0]?.status).toBe('applied');

        const [open] = await conflicts().list(a.tenantId, { status: 'open' });
        expect(open).toMatchObject({
          firstAppointmentId: first.id, secondAppointmentId: second.id, practitionerId: null, practitionerName: 'dr. able',
          startsAt: '2030-03-04T09:15:00.000Z', endsAt: '2030-03-04T09:30:00.000Z', status: 'open', resolution: null,
        });
        // Both desks pull it, with both appointments.
        for (const device of [a.device.desk, a.device.desk2]) {
          const pulled = latest((await device.pullAll('scheduling')).changes);
          expect(pulled.get(`booking_conflict:${open!.id}`)?.fields).toMatchObject({ status: 'open', firstAppointmentId: first.id });
          expect(pulled.has(`appointment:${first.id}`) && pulled.has(`appointment:${second.id}`)).toBe(true);
        }

        // desk2 moves its booking clear: resolved as rescheduled.
        await a.device.desk2.push(a.device.desk2.mutation('appointment', second.id, { startsAt: '2030-03-04T11:00:00.000Z', endsAt: '2030-03-04T11:30:00.000Z' }));
        expect((await conflicts().list(a.tenantId, { id: open!.id }))[0]).toMatchObject({ status: 'resolved', resolution: 'rescheduled', version: 2 });
        // Moved back onto the slot: the same record opens again; cancelling the first ends it.
        await a.device.desk2.push(a.device.desk2.mutation('appointment', second.id, { startsAt: '2030-03-04T09:10:00.000Z', endsAt: '2030-03-04T09:20:00.000Z' }));
        expect(await conflicts().list(a.tenantId, { status: 'open' })).toEqual([
          expect.objectContaining({ id: open!.id, status: 'open', startsAt: '2030-03-04T09:10:00.000Z', endsAt: '2030-03-04T09:20:00.000Z' }),
        ]);
        await a.device.desk.push(a.device.desk.mutation('appointment', first.id, { status: 'cancelled' }));
        expect((await conflicts().list(a.tenantId, { id: open!.id }))[0]).toMatchObject({ status: 'resolved', resolution: 'cancelled' });
        const pulled = latest((await a.device.desk2.pullAll('scheduling')).changes);
        expect(pulled.get(`booking_conflict:${open!.id}`)?.fields).toMatchObject({ status: 'resolved', resolution: 'cancelled' });
        // Another org sees no conflict and no appointment of this one.
        const bPulled = (await b.device.desk.pullAll('scheduling')).changes;
        expect(bPulled.filter((c) => c.entity === 'booking_conflict' || c.id === first.id)).toEqual([]);
      });

      // PGlite has one connection, so two transactions cannot interleave there.
      it.skipIf(engine.name === 'pglite')('records the overlap when the second transaction ran while the first had not committed', async () => {
        const db = server.databases.domains.scheduling;
        const service = new AppointmentService(db, async (_tenant, ids) => new Set(ids));
        const one = book(a.device.desk, '2030-03-05T14:00:00.000Z', '2030-03-05T15:00:00.000Z');
        const two = book(a.device.desk2, '2030-03-05T14:30:00.000Z', '2030-03-05T15:30:00.000Z');
        const inTransaction = async (mutation: Mutation, beforeCommit: () => Promise<void>) => {
          const apply = await service.prepare(a.tenantId, [mutation]);
          return db.withTenant(a.tenantId, async (sql) => {
            const feed = new FeedWriter('scheduling', a.tenantId);
            const outcome = await apply({ sql, tenantId: a.tenantId, feed }, mutation);
            await beforeCommit();
            await feed.flush(sql);
            return outcome;
          });
        };
        let inserted!: () => void;
        let commit!: () => void;
        const firstInserted = new Promise<void>((resolve) => (inserted = resolve));
        const mayCommit = new Promise<void>((resolve) => (commit = resolve));
        const first = inTransaction(one, async () => {
          inserted();
          await mayCommit;
        });
        await firstInserted;
        let secondDone = false;
        const second = inTransaction(two, async () => undefined).finally(() => (secondDone = true));
        // The second either waits for the first's booking lock (as it must) or, were the lock missing, finishes blind.
        await vi.waitFor(async () => {
          const waiting = await db.system('test: is a transaction waiting for an advisory lock', (sql) =>
            sql.query("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"),
          );
          expect(secondDone || waiting.length > 0).toBe(true);
        }, { timeout: 20_000, interval: 20 });
        commit();
        expect([await first, await second]).toEqual([{ status: 'applied' }, { status: 'applied' }]);
        const found = (await conflicts().list(a.tenantId, { status: 'open' })).filter((c) => c.secondAppointmentId === two.id);
        expect(found).toEqual([expect.objectContaining({ firstAppointmentId: one.id, startsAt: '2030-03-05T14:30:00.000Z', endsAt: '2030-03-05T15:00:00.000Z' })]);
      });

      it('keeps a dismissed overlap dismissed while the pair still overlaps; a deleted appointment resolves its conflict', async () => {
        const one = book(a.device.desk, '2030-03-06T10:00:00.000Z', '2030-03-06T11:00:00.000Z');
        const two = book(a.device.desk2, '2030-03-06T10:00:00.000Z', '2030-03-06T11:00:00.000Z');
        const three = book(a.device.desk2, '2030-03-06T10:30:00.000Z', '2030-03-06T10:45:00.000Z');
        await a.device.desk.push(one);
        await a.device.desk2.push(two, three);
        const open = (await conflicts().list(a.tenantId, { status: 'open' })).filter((c) => c.startsAt.startsWith('2030-03-06'));
        expect(open).toHaveLength(3); // one-two, one-three, two-three
        const pairOneTwo = open.find((c) => c.firstAppointmentId === one.id && c.secondAppointmentId === two.id)!;
        expect(await conflicts().dismiss(a.tenantId, pairOneTwo.id)).toMatchObject({ status: 'resolved', resolution: 'dismissed' });
        await a.device.desk2.push(a.device.desk2.mutation('appointment', two.id, { endsAt: '2030-03-06T10:50:00.000Z' }));
        expect((await conflicts().list(a.tenantId, { id: pairOneTwo.id }))[0]).toMatchObject({ status: 'resolved', resolution: 'dismissed' });
        await a.device.desk2.push(a.device.desk2.mutation('appointment', three.id, {}, 'delete'));
        const left = (await conflicts().list(a.tenantId, { status: 'open' })).filter((c) => c.startsAt.startsWith('2030-03-06'));
        expect(left).toEqual([]);
        const resolved = (await conflicts().list(a.tenantId, { status: 'resolved' })).filter((c) => c.secondAppointmentId === three.id);
        expect(resolved.map((c) => c.resolution)).toEqual(['cancelled', 'cancelled']);
      });
    });
  });
}
