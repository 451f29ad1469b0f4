import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../test/support/postgres.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { testEngines } from '../testing/engines.ts';
import { createOrg, patientFields, signedIn, startTestServer, type TestDevice, type TestServer } from '../testing/harness.ts';

/**
 * The set-based paths of push (one ledger claim per batch, new patients in a few statements
 * per batch): the same answers, rows and feed as one mutation at a time, in every mix.
 */
const engines = testEngines(await requirePostgres('sync-server/sync/push-batch (PostgreSQL)'), testPostgresUrl());

for (const engine of engines) {
  describe.skipIf(!engine.available)(`sync.push, batched (${engine.name})`, () => {
    let server: TestServer;
    let a: TestDevice;
    let b: TestDevice;
    let tenantA: string;

    beforeAll(async () => {
      server = await startTestServer(engine);
      const orgA = await createOrg(server, 'batch-a');
      const orgB = await createOrg(server, 'batch-b');
      tenantA = orgA.tenantId;
      a = (await signedIn(server, { code: 'batch-a', ...orgA })).device;
      b = (await signedIn(server, { code: 'batch-b', ...orgB })).device;
    });
    afterAll(() => server?.stop());

    const count = (table: string) => server.admin.countRows({ domain: 'master_data', table, tenantId: tenantA });

    it('applies a burst of new patients once each, with their feed rows; a replay of the burst is all duplicates', async () => {
      const before = { patients: await count('tenant_patients'), ledger: await count('applied_mutations') };
      const burst = Array.from({ length: 120 }, (_, i) => a.mutation('patient', uuidv7(), patientFields({ mrn: `BURST-${i}` })));
      const first = await a.push(...burst);
      expect(first.results.map((r) => r.mutationId)).toEqual(burst.map((m) => m.mutationId));
      expect(first.results.every((r) => r.status === 'applied')).toBe(true);
      expect(await count('tenant_patients')).toBe(before.patients + 120);
      expect(await count('applied_mutations')).toBe(before.ledger + 120);
      const replay = await a.push(...burst);
      expect(replay.results.every((r) => r.status === 'duplicate')).toBe(true);
      expect(await count('tenant_patients')).toBe(before.patients + 120);
      const pulled = (await a.pullAll('master_data')).changes.filter((c) => burst.some((m) => m.id === c.id));
      expect(pulled).toHaveLength(120);
      expect(pulled.map((c) => c.fields?.['mrn'])).toEqual(burst.map((_, i) => `BURST-${i}`)); // feed in the order they were made
      expect(pulled[0]).toMatchObject({ op: 'upsert', version: 2, fieldHlc: { mrn: burst[0]!.hlc, givenName: burst[0]!.hlc } });
    });

    it('answers a mixed batch as one-by-one would: a repeated mutation id, an edit of a new patient, an edit of an unknown one', async () => {
      const created = uuidv7();
      const edited = uuidv7();
      const news = [a.mutation('patient', created, patientFields({ mrn: 'MIX-1' })), a.mutation('patient', uuidv7(), patientFields({ mrn: 'MIX-2' }))];
      const createEdited = a.mutation('patient', edited, patientFields({ mrn: 'MIX-3' }));
      const editEdited = a.mutation('patient', edited, { givenName: 'Edited' });
      const bad = a.mutation('patient', uuidv7(), { givenName: 'Partial' }); // an edit of a patient the org does not have
      const result = await a.push(news[0]!, createEdited, news[1]!, news[0]!, editEdited, bad);
      expect(result.results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'duplicate', 'applied', 'rejected']);
      expect(result.results[5]?.code).toBe('NOT_FOUND');
      const pulled = (await a.pullAll('master_data')).changes;
      expect(pulled.find((c) => c.id === edited)?.fields).toMatchObject({ givenName: 'Edited', mrn: 'MIX-3' });
      expect(pulled.filter((c) => c.id === created)).toHaveLength(1);
      // The rejected create released its claim: corrected, the same mutation id applies.
      const corrected = { ...bad, fields: patientFields({ mrn: 'MIX-4' }) };
      expect((await a.push(corrected, a.mutation('patient', uuidv7(), patientFields()))).results.map((r) => r.status)).toEqual(['applied', 'applied']);
    });

    it("answers an id that is another org's patient 'not found' inside a burst, and applies the rest", async () => {
      const theirs = uuidv7();
      expect((await b.push(b.mutation('patient', theirs, patientFields({ mrn: 'B-1' })))).results[0]?.status).toBe('applied');
      const before = await count('tenant_patients');
      const burst = [
        a.mutation('patient', uuidv7(), patientFields({ mrn: 'C-1' })),
        a.mutation('patient', theirs, patientFields({ mrn: 'C-2', givenName: 'Hijack' })),
        a.mutation('patient', uuidv7(), patientFields({ mrn: 'C-3' })),
      ];
      const result = await a.push(...burst);
      expect(result.results.map((r) => [r.status, r.code])).toEqual([['applied', undefined], ['rejected', 'NOT_FOUND'], ['applied', undefined]]);
      expect(await count('tenant_patients')).toBe(before + 2);
      const bSees = (await b.pullAll('master_data')).changes.find((c) => c.id === theirs);
      expect(bSees?.fields).toMatchObject({ givenName: 'Testina', mrn: 'B-1' });
    });
  });
}
