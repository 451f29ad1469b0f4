import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../test/support/postgres.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { HybridClock } from '../../shared/hlc.ts';
import { AppointmentService } from '../domains/scheduling/appointments.ts';
import type { Sql } from '../db/sql.ts';
import { testEngines } from '../testing/engines.ts';
import { appointmentFields, createOrg, patientFields, signedIn, startTestServer, type TestDevice, type TestServer } from '../testing/harness.ts';
import type { SyncDomainService } from './outcome.ts';
import { pull } from './pull.ts';

/**
 * A pull page of a domain with several entities is one query per entity (feed-reader.ts
 * mergedFeed). If a commit lands between two of them, the page must still never skip a
 * change: here, right after the page's appointments query, a double booking commits an
 * appointment (seq n) and its booking conflict (seq n+1) in one transaction. Reading the
 * conflict but not the appointment would hand out cursor n+1, and the appointment would
 * never reach that device. PostgreSQL only: PGlite runs one transaction at a time, so no
 * commit can land inside a read there (and the push would wait for the pull forever).
 */
const postgres = testEngines(await requirePostgres('sync-server/sync/pull snapshot (PostgreSQL)'), testPostgresUrl()).filter((engine) => engine.name === 'postgres');

for (const engine of postgres) {
  describe.skipIf(!engine.available)(`a pull page reads one snapshot (${engine.name})`, () => {
    let server: TestServer;
    let desk: TestDevice;
    let tenantId: string;

    beforeAll(async () => {
      server = await startTestServer(engine);
      const org = await createOrg(server, 'snapshotorg');
      tenantId = org.tenantId;
      desk = (await signedIn(server, { code: 'snapshotorg', username: org.username, password: org.password })).device;
    });
    afterAll(() => server?.stop());

    it('never moves the cursor past a change committed between its per-entity queries', async () => {
      const patientId = uuidv7();
      await desk.push(desk.mutation('patient', patientId, patientFields()));
      await desk.push(desk.mutation('appointment', uuidv7(), appointmentFields(patientId)));
      const { cursor } = await desk.pullAll('scheduling');

      // The real scheduling feed, with the double booking committed right after its first (appointments) query.
      const real = new AppointmentService(server.databases.domains.scheduling, async () => new Set());
      const doubleBooked = uuidv7();
      let queries = 0;
      const committingMidPage = (sql: Sql): Sql => ({
        query: async (text, params) => {
          const rows = await sql.query(text, params);
          if (++queries === 1) {
            const pushed = await desk.push(desk.mutation('appointment', doubleBooked, appointmentFields(patientId, { reason: 'Second booking' })));
            expect(pushed.results[0]).toMatchObject({ status: 'applied' });
          }
          return rows as never;
        },
        execute: (text, params) => sql.execute(text, params),
      });
      const service: SyncDomainService = { ...real, domain: 'scheduling', db: real.db, prepare: real.prepare.bind(real), readChanges: (sql, ...rest) => real.readChanges(committingMidPage(sql), ...rest) };
      const deps = { services: { scheduling: service } as never, clock: new HybridClock('test') };

      const page = await pull(deps, tenantId, { domain: 'scheduling', cursor, limit: 100 });
      expect(queries).toBeGreaterThan(1);
      // Whatever this page holds, the next pull from its cursor must bring the rest: both rows arrive.
      const next = await desk.pull('scheduling', page.cursor);
      const arrived = [...page.changes, ...next.changes];
      expect(arrived.filter((c) => c.entity === 'booking_conflict'), 'the booking conflict').toHaveLength(1);
      expect(arrived.map((c) => c.id), 'the double-booked appointment').toContain(doubleBooked);
    });
  });
}
