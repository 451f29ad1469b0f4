import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import { syncServerRouter } from '../../sync-server/api/router.ts';
import { testEngines } from '../../sync-server/testing/engines.ts';
import { appointmentFields, patientFields, startTestServer, type TestServer } from '../../sync-server/testing/harness.ts';
import { AuditCounter } from '../support/attack-audit.ts';
import { callWithClient } from '../support/attack-calls.ts';
import { createAttackFixture, type AttackFixture } from '../support/attack-fixture.ts';
import { fingerprintDiff, OrgFingerprint, type Fingerprint } from '../support/attack-fingerprint.ts';
import { listProcedures } from '../support/attack-procedures.ts';
import { AttackRun } from '../support/attack-runner.ts';
import { requirePostgres, testPostgresUrl } from '../support/postgres.ts';
import { PLANTERS } from './planted-data.ts';
import { PROCEDURE_CASES } from './procedure-cases.ts';

/**
 * Issue 3, "proven from the attacker's side": every tRPC procedure of the sync server is
 * attacked over real HTTP (and WebSocket) by org A's users and by callers with forged
 * credentials, on both engines. After each group of attacks org B's rows in all eight
 * domain databases are fingerprinted again and must be unchanged, no answer may carry
 * anything of B's, and every refused call must have left its audit entry.
 */
const engines = testEngines(await requirePostgres('test/isolation/attacks (PostgreSQL)'), testPostgresUrl());
const MIN_CASES = 200;

for (const engine of engines) {
  // On PostgreSQL the victim org B sits on the dedicated tier (its own databases, moved
  // there after planting), so attacks also cross placements; on PGlite both orgs share.
  const bDedicated = engine.name === 'postgres';
  describe.skipIf(!engine.available)(`attacker-side isolation of every procedure (${engine.name}${bDedicated ? ', org B dedicated' : ''})`, () => {
    let server: TestServer;
    let fx: AttackFixture;
    let run: AttackRun;
    let audit: AuditCounter;
    let fingerprint: OrgFingerprint;
    let bAtStart: Fingerprint;

    beforeAll(async () => {
      server = await startTestServer(engine);
      fx = await createAttackFixture(server, PLANTERS);
      fingerprint = new OrgFingerprint(server.databases);
      audit = new AuditCounter(server.databases);
      await audit.probe();
      if (bDedicated) {
        const moved = await server.admin.setTier({ tenantId: fx.b.tenantId, tier: 'dedicated' });
        expect(moved.placement).toBe('dedicated');
        audit.addDedicated(fx.b.tenantId);
      }
      run = new AttackRun(fx, fingerprint, audit);
      bAtStart = await fingerprint.retake(fx.b.tenantId);
      // The fingerprint reads B where B's rows are (also after a move): it must see them.
      for (const table of ['scheduling.appointments', 'clinical.encounters', 'clinical.notes', 'personnel.staff']) {
        expect(bAtStart[table]?.rows, table).toBeGreaterThan(0);
      }
    });
    afterAll(() => server?.stop());

    for (const info of listProcedures(syncServerRouter)) {
      it(`${info.path}: refuses every attack, reads and changes nothing of org B`, async () => {
        const builder = PROCEDURE_CASES[info.path];
        if (!builder) throw new Error(`${info.path} has no case builder in test/isolation/procedure-cases.ts`);
        expect(await run.run(info, await builder(fx))).toEqual([]);
      });
    }

    it("left org B exactly as it was planted (all eight databases, catalog re-read), its audit chain intact", async () => {
      expect(fingerprintDiff(bAtStart, await fingerprint.retake(fx.b.tenantId))).toEqual([]);
      // Every refusal aimed at B was appended to B's chain; the chain must still verify.
      const verified = await callWithClient(fx.b.users.org_admin.client, 'query', 'audit.verify', {});
      expect(verified.ok && (verified.data as { ok: boolean }).ok, verified.text.slice(0, 300)).toBe(true);
    });

    // After the final fingerprint: B pushes here, on purpose.
    it("pokes org A only for A's changes, never for B's", async () => {
      const a = fx.a.users.front_desk;
      const b = fx.b.users.front_desk;
      const pokes: string[] = [];
      let started!: () => void;
      let firstPoke!: () => void;
      const isStarted = new Promise<void>((resolve) => (started = resolve));
      const poked = new Promise<void>((resolve) => (firstPoke = resolve));
      const subscription = a.client.sync.pokes.subscribe(
        { protocolVersion: PROTOCOL_VERSION },
        { onStarted: () => started(), onData: (poke) => (pokes.push(poke.domain), firstPoke()), onError: () => firstPoke() },
      );
      await isStarted;
      // B changes scheduling first; A then changes master_data. A's first poke must be its own.
      await b.device.push(b.device.mutation('appointment', uuidv7(), appointmentFields(fx.b.ids.patient![0]!, { reason: 'Poke probe' })));
      await a.device.push(a.device.mutation('patient', uuidv7(), patientFields({ familyName: 'Pokeprobe' })));
      await poked;
      subscription.unsubscribe();
      run.record('poke-isolation', 1);
      expect(pokes[0]).toBe('master_data');
    });

    it(`ran at least ${MIN_CASES} attack cases`, () => {
      console.info(`isolation attack cases run: ${run.total} (${engine.name})`);
      console.info(`isolation attack cases by kind (${engine.name}): ${JSON.stringify(Object.fromEntries(run.counts))}`);
      if (!audit.available) console.info(`isolation: audit.events not found, the per-call audit check did not run (${engine.name})`);
      expect(run.total, JSON.stringify(Object.fromEntries(run.counts))).toBeGreaterThanOrEqual(MIN_CASES);
    });
  });
}
