import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../../test/support/postgres.ts';
import { formatHlc } from '../../../shared/hlc.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { Mutation } from '../../../shared/sync/mutation.ts';
import { FeedWriter } from '../../sync/feed-writer.ts';
import { testEngines } from '../../testing/engines.ts';
import { useFreshDatabases } from '../../testing/fresh-databases.ts';
import { createOrg, newPatientMutation, patientFields, signedIn, startTestServer, type TestDevice, type TestServer } from '../../testing/harness.ts';
import { createPushedPatients } from './patient-push-at-once.ts';

const engines = testEngines(await requirePostgres('sync-server/domains/master_data/patient-push-at-once (PostgreSQL)'), testPostgresUrl());
const hlcAt = (ms: number, node: string) => formatHlc({ ms, counter: 0, node });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A push of new patients goes in as one statement (master_data.create_pushed_patients);
 * everything else it declines, writing nothing, and the ordinary path answers exactly as
 * before. These are the cases where the two paths meet: the answers a desk gets, what is
 * left in the org's tables, and the function's own contract (org context, feed lock).
 */
for (const engine of engines) {
  describe.skipIf(!engine.available)(`new patients pushed in one statement, answered as before (${engine.name})`, () => {
    let server: TestServer;
    let a: TestDevice;
    let b: TestDevice;
    let tenantA: string;
    let tenantB: string;
    const count = (table: string, tenantId: string) => server.admin.countRows({ domain: 'master_data', table, tenantId });

    beforeAll(async () => {
      server = await startTestServer(engine);
      const orgA = await createOrg(server, 'at-once-a');
      const orgB = await createOrg(server, 'at-once-b');
      tenantA = orgA.tenantId;
      tenantB = orgB.tenantId;
      a = (await signedIn(server, { code: 'at-once-a', ...orgA })).device;
      b = (await signedIn(server, { code: 'at-once-b', ...orgB })).device;
    });
    afterAll(() => server?.stop());

    it('applies a batch of new patients once, each in the org feed in HLC order, none in the other org', async () => {
      const base = Date.now();
      const creates = [0, 1, 2].map((i) => a.mutation('patient', uuidv7(), patientFields({ mrn: `AO-${i}` }), 'upsert', hlcAt(base + i, 'dev-a')));
      const pushed = await a.push(...[...creates].reverse());
      expect(pushed.results).toEqual([...creates].reverse().map((m) => ({ mutationId: m.mutationId, status: 'applied' })));
      const feed = (await a.pullAll('master_data')).changes.filter((c) => creates.some((m) => m.id === c.id));
      // Seqs drawn in HLC order (the order the desk made them in), not the order sent.
      expect(feed.map((c) => c.id)).toEqual(creates.map((m) => m.id));
      expect(feed.map((c) => c.fields?.['mrn'])).toEqual(['AO-0', 'AO-1', 'AO-2']);
      expect(feed.every((c) => c.version === 2 && c.fieldHlc['phone'] === creates.find((m) => m.id === c.id)?.hlc)).toBe(true);
      expect((await b.pullAll('master_data')).changes.filter((c) => creates.some((m) => m.id === c.id))).toEqual([]);
      const replay = await a.push(...creates);
      expect(replay.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
      expect((await a.pullAll('master_data')).changes.filter((c) => creates.some((m) => m.id === c.id)).map((c) => c.seq)).toEqual(feed.map((c) => c.seq));
    });

    it('takes every field of a patient the org already has as an edit, merged by field clock', async () => {
      const id = uuidv7();
      const base = Date.now();
      await a.push(a.mutation('patient', id, patientFields({ phone: '555-0001' }), 'upsert', hlcAt(base + 10, 'dev-a')));
      // Every field again, older clock on all: nothing wins; newer: all win. Both answered applied.
      const older = await a.push(a.mutation('patient', id, patientFields({ phone: '555-0002' }), 'upsert', hlcAt(base, 'dev-a')));
      expect(older.results[0]?.status).toBe('applied');
      expect((await a.pullAll('master_data')).changes.find((c) => c.id === id)?.fields?.['phone']).toBe('555-0001');
      const newer = await a.push(a.mutation('patient', id, patientFields({ phone: '555-0003' }), 'upsert', hlcAt(base + 20, 'dev-a')));
      expect(newer.results[0]?.status).toBe('applied');
      expect((await a.pullAll('master_data')).changes.find((c) => c.id === id)?.fields?.['phone']).toBe('555-0003');
    });

    it("answers a new patient with another org's patient id as not found, writes nothing, and leaves that patient alone", async () => {
      const taken = uuidv7();
      await b.push(b.mutation('patient', taken, patientFields({ givenName: 'Bee', mrn: 'B-1' })));
      const before = (await b.pullAll('master_data')).changes.find((c) => c.id === taken);
      const ledgerBefore = await count('applied_mutations', tenantA);
      const fresh = a.mutation('patient', uuidv7(), patientFields({ mrn: 'A-fresh' }));
      const guess = a.mutation('patient', taken, patientFields({ givenName: 'Mallory', mrn: 'A-guess' }));
      const guessed = await a.push(fresh, guess);
      expect(guessed.results[1]).toEqual({ mutationId: guess.mutationId, status: 'rejected', code: 'NOT_FOUND', reason: 'No such patient in this organization.' });
      // The fast path declined the whole push; the ordinary one still applied the other patient.
      expect(guessed.results[0]).toEqual({ mutationId: fresh.mutationId, status: 'applied' });
      expect(await count('applied_mutations', tenantA)).toBe(ledgerBefore + 1);
      expect((await a.pullAll('master_data')).changes.some((c) => c.id === taken)).toBe(false);
      expect((await b.pullAll('master_data')).changes.find((c) => c.id === taken)).toEqual(before);
    });

    it('applies the same new patient once when two pushes of it race; the other is a duplicate', async () => {
      const create = a.mutation('patient', uuidv7(), patientFields({ mrn: 'A-race' }));
      const patientsBefore = await count('patients', tenantA);
      const answers = await Promise.all([a.push(create), a.push(create), a.push(create)]);
      expect(answers.map((answer) => answer.results[0]?.status).sort()).toEqual(['applied', 'duplicate', 'duplicate']);
      expect(await count('patients', tenantA)).toBe(patientsBefore + 1);
      expect((await a.pullAll('master_data')).changes.filter((c) => c.id === create.id)).toHaveLength(1);
    });

    it('refuses a patient the org removed, as before', async () => {
      const id = uuidv7();
      await a.push(a.mutation('patient', id, patientFields({ mrn: 'A-gone' })));
      await a.push(a.mutation('patient', id, {}, 'delete'));
      const again = await a.push(a.mutation('patient', id, patientFields({ mrn: 'A-back' })));
      expect(again.results[0]).toMatchObject({ status: 'rejected', code: 'NOT_FOUND' });
      expect((await a.pullAll('master_data')).changes.find((c) => c.id === id)?.op).toBe('delete');
    });
  });

  describe.skipIf(!engine.available)(`master_data.create_pushed_patients, its contract (${engine.name})`, () => {
    const dbs = useFreshDatabases(engine);
    const device = uuidv7();
    const newPatient = (mrn: string): Mutation => newPatientMutation(mrn, 'dev-x');
    const seqOf = async (tenantId: string, entityId: string): Promise<bigint> => {
      const rows = await dbs().domains.master_data.withTenant(tenantId, (sql) =>
        sql.query<{ seq: string }>('SELECT seq::text AS seq FROM master_data.changes WHERE tenant_id = $1 AND entity_id = $2', [tenantId, entityId]),
      );
      expect(rows).toHaveLength(1);
      return BigInt(rows[0]!.seq);
    };

    it('declines, writing nothing, what is not a push of whole new patients', async () => {
      const tenantId = uuidv7();
      const db = dbs().domains.master_data;
      const first = newPatient('X-1');
      const partial = { ...newPatient('X-2'), fields: { givenName: 'Only' } };
      const twice = newPatient('X-3');
      expect(await createPushedPatients(db, tenantId, device, [first, partial])).toBe(false);
      expect(await createPushedPatients(db, tenantId, device, [first, { ...first, op: 'delete', fields: {} }])).toBe(false);
      expect(await createPushedPatients(db, tenantId, device, [twice, { ...newPatient('X-4'), mutationId: twice.mutationId }])).toBe(false);
      expect(await createPushedPatients(db, tenantId, device, [])).toBe(false);
      const rows = await db.withTenant(tenantId, (sql) => sql.query('SELECT 1 FROM master_data.applied_mutations WHERE tenant_id = $1', [tenantId]));
      expect(rows).toEqual([]);
      expect(await createPushedPatients(db, tenantId, device, [first])).toBe(true);
      // Now linked: declined (an edit), and a replay of the mutation id under a fresh id too (raised, rolled back whole).
      expect(await createPushedPatients(db, tenantId, device, [{ ...newPatient('X-5'), id: first.id }])).toBe(false);
      const fresh = newPatient('X-6');
      expect(await createPushedPatients(db, tenantId, device, [fresh, { ...newPatient('X-7'), mutationId: first.mutationId }])).toBe(false);
      const left = await db.withTenant(tenantId, (sql) =>
        sql.query('SELECT 1 FROM master_data.tenant_patients WHERE tenant_id = $1 AND patient_id = $2', [tenantId, fresh.id]),
      );
      expect(left).toEqual([]);
    });

    it("refuses to run inside another org's transaction, and runs inside its own", async () => {
      const [orgA, orgB] = [uuidv7(), uuidv7()];
      const db = dbs().domains.master_data;
      const call = (sql: { query: (text: string, params: unknown[]) => Promise<unknown> }, tenantId: string, patient: Mutation) =>
        sql.query('SELECT master_data.create_pushed_patients($1, $2, $3::jsonb) AS created', [
          tenantId,
          device,
          JSON.stringify([{ ...patient.fields, id: patient.id, mutationId: patient.mutationId, coreHlc: {}, linkHlc: {} }]),
        ]);
      await expect(db.withTenant(orgB, (sql) => call(sql, orgA, newPatient('C-1')))).rejects.toThrow(/another org's tenant context/);
      const own = newPatient('C-2');
      await db.withTenant(orgA, (sql) => call(sql, orgA, own));
      expect(await seqOf(orgA, own.id)).toBeGreaterThan(0n);
      const inB = await db.withTenant(orgB, (sql) => sql.query('SELECT 1 FROM master_data.changes WHERE entity_id = $1', [own.id]));
      expect(inB).toEqual([]);
    });

    it.skipIf(engine.name !== 'postgres')('takes the org feed lock FeedWriter takes: a writer of the org waits for it, then draws the later seq', async () => {
      const tenantId = uuidv7();
      const db = dbs().domains.master_data;
      const held = newPatient('L-1');
      const laterId = uuidv7();
      let release!: () => void;
      let called!: () => void;
      const mayCommit = new Promise<void>((resolve) => (release = resolve));
      const calledIt = new Promise<void>((resolve) => (called = resolve));
      const first = db.withTenant(tenantId, async (sql) => {
        await sql.query('SELECT master_data.create_pushed_patients($1, $2, $3::jsonb)', [
          tenantId,
          device,
          JSON.stringify([{ ...held.fields, id: held.id, mutationId: held.mutationId, coreHlc: {}, linkHlc: {} }]),
        ]);
        called();
        await mayCommit;
      });
      await calledIt;
      let secondDone = false;
      const second = db
        .withTenant(tenantId, async (sql) => {
          const feed = new FeedWriter('master_data', tenantId);
          feed.touch('patient', laterId);
          await feed.flush(sql);
        })
        .then(() => (secondDone = true));
      await sleep(400);
      expect(secondDone).toBe(false);
      release();
      await Promise.all([first, second]);
      expect(await seqOf(tenantId, laterId)).toBeGreaterThan(await seqOf(tenantId, held.id));
    });
  });
}
