import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { requirePostgres, testPostgresUrl } from '../../test/support/postgres.ts';
import { AppError } from '../../shared/errors.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { UNATTRIBUTED_TENANT_ID } from '../audit/audit-trail.ts';
import type { PokeEvent } from '../bus/poke-bus.ts';
import { POKE_WINDOW_MS } from '../bus/poke-coalescing.ts';
import { openServerCore, type ServerCore } from '../server.ts';
import { pull } from '../sync/pull.ts';
import { testEngines } from '../testing/engines.ts';
import { DEFAULT_JOB_HANDLERS } from './handlers/index.ts';
import { MARK_NO_SHOW } from './handlers/mark-no-show.ts';
import { defineJob } from './job-handler.ts';
import { JobRunner, type JobRunnerOptions } from './job-runner.ts';
import { addAppointments, auditOf, openFixture, seedOrg, snapshotOrg, type AutomationFixture, type SeededOrg } from './test-fixtures.ts';

const engines = testEngines(await requirePostgres('sync-server/jobs/job-runner (PostgreSQL)'), testPostgresUrl());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const FAST: JobRunnerOptions = { backoff: { baseMs: 10, maxMs: 40 } };

for (const engine of engines) {
  describe.skipIf(!engine.available)(`background jobs (${engine.name})`, () => {
    let fx: AutomationFixture;
    let a: SeededOrg;
    let b: SeededOrg;

    beforeAll(async () => {
      fx = await openFixture(engine);
      a = await seedOrg(fx, 'jobs-a');
      b = await seedOrg(fx, 'jobs-b');
    });
    afterAll(() => fx?.dispose());

    const statusOf = async (tenantId: string, id: string) => (await fx.services.scheduling.appointments.get(tenantId, id)).status;

    it("a job for org A naming org B's appointments marks only A's, through the feed and pokes, audited under A", async () => {
      const ofA = await addAppointments(fx, a, { past: 2, future: 1 });
      const ofB = await addAppointments(fx, b, { past: 2 });
      // The set-up's own pokes are out (their coalescing windows closed) before listening, so a poke heard is the job's.
      await sleep(POKE_WINDOW_MS + 100);
      const pokes: PokeEvent[] = [];
      const stops = await Promise.all([a, b].map((org) => fx.services.bus.subscribe(org.tenantId, (poke) => pokes.push(poke))));
      const bBefore = await snapshotOrg(fx.databases, b.tenantId);
      const bAuditBefore = await auditOf(fx, b.tenantId, 'job');

      const { id } = await fx.services.automation.jobs.enqueue(a.tenantId, {
        type: MARK_NO_SHOW,
        payload: { appointmentIds: [...ofA.past, ...ofA.future, ...ofB.past, uuidv7()] },
      });
      await new JobRunner(fx.services, FAST).drain();
      // A poke may wait out its org's coalescing window (bus/poke-coalescing.ts).
      await sleep(POKE_WINDOW_MS + 100);
      for (const stop of stops) stop();

      expect(await fx.services.automation.jobs.get(a.tenantId, id)).toMatchObject({ status: 'done', attempts: 1, lastErrorCode: null });
      for (const appointment of ofA.past) expect(await statusOf(a.tenantId, appointment)).toBe('no_show');
      expect(await statusOf(a.tenantId, ofA.future[0]!)).toBe('booked');
      // Nothing of B changed, in any table of any domain.
      expect(await snapshotOrg(fx.databases, b.tenantId)).toEqual(bBefore);
      for (const appointment of ofB.past) expect(await statusOf(b.tenantId, appointment)).toBe('booked');

      // A's workstations learn of it: the change is in A's scheduling feed, and A (only A) was poked.
      const page = await pull({ services: fx.services.syncDomains, clock: fx.services.clock }, a.tenantId, { domain: 'scheduling', cursor: '0', limit: 1000 });
      for (const appointment of ofA.past) expect(page.changes.find((c) => c.id === appointment)?.fields).toMatchObject({ status: 'no_show' });
      expect(pokes).toContainEqual({ tenantId: a.tenantId, domain: 'scheduling' });
      expect(pokes.filter((p) => p.tenantId === b.tenantId)).toEqual([]);

      // One audit entry under A naming only A's changed ids; none under B.
      const entries = (await auditOf(fx, a.tenantId, 'job')).filter((e) => e.detail.jobId === id);
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ action: `job:${MARK_NO_SHOW}`, kind: 'job', actorUserId: null, outcome: 'ok', entity: 'appointment' });
      // It read A's three appointments and marked two; B's ids and the unknown one are not A's, and stay out.
      expect([...entries[0]!.ids].sort()).toEqual([...ofA.past, ...ofA.future].sort());
      expect(entries[0]!.detail).toMatchObject({ requested: 6, marked: 2 });
      expect(await auditOf(fx, b.tenantId, 'job')).toEqual(bAuditBefore);
      // Each no-show is announced in A's outbox.
      expect(await fx.services.automation.outbox.pendingCount(a.tenantId)).toBe(ofA.past.length);
    });

    it('a job whose org does not exist is marked failed without touching any data, audited unattributed', async () => {
      const ofA = await addAppointments(fx, a, { past: 1 });
      const ofB = await addAppointments(fx, b, { past: 1 });
      const before = [await snapshotOrg(fx.databases, a.tenantId), await snapshotOrg(fx.databases, b.tenantId)];
      const ghost = uuidv7();
      const { id } = await fx.services.automation.jobs.enqueue(ghost, { type: MARK_NO_SHOW, payload: { appointmentIds: [...ofA.past, ...ofB.past] } });

      await new JobRunner(fx.services, FAST).drain();

      expect(await fx.services.automation.jobs.get(ghost, id)).toMatchObject({ status: 'failed', attempts: 1, lastErrorCode: 'TENANT_UNKNOWN' });
      expect([await snapshotOrg(fx.databases, a.tenantId), await snapshotOrg(fx.databases, b.tenantId)]).toEqual(before);
      const entry = (await auditOf(fx, UNATTRIBUTED_TENANT_ID, 'job')).find((e) => e.detail.jobId === id);
      expect(entry).toMatchObject({ outcome: 'refused', errorCode: 'TENANT_UNKNOWN', ids: [], detail: { claimedTenantId: ghost } });
      expect(fx.logs).toContainEqual(expect.objectContaining({ event: 'job_failed', jobId: id, code: 'TENANT_UNKNOWN' }));
    });

    it('fails an unknown job type or an invalid payload at once, with VALIDATION', async () => {
      const jobs = fx.services.automation.jobs;
      const unknownType = await jobs.enqueue(a.tenantId, { type: 'reports.nonexistent', payload: {} });
      const badPayload = await jobs.enqueue(a.tenantId, { type: MARK_NO_SHOW, payload: { appointmentIds: ["1'; DROP TABLE scheduling.appointments; --"] } });
      await new JobRunner(fx.services, FAST).drain();
      for (const { id } of [unknownType, badPayload]) {
        expect(await jobs.get(a.tenantId, id)).toMatchObject({ status: 'failed', attempts: 1, lastErrorCode: 'VALIDATION' });
      }
    });

    it('two runners never run the same job twice', async () => {
      const runs: string[] = [];
      const handlers = {
        ...DEFAULT_JOB_HANDLERS,
        'test.count': defineJob(z.strictObject({}), async (_scope, _payload, job) => {
          runs.push(job.id);
          await sleep(3);
        }),
      };
      const ids = new Set<string>();
      for (let i = 0; i < 40; i++) ids.add((await fx.services.automation.jobs.enqueue(i % 2 ? a.tenantId : b.tenantId, { type: 'test.count', payload: {} })).id);
      // PostgreSQL: a second replica with its own pools. PGlite is one process's database, so the second runner shares it.
      let second: ServerCore | null = engine.name === 'postgres' ? await openServerCore({ database: fx.database.options }) : null;
      try {
        const one = new JobRunner(fx.services, { ...FAST, handlers, batchSize: 3 });
        const two = new JobRunner((second ?? fx).services, { ...FAST, handlers, batchSize: 3 });
        const [byOne, byTwo] = await Promise.all([one.drain(), two.drain()]);
        expect(byOne + byTwo).toBe(40);
        expect(byOne).toBeGreaterThan(0);
        expect(byTwo).toBeGreaterThan(0);
      } finally {
        await second?.close();
        second = null;
      }
      expect(runs).toHaveLength(40);
      expect(new Set(runs)).toEqual(ids);
    });

    it('retries with backoff, dead-letters after max attempts, fails permanent errors at once; codes only, never messages', async () => {
      let flakyFailures = 2;
      let brokenFixed = false;
      const phi = 'Patient Jane Doe, born 1970-01-01, MRN A-1';
      const handlers = {
        'test.flaky': defineJob(z.strictObject({}), async () => {
          if (flakyFailures-- > 0) throw new Error(phi);
        }),
        'test.broken': defineJob(z.strictObject({}), async () => {
          if (!brokenFixed) throw new TypeError(phi);
        }),
        'test.refused': defineJob(z.strictObject({}), async () => {
          throw new AppError('CONFLICT', 'This cannot be done.');
        }),
      };
      const jobs = fx.services.automation.jobs;
      const flaky = await jobs.enqueue(a.tenantId, { type: 'test.flaky', payload: {} });
      const broken = await jobs.enqueue(a.tenantId, { type: 'test.broken', payload: {}, maxAttempts: 3 });
      const refused = await jobs.enqueue(a.tenantId, { type: 'test.refused', payload: {} });
      const runner = new JobRunner(fx.services, { ...FAST, handlers });
      const settled = async () => {
        const states = await Promise.all([flaky, broken, refused].map(({ id }) => jobs.get(a.tenantId, id)));
        return states.every((s) => s && ['done', 'failed', 'dead'].includes(s.status));
      };
      for (let round = 0; !(await settled()); round++) {
        if (round > 200) throw new Error('jobs did not settle');
        await runner.drain();
        await sleep(15);
      }
      expect(await jobs.get(a.tenantId, flaky.id)).toMatchObject({ status: 'done', attempts: 3, lastErrorCode: null });
      expect(await jobs.get(a.tenantId, broken.id)).toMatchObject({ status: 'dead', attempts: 3, lastErrorCode: 'TypeError' });
      expect(await jobs.get(a.tenantId, refused.id)).toMatchObject({ status: 'failed', attempts: 1, lastErrorCode: 'CONFLICT' });
      expect((await jobs.list(a.tenantId, 'dead')).map((j) => j.id)).toContain(broken.id);

      // Every execution is audited, failures with a code and without the message.
      const brokenEntries = (await auditOf(fx, a.tenantId, 'job')).filter((e) => e.detail.jobId === broken.id);
      expect(brokenEntries.map((e) => [e.outcome, e.errorCode, e.detail.attempt])).toEqual([
        ['error', 'INTERNAL', 1],
        ['error', 'INTERNAL', 2],
        ['error', 'INTERNAL', 3],
      ]);
      expect(JSON.stringify(fx.logs)).not.toContain('Jane');
      expect(JSON.stringify(await auditOf(fx, a.tenantId, 'job'))).not.toContain('Jane');

      // The dead-letter queue is worked off by requeueing once the cause is fixed.
      brokenFixed = true;
      expect(await jobs.requeue(a.tenantId, broken.id)).toBe(true);
      await runner.drain();
      expect(await jobs.get(a.tenantId, broken.id)).toMatchObject({ status: 'done', attempts: 1 });
    });

    it("a runner whose lease ran out cannot record over the job's next claim", async () => {
      const runs: number[] = [];
      const handlers = { 'test.count': defineJob(z.strictObject({}), async (_scope, _payload, job) => void runs.push(job.attempt)) };
      const jobs = fx.services.automation.jobs;
      const { id } = await jobs.enqueue(a.tenantId, { type: 'test.count', payload: {} });
      const [stale] = await jobs.claimDue(1, 1); // a runner that then dies
      expect(stale?.id).toBe(id);
      await sleep(20);
      await new JobRunner(fx.services, { ...FAST, handlers }).drain();
      expect(runs).toEqual([2]);
      expect(await jobs.giveUp(stale!, 'failed', 'LATE')).toBe(false);
      expect(await jobs.get(a.tenantId, id)).toMatchObject({ status: 'done', attempts: 2 });
    });

    it('leaves no tenant setting on any connection after a job', async () => {
      const ofA = await addAppointments(fx, a, { past: 1 });
      await fx.services.automation.jobs.enqueue(a.tenantId, { type: MARK_NO_SHOW, payload: { appointmentIds: ofA.past } });
      expect(await new JobRunner(fx.services, FAST).drain()).toBe(1);
      for (const domain of ['scheduling', 'process_automation', 'tenant_info', 'audit'] as const) {
        // Two at once: on PostgreSQL that is every connection of the system pool.
        const seen = await Promise.all(
          [0, 1].map(() =>
            fx.databases.domains[domain].system('test: look for a leftover tenant context', (sql) =>
              sql.query<{ tenant: string | null }>("SELECT current_setting('app.tenant_id', true) AS tenant"),
            ),
          ),
        );
        for (const rows of seen) expect(rows[0]?.tenant ?? '', domain).toBe('');
      }
    });
  });
}
