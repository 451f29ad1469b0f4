import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatHlc, MAX_CLOCK_DRIFT_MS } from '../../shared/hlc.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { Mutation } from '../../shared/sync/mutation.ts';
import { OrgStore } from '../../electron/store/org-store.ts';
import { SyncEngine, type ForeignOrgMessage } from '../../electron/sync/engine.ts';
import { createSyncTransport } from '../../electron/sync/transport.ts';
import { tempDir } from '../../electron/test-support/temp-dir.ts';
import { FUTURE_CLOCK_REASON } from '../../sync-server/sync/push.ts';
import { testEngines } from '../../sync-server/testing/engines.ts';
import { appointmentFields, createOrg, patientFields, signedIn, startTestServer, type TestDevice, type TestServer } from '../../sync-server/testing/harness.ts';
import { requirePostgres, testPostgresUrl } from '../support/postgres.ts';
import { storeContent, tableDigests } from './convergence/replica-content.ts';

/**
 * Issue 5, "proven under faults": batches a broken or hostile workstation (or a retrying
 * network) can send, and a page a misrouted server can answer. Each is handled without
 * loss: what was acknowledged stays, nothing is applied twice, nothing foreign is applied.
 */
const engines = testEngines(await requirePostgres('test/sync/hostile-batches (PostgreSQL)'), testPostgresUrl());
const hlcAt = (ms: number, node: string, counter = 0) => formatHlc({ ms, counter, node });

for (const engine of engines) {
  describe.skipIf(!engine.available)(`hostile batches (${engine.name})`, () => {
    let server: TestServer;
    let a: TestDevice;
    let a2: TestDevice;
    let tenantA: string;
    let orgB: { tenantId: string; token: string };

    const ledgerCount = () => server.admin.countRows({ domain: 'master_data', table: 'applied_mutations', tenantId: tenantA });
    const patient = async (id: string) => (await a.pullAll('master_data')).changes.find((change) => change.id === id);

    beforeAll(async () => {
      server = await startTestServer(engine);
      const accountA = await createOrg(server, 'hostile-a');
      const accountB = await createOrg(server, 'hostile-b');
      tenantA = accountA.tenantId;
      a = (await signedIn(server, { code: 'hostile-a', ...accountA })).device;
      a2 = (await signedIn(server, { code: 'hostile-a', ...accountA })).device;
      const b = await signedIn(server, { code: 'hostile-b', ...accountB });
      orgB = { tenantId: b.session.tenantId, token: b.session.token };
      await b.device.push(b.device.mutation('patient', uuidv7(), patientFields({ familyName: 'Otherorg' })));
    });
    afterAll(() => server?.stop());

    it('applies a batch sent twice at once, or twice in a row, exactly once', async () => {
      const id = uuidv7();
      const batch = [a.mutation('patient', id, patientFields({ mrn: 'DUP-1' })), a.mutation('patient', id, { phone: '555-0111' })];
      const before = await ledgerCount();
      const [first, second] = await Promise.all([a.push(...batch), a.push(...batch)]);
      const statuses = [...first.results, ...second.results].map((r) => r.status).sort();
      expect(statuses).toEqual(['applied', 'applied', 'duplicate', 'duplicate']);
      const again = await a.push(...batch);
      expect(again.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
      expect(await ledgerCount()).toBe(before + 2);
      expect(await patient(id)).toMatchObject({ fields: { mrn: 'DUP-1', phone: '555-0111' }, version: 3 });
    });

    it('a batch replayed after its acknowledgement changes nothing, not even the feed', async () => {
      const id = uuidv7();
      const batch = [a.mutation('patient', id, patientFields()), a.mutation('patient', id, { givenName: 'Replayed' })];
      expect((await a.push(...batch)).results.map((r) => r.status)).toEqual(['applied', 'applied']);
      const { cursor } = await a.pullAll('master_data');
      const before = await patient(id);
      // Replayed much later, after another device changed the same field: the old write must not come back.
      await a2.push(a2.mutation('patient', id, { givenName: 'Later' }));
      const { cursor: afterLater } = await a.pullAll('master_data');
      expect(afterLater).not.toBe(cursor);
      const replay = await a.push(...batch);
      expect(replay.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
      expect((await a.pull('master_data', afterLater)).changes).toEqual([]);
      expect(await patient(id)).toMatchObject({ fields: { ...before!.fields, givenName: 'Later' }, version: before!.version + 1 });
    });

    it('out of order: later mutation ids and HLCs before earlier ones, in one batch and across batches, end at the newest write', async () => {
      const id = uuidv7();
      const apptId = uuidv7();
      const base = Date.now();
      const create = a.mutation('patient', id, patientFields({ phone: '555-0001' }), 'upsert', hlcAt(base, 'dev-a'));
      const early = a.mutation('patient', id, { phone: '555-0002' }, 'upsert', hlcAt(base + 1, 'dev-a'));
      const late = a.mutation('patient', id, { phone: '555-0003', familyName: 'Newest' }, 'upsert', hlcAt(base + 2, 'dev-a'));
      // The appointment comes before the patient it needs, and the newest edit before the older one.
      const appt = a.mutation('appointment', apptId, appointmentFields(id), 'upsert', hlcAt(base + 3, 'dev-a'));
      const result = await a.push(appt, late, create, early);
      expect(result.results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
      expect(await patient(id)).toMatchObject({ fields: { phone: '555-0003', familyName: 'Newest' }, fieldHlc: { phone: late.hlc, familyName: late.hlc } });
      // An older edit arriving in a later batch loses field by field, and is still recorded as applied once.
      const stale = a.mutation('patient', id, { phone: '555-0009', givenName: 'Stale' }, 'upsert', hlcAt(base + 1, 'dev-a', 5));
      expect((await a.push(stale)).results[0]?.status).toBe('applied');
      expect((await a.push(stale)).results[0]?.status).toBe('duplicate');
      expect(await patient(id)).toMatchObject({ fields: { phone: '555-0003', givenName: 'Stale' } });
      expect((await a.pullAll('scheduling')).changes.find((c) => c.id === apptId)).toMatchObject({ op: 'upsert', fields: { patientId: id } });
    });

    it('refuses a mutation stamped far in the future, without applying it or letting it drag the clock', async () => {
      const id = uuidv7();
      const future = hlcAt(Date.now() + 24 * 3_600_000, 'dev-future');
      const before = await ledgerCount();
      const runaway = a.mutation('patient', id, patientFields({ familyName: 'Future' }), 'upsert', future);
      const answer = await a.push(runaway);
      expect(answer.results).toEqual([{ mutationId: runaway.mutationId, status: 'rejected', code: 'VALIDATION', reason: FUTURE_CLOCK_REASON }]);
      expect(answer.serverHlc < future).toBe(true);
      expect(await patient(id)).toBeUndefined();
      expect(await ledgerCount()).toBe(before);
      // Refused, not recorded: corrected, the same change applies; a clock a little ahead is fine.
      const near = hlcAt(Date.now() + MAX_CLOCK_DRIFT_MS / 10, 'dev-future');
      const corrected: Mutation = { ...runaway, hlc: near };
      expect((await a.push(corrected)).results[0]?.status).toBe('applied');
      // And the next ordinary edit from another desk still wins over it (nothing pinned ahead).
      await a2.push(a2.mutation('patient', id, { familyName: 'Present' }, 'upsert', hlcAt(Date.now() + MAX_CLOCK_DRIFT_MS / 5, 'dev-a2')));
      expect(await patient(id)).toMatchObject({ fields: { familyName: 'Present' } });
    });

    it('takes a mutation id from the future as the opaque key it is: applied once, replays are duplicates, later ids of the past still apply', async () => {
      // A UUIDv7 whose timestamp is a year ahead (a device with a wild clock made it).
      const aheadMs = (Date.now() + 365 * 24 * 3_600_000).toString(16).padStart(12, '0');
      const fromTheFuture = (id: string) => `${aheadMs.slice(0, 8)}-${aheadMs.slice(8, 12)}${id.slice(13)}`;
      const id = uuidv7();
      const create = { ...a.mutation('patient', id, patientFields({ familyName: 'Futureid' })), mutationId: fromTheFuture(uuidv7()) };
      expect((await a.push(create)).results[0]?.status).toBe('applied');
      expect((await a.push(create)).results[0]?.status).toBe('duplicate');
      // Ordering never comes from mutation ids: an ordinary (older) id after it applies, and its HLC decides.
      expect((await a.push(a.mutation('patient', id, { familyName: 'Presentid' }))).results[0]?.status).toBe('applied');
      expect(await patient(id)).toMatchObject({ fields: { familyName: 'Presentid' } });
    });

    it("refuses a pull page of another org: nothing applied, cursor kept, reported", async () => {
      const folder = tempDir('clinicsync-hostile-store-');
      const deviceId = uuidv7();
      const store = OrgStore.open({ path: join(folder.path, 'store.db'), key: randomBytes(32), tenantId: tenantA, deviceId });
      const foreign: ForeignOrgMessage[] = [];
      // The transport answers for org B (a misrouted server, a wrong session): real pages, wrong org.
      const transport = createSyncTransport(server.url, orgB);
      const engine = new SyncEngine({ store, transport, deviceId, onForeignOrg: (what) => foreign.push(what) });
      try {
        const { id } = store.patients.create(patientFields({ familyName: 'Localonly' }));
        store.settle([], store.clock.current()); // nothing acknowledged: still pending, and never to be pushed here
        const pending = store.pendingBatch(10);
        const before = tableDigests(storeContent(store.db));
        const page = await transport.pull({ protocolVersion: 1, domain: 'master_data', cursor: '0', limit: 100 });
        expect(page.changes.length).toBeGreaterThan(0);
        expect(() => store.applyPage(page)).toThrow(expect.objectContaining({ code: 'STORE_MISMATCH' }));
        // Through the engine: the pull is refused before anything is written, and reported.
        store.db.prepare(`UPDATE outbox SET status = 'rejected', reject_code = 'TEST', reject_reason = 'held back' WHERE status = 'pending'`).run();
        await expect(engine.syncNow()).rejects.toMatchObject({ code: 'STORE_MISMATCH' });
        expect(foreign).toEqual(['pull_page']);
        expect(tableDigests(storeContent(store.db))).toEqual(before);
        expect(store.cursor('master_data')).toBe('0');
        expect(store.patients.get(id)).toMatchObject({ familyName: 'Localonly' });
        store.db.prepare(`UPDATE outbox SET status = 'pending', reject_code = NULL, reject_reason = NULL`).run();
        expect(store.pendingBatch(10)).toEqual(pending); // the unsent edit is still there to send
      } finally {
        await engine.stop();
        await transport.close();
        store.close();
        folder.remove();
      }
    });
  });
}
