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
  return `B p50/p95 alone ${ms(run.alone, 0.5)}/${ms(run.alone, 0.95)} ms, during A's burst ${ms(run.loaded, 0.5)}/${ms(run.loaded, 0.95)} ms (ratio ${ratio(run).toFixed(2)}); A ${JSON.stringify(run.outcomesA)}; B refused ${run.refusedB.length}`;
}

describe.skipIf(!postgres)('fairness: one clinic bursting, another working (PostgreSQL)', () => {
  it("keeps the other clinic's p95 within 1.5× while the bursting clinic is held to its limits", { timeout: 300_000 }, async () => {
    // A second measurement only when the first is over: a shared machine's own noise (another
    // VM, a cron job) can only push B's p95 up in whichever window it lands, while a broken
    // limit shows in every run (13× in the control below), so a second chance cannot hide one.
    const runs: FairnessRun[] = [];
    for (let attempt = 0; attempt < 2; attempt++) {
      const run = await measureFairness(engine, FAIRNESS_PLAN);
      console.log(`fairness, run ${attempt + 1}: ${summary(run)}`);
      expect(run.refusedB, 'B stays inside its own limits, so it is never refused').toEqual([]);
      // A really burst and really was held back: refused far more often than admitted.
      expect(run.outcomesA['RATE_LIMITED'] ?? 0).toBeGreaterThan(2 * (run.outcomesA['ok'] ?? 0));
      expect(run.outcomesA['ok'] ?? 0).toBeGreaterThan(0);
      expect(Object.keys(run.outcomesA).sort(), 'A gets answers or RATE_LIMITED, nothing else').toEqual(['RATE_LIMITED', 'ok']);
      runs.push(run);
      if (ratio(run) <= 1.5) break;
    }
    const best = Math.min(...runs.map(ratio));
    expect(best, runs.map(summary).join(' | ')).toBeLessThanOrEqual(1.5);
  });

  it('sees a starved clinic when nothing holds the burst back (the measure is not blind)', { timeout: 120_000 }, async () => {
    const run = await measureFairness(engine, withoutLimits(FAIRNESS_PLAN, 1, 20));
    console.log(`fairness without limits: ${summary(run)}`);
    expect(run.outcomesA['RATE_LIMITED'] ?? 0).toBe(0);
    expect(ratio(run), summary(run)).toBeGreaterThan(2);
  });
});
