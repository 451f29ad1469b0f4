import { probePostgres, testPostgresUrl } from '../support/postgres.ts';
import { testEngines, type TestEngine } from '../../sync-server/testing/engines.ts';
import { createOrg, signedIn, startTestServer, type TestDevice } from '../../sync-server/testing/harness.ts';
import { pacedSamples, percentile, startBurst } from './fairness-load.ts';
import type { Figure } from './report.ts';

/**
 * Issue 9's fairness: a burst from one clinic must not starve another (target: clinic B's
 * p95 under A's burst within 1.5× of B's p95 alone). Clinic B works at a steady pace inside
 * its limits while clinic A's devices all call back to back, several calls at once each,
 * coming back when told (as the workstation does). Alone and burst windows alternate in one
 * run, so drift in a shared machine's load falls on both sides alike. A benchmark, not a
 * test: the ratio is reported (figure fairness_p95_ratio_<engine>), never asserted.
 */
const LIMITS = {
  device: { perSecond: 5, burst: 10 },
  tenant: { perSecond: 12, burst: 12 },
  concurrency: { inFlight: 2, queue: 4, waitMs: 500 },
};
const A_DEVICES = 10;
const A_LOOPS_PER_DEVICE = 3;
const B_DEVICES = 6;
const WINDOWS = 4;
const SAMPLES_PER_WINDOW = 30;
const GAP_MS = 60;

async function fairnessOn(engine: TestEngine): Promise<Figure[]> {
  const server = await startTestServer(engine, { limits: LIMITS });
  try {
    const orgA = { code: 'fair-a', ...(await createOrg(server, 'fair-a')) };
    const orgB = { code: 'fair-b', ...(await createOrg(server, 'fair-b')) };
    const a: TestDevice[] = [];
    for (let i = 0; i < A_DEVICES; i++) a.push((await signedIn(server, orgA)).device);
    const b: TestDevice[] = [];
    for (let i = 0; i < B_DEVICES; i++) b.push((await signedIn(server, orgB)).device);
    await pacedSamples(b, 20, GAP_MS); // warm-up: connections, caches, JIT
    const alone: number[] = [];
    const loaded: number[] = [];
    let refusedB = 0;
    let admittedA = 0;
    let refusedA = 0;
    for (let window = 0; window < WINDOWS; window++) {
      const quiet = await pacedSamples(b, SAMPLES_PER_WINDOW, GAP_MS);
      alone.push(...quiet.latencies);
      refusedB += quiet.refusals.length;
      const burst = startBurst(a, A_LOOPS_PER_DEVICE);
      await new Promise((resolve) => setTimeout(resolve, 300)); // the burst under way
      const busy = await pacedSamples(b, SAMPLES_PER_WINDOW, GAP_MS);
      const outcomes = await burst.stop();
      admittedA += outcomes['ok'] ?? 0;
      refusedA += outcomes['RATE_LIMITED'] ?? 0;
      loaded.push(...busy.latencies);
      refusedB += busy.refusals.length;
    }
    const p95Alone = percentile(alone, 0.95);
    const p95Loaded = percentile(loaded, 0.95);
    const e = engine.name;
    return [
      { name: `fairness_p95_ratio_${e}`, value: p95Loaded / p95Alone, unit: 'ratio', note: `clinic B's p95 while clinic A bursts over B's p95 alone (target <= 1.5); ${WINDOWS} alternating windows of ${SAMPLES_PER_WINDOW} paced calls` },
      { name: `fairness_b_p95_alone_ms_${e}`, value: p95Alone, unit: 'ms', note: `clinic B (${B_DEVICES} devices, a push or pull every ${GAP_MS} ms) alone` },
      { name: `fairness_b_p95_burst_ms_${e}`, value: p95Loaded, unit: 'ms', note: `the same while clinic A's ${A_DEVICES} devices × ${A_LOOPS_PER_DEVICE} loops call back to back (limits: device ${LIMITS.device.perSecond}/s, org ${LIMITS.tenant.perSecond}/s, ${LIMITS.concurrency.inFlight} in flight)` },
      { name: `fairness_a_admitted_${e}`, value: admittedA, unit: 'calls', note: `clinic A's calls answered during the bursts (${refusedA} refused RATE_LIMITED: the limits held A back)` },
      { name: `fairness_b_refused_${e}`, value: refusedB, unit: 'calls', note: 'clinic B refusals (expected 0: B stays inside its own limits)' },
    ];
  } finally {
    await server.stop();
  }
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
