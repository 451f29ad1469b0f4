import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../test/support/postgres.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { pullPageSchema, type Change } from '../../shared/sync/pull.ts';
import { testEngines } from '../testing/engines.ts';
import { appointmentFields, patientFields, signedIn, startTestServer, type TestDevice, type TestServer } from '../testing/harness.ts';

const engines = testEngines(await requirePostgres('sync-server/sync/pull (PostgreSQL)'), testPostgresUrl());

for (const engine of engines) {
  describe.skipIf(!engine.available)(`sync.pull (${engine.name})`, () => {
    let server: TestServer;
    let north: TestDevice;
    let lake: TestDevice;
    let northTenant: string;
    let lakeTenant: string;

    beforeAll(async () => {
      server = await startTestServer(engine, { seedDemo: true });
      const [northOrg, lakeOrg] = server.demo!.orgs;
      northTenant = northOrg!.tenantId;
      lakeTenant = lakeOrg!.tenantId;
      north = (await signedIn(server, { code: 'northside', username: 'frontdesk', password: northOrg!.users[0]!.password })).device;
      lake = (await signedIn(server, { code: 'lakeview', username: 'frontdesk', password: lakeOrg!.users[0]!.password })).device;
    });
    afterAll(() => server?.stop());

    it('serves the seeded org in keyset pages that add up to every row exactly once', async () => {
      const seen: Change[] = [];
      let cursor = '0';
      let pages = 0;
      for (;;) {
        const page = pullPageSchema.parse(await north.pull('master_data', cursor, 70));
        expect(page.tenantId).toBe(northTenant);
        expect(page.changes.length).toBeLessThanOrEqual(70);
        seen.push(...page.changes);
        pages++;
        if (!page.hasMore) break;
        expect(BigInt(page.cursor)).toBeGreaterThan(BigInt(cursor));
        cursor = page.cursor;
      }
      expect(pages).toBe(Math.ceil(300 / 70));
      expect(new Set(seen.map((c) => c.id)).size).toBe(300);
      const seqs = seen.map((c) => BigInt(c.seq));
      expect(seqs).toEqual([...seqs].sort((x, y) => (x < y ? -1 : 1)));
      expect(seen.every((c) => c.op === 'upsert' && c.entity === 'patient' && typeof c.fields?.mrn === 'string' && String(c.fields.mrn).startsWith('NS-'))).toBe(true);
      // The scheduling feed also carries the demo's rooms and practitioner schedules: count its appointments.
      expect((await north.pullAll('scheduling')).changes.filter((c) => c.entity === 'appointment')).toHaveLength(200);
      expect(await server.admin.countRows({ domain: 'master_data', table: 'patients', tenantId: northTenant })).toBe(300);
    });

    it('resumes from a stored cursor with only what changed since, and an empty page at the head', async () => {
      const { cursor } = await north.pullAll('master_data');
      const head = await north.pull('master_data', cursor);
      expect(head).toMatchObject({ changes: [], hasMore: false, cursor });
      const id = uuidv7();
      await north.push(north.mutation('patient', id, patientFields({ mrn: 'NS-NEW' })));
      const next = await north.pull('master_data', cursor);
      expect(next.changes.map((c) => c.id)).toEqual([id]);
      expect(next.hasMore).toBe(false);
      // An edit moves the entity to the head of the feed: it appears once more, with its new state.
      await north.push(north.mutation('patient', id, { phone: '555-0142' }));
      const again = await north.pull('master_data', next.cursor);
      expect(again.changes).toHaveLength(1);
      expect(again.changes[0]).toMatchObject({ id, fields: { phone: '555-0142' } });
    });

    it('a patient linked into two orgs: core changes reach both, appointments and MRNs stay with their org', async () => {
      const patientId = uuidv7();
      await north.push(north.mutation('patient', patientId, patientFields({ familyName: 'Shared', mrn: 'NS-SHARED' })));
      const lakeCursor = (await lake.pullAll('master_data')).cursor;
      const lakeApptCursor = (await lake.pullAll('scheduling')).cursor;
      expect(JSON.stringify(await lake.pullAll('master_data'))).not.toContain(patientId);

      await server.admin.linkPatient({ tenantId: lakeTenant, patientId, mrn: 'LV-SHARED' });
      const linked = await lake.pull('master_data', lakeCursor);
      expect(linked.changes).toHaveLength(1);
      expect(linked.changes[0]).toMatchObject({ id: patientId, fields: { familyName: 'Shared', mrn: 'LV-SHARED' } });

      // North books an appointment and edits the core identity.
      const apptId = uuidv7();
      await north.push(north.mutation('appointment', apptId, appointmentFields(patientId)));
      const northCursor = (await north.pullAll('master_data')).cursor;
      await north.push(north.mutation('patient', patientId, { phone: '555-0177' }));

      const lakeSees = await lake.pull('master_data', linked.cursor);
      expect(lakeSees.changes).toHaveLength(1);
      expect(lakeSees.changes[0]).toMatchObject({ id: patientId, fields: { phone: '555-0177', mrn: 'LV-SHARED' } });
      const northSees = await north.pull('master_data', northCursor);
      expect(northSees.changes[0]).toMatchObject({ id: patientId, fields: { phone: '555-0177', mrn: 'NS-SHARED' } });

      // Lake's own MRN edit stays in Lake's feed.
      await lake.push(lake.mutation('patient', patientId, { mrn: 'LV-EDITED' }));
      expect(JSON.stringify(await north.pull('master_data', northSees.cursor))).not.toContain('LV-EDITED');

      const lakeAppointments = await lake.pull('scheduling', lakeApptCursor);
      expect(lakeAppointments.changes).toEqual([]);
      expect(JSON.stringify(await lake.pullAll('scheduling'))).not.toContain(apptId);
      expect(await server.admin.countRows({ domain: 'scheduling', table: 'appointments', tenantId: lakeTenant })).toBe(200);

      // North unlinking the patient removes it from North only; Lake keeps it.
      const beforeUnlink = (await north.pullAll('master_data')).cursor;
      await north.push(north.mutation('patient', patientId, {}, 'delete'));
      expect((await north.pull('master_data', beforeUnlink)).changes[0]).toMatchObject({ id: patientId, op: 'delete', fields: null });
      const lakeNow = (await lake.pullAll('master_data')).changes.find((c) => c.id === patientId);
      expect(lakeNow).toMatchObject({ op: 'upsert', fields: { familyName: 'Shared' } });
    });
  });
}
