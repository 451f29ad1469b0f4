import { describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../support/postgres.ts';
import { FAIRNESS_PLAN, measureFairness, percentile, withoutLimits, type FairnessRun } from '../bench/fairness-load.ts';
import type { TestEngine } from '../../sync-server/testing/engines.ts';

/**
 * Issue 9: "a burst from one clinic does not starve others — another clinic's p95 stays
 * within 1.5×". Clinic B works at a steady pace inside its limits while clinic A's ten desks
 * (a process of their own) call back to back; alone and burst windows alternate in one run
 * (test/bench/fairness-load.ts, the same code as `npm run bench -- fairness`).
 *
 * A timing test: it runs in the `alone` phase of `npm test` (vitest.config.ts), after every
 * other file and with none beside it, since a second test file on the two cores would be
 * measured with it. PostgreSQL only: on PGlite every query of every org runs on the server's
 * own thread one at a time, so one org's admitted calls always delay the others' (docs/scale.md).
 */
const postgres = await requirePostgres('test/scale/fairness (PostgreSQL)');
const engine: TestEngine = { name: 'postgres', available: postgres, adminUrl: testPostgresUrl() };

function ratio(run: FairnessRun): number {
  return percentile(run.loaded, 0.95) / percentile(run.alone, 0.95);
}

/** The figures a failure needs, in one line. */
function summary(run: FairnessRun): string {
  const ms = (samples: number[], share: number) => percentile(samples, share).toFixed(1);
  return `B p50/p95 alone ${ms(run.alone, 0.5)}/${ms(run.alone, 0.95)} ms, during A's burst ${ms(run.loaded, 0.5)}/${ms(run.loaded, 0.95)} ms (ratio ${ratio(run).toFixed(2)}); A ${JSON.stringify(run.outcomesA)} in ${run.burstSeconds.toFixed(0)} s; B refused ${run.refusedB.length}`;
}

describe.skipIf(!postgres)('fairness: one clinic bursting, another working (PostgreSQL)', () => {
  // Issue 9's target, and the gate: 1.5×. With refusals paced (token-buckets.ts) B's ratio
  // measured 0.90–1.43 per run on this 2-core machine, quiet or beside other engineers'
  // tests (unpaced it was 1.07–2.72, so the gate was 2.5 until then; docs/scale.md,
  // "Fairness"). With nothing holding A back the control below measures 5–13×.
  const TARGET = 1.5;
  const PACED_REFUSALS_PER_ADMITTED = 4;
  /** Runs at most: the verdict is on the samples of every run made. */
  const MAX_RUNS = 3;

  it(`holds the other clinic's p95 within ${TARGET}× while the bursting clinic is held to its limits`, { timeout: 420_000 }, async () => {
    // A p95 of 120 calls per side is itself noisy on a shared machine (a few milliseconds
    // move it by a tenth), so a run over the target is followed by another and the verdict
    // is on ALL samples so far: more evidence, not a second chance at a lucky draw.
    const runs: FairnessRun[] = [];
    let pooled = Number.POSITIVE_INFINITY;
    for (let attempt = 0; attempt < MAX_RUNS && pooled > TARGET; attempt++) {
      const run = await measureFairness(engine, FAIRNESS_PLAN);
      console.log(`fairness, run ${attempt + 1}: ${summary(run)}`);
      expect(run.refusedB, 'B stays inside its own limits, so it is never refused').toEqual([]);
      expect(Object.keys(run.outcomesA).sort(), 'A gets answers or RATE_LIMITED, nothing else').toEqual(['RATE_LIMITED', 'ok']);
      const admitted = run.outcomesA['ok'] ?? 0;
      const refused = run.outcomesA['RATE_LIMITED'] ?? 0;
      const { tenant } = FAIRNESS_PLAN.limits;
      // A was held to its org's rate (plus the burst it saves up in each quiet window)…
      expect(admitted, 'A held to its rate').toBeLessThanOrEqual(tenant.perSecond * run.burstSeconds + tenant.burst * FAIRNESS_PLAN.windows);
      // …and used all of it (its share of the process was busy throughout: A really burst)…
      expect(admitted, 'A used its rate').toBeGreaterThanOrEqual(0.5 * tenant.perSecond * run.burstSeconds);
      // …and its refused desks came back paced, one token apart (token-buckets.ts), not all
      // together to be refused again: about 2 refusals per admitted call; 6–7 unpaced.
      expect(refused).toBeGreaterThan(0);
      expect(refused / admitted, 'refusals per admitted call of A (paced retries)').toBeLessThan(PACED_REFUSALS_PER_ADMITTED);
      runs.push(run);
      pooled = ratio({ ...run, alone: runs.flatMap((r) => r.alone), loaded: runs.flatMap((r) => r.loaded) });
    }
    console.log(`fairness: ratio ${pooled.toFixed(2)} over ${runs.length} run(s) (target ${TARGET}: ${pooled <= TARGET ? 'met' : 'NOT met'})`);
    expect(pooled, runs.map(summary).join(' | ')).toBeLessThanOrEqual(TARGET);
  });

  it('sees a starved clinic when nothing holds the burst back (the measure is not blind)', { timeout: 120_000 }, async () => {
    const run = await measureFairness(engine, withoutLimits(FAIRNESS_PLAN, 1, 20));
    console.log(`fairness without limits: ${summary(run)}`);
    expect(run.outcomesA['RATE_LIMITED'] ?? 0).toBe(0);
    expect(ratio(run), summary(run)).toBeGreaterThan(3.5);
  });
});
