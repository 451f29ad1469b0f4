import { probePostgres, testPostgresUrl } from '../support/postgres.ts';
import { testEngines, type TestEngine } from '../../sync-server/testing/engines.ts';
import { FAIRNESS_PLAN, measureFairness, percentile } from './fairness-load.ts';
import type { Figure } from './report.ts';

/**
 * Issue 9's fairness as a benchmark: clinic B's p95 under clinic A's burst over B's p95
 * alone, reported as figure fairness_p95_ratio_<engine> (target ≤ 1.5). The same plan is
 * asserted on by test/scale/fairness.alone.test.ts (PostgreSQL); the bench adds PGlite.
 */
async function fairnessOn(engine: TestEngine): Promise<Figure[]> {
  const plan = FAIRNESS_PLAN;
  const run = await measureFairness(engine, plan);
  const p95Alone = percentile(run.alone, 0.95);
  const p95Loaded = percentile(run.loaded, 0.95);
  const { limits } = plan;
  const admitted = run.outcomesA['ok'] ?? 0;
  const refused = run.outcomesA['RATE_LIMITED'] ?? 0;
  const e = engine.name;
  return [
    { name: `fairness_p95_ratio_${e}`, value: p95Loaded / p95Alone, unit: 'ratio', note: `clinic B's p95 while clinic A bursts over B's p95 alone (target <= 1.5); ${plan.windows} alternating windows of ${plan.samplesPerWindow} paced calls` },
    { name: `fairness_b_p95_alone_ms_${e}`, value: p95Alone, unit: 'ms', note: `clinic B (${plan.bDevices} devices, a push or pull every ${plan.gapMs} ms) alone` },
    { name: `fairness_b_p95_burst_ms_${e}`, value: p95Loaded, unit: 'ms', note: `the same while clinic A's ${plan.aDevices} devices × ${plan.aLoopsPerDevice} loops call back to back (limits: device ${limits.device.perSecond}/s, org ${limits.tenant.perSecond}/s, ${limits.concurrency.inFlight} in flight)` },
    { name: `fairness_a_admitted_${e}`, value: admitted, unit: 'calls', note: `clinic A's calls answered during its bursts: ${(admitted / run.burstSeconds).toFixed(1)}/s over ${run.burstSeconds.toFixed(0)} s (its org rate: ${limits.tenant.perSecond}/s)` },
    { name: `fairness_a_refused_per_admitted_${e}`, value: refused / Math.max(1, admitted), unit: 'ratio', note: `clinic A's RATE_LIMITED answers (${refused}) per admitted call: refused callers come back paced, one token apart` },
    { name: `fairness_b_refused_${e}`, value: run.refusedB.length, unit: 'calls', note: 'clinic B refusals (expected 0: B stays inside its own limits)' },
  ];
}

export async function fairnessBench(onlyEngine: string | undefined): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const engine of testEngines((await probePostgres()).available, testPostgresUrl())) {
    if (onlyEngine && engine.name !== onlyEngine) continue;
    if (!engine.available) {
      console.error(`bench fairness: PostgreSQL not reachable at ${testPostgresUrl()}; measured PGlite only`);
      continue;
    }
    figures.push(...(await fairnessOn(engine)));
  }
  return figures;
}
