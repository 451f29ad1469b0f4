import { retryAfterDelay } from '../../electron/sync/backoff.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { LimitOptions } from '../../sync-server/limits/limit-options.ts';
import type { TestEngine } from '../../sync-server/testing/engines.ts';
import { createOrg, patientFields, signedIn, startTestServer, type TestDevice } from '../../sync-server/testing/harness.ts';
import { startBurstProcess } from './fairness-burst-handle.ts';
import type { BurstDevice } from './fairness-burst-process.ts';

/** One call of a device as a fairness sample: a small push, then (next time) a pull. */
export type Operation = (device: TestDevice, index: number) => Promise<unknown>;

export const pushOrPull: Operation = (device, index) =>
  index % 2 === 0 ? device.push(device.mutation('patient', uuidv7(), patientFields({ mrn: `F-${index}` }))) : device.pull('master_data', '0', 50);

/** The value below which `share` of the samples fall (nearest rank). */
export function percentile(samples: readonly number[], share: number): number {
  if (samples.length === 0) throw new Error('no samples');
  const sorted = [...samples].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)]!;
}

/** The appCode of a refused call, or 'unexpected' for anything else thrown. */
function codeOf(error: unknown): string {
  const code = (error as { data?: { appCode?: unknown } } | null)?.data?.appCode;
  return typeof code === 'string' ? code : 'unexpected';
}

/**
 * A well-behaved clinic: `count` calls spread round-robin over its devices, one at a time,
 * `gapMs` apart (so it stays inside its own limits). Latency of each call, in ms; any
 * refusal is counted, never silently dropped.
 */
export async function pacedSamples(devices: readonly TestDevice[], count: number, gapMs: number, op: Operation = pushOrPull) {
  const latencies: number[] = [];
  const refusals: string[] = [];
  for (let i = 0; i < count; i++) {
    const device = devices[i % devices.length]!;
    const started = performance.now();
    try {
      await op(device, i);
      latencies.push(performance.now() - started);
    } catch (error) {
      refusals.push(codeOf(error));
    }
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  return { latencies, refusals };
}

/**
 * A misbehaving clinic: every device runs `loopsPerDevice` loops that call back to back,
 * ignoring every refusal, until stopped. Counts answers by outcome.
 */
export function startBurst(devices: readonly TestDevice[], loopsPerDevice: number, { polite = true, op = pushOrPull }: { polite?: boolean; op?: Operation } = {}) {
  let running = true;
  const outcomes = new Map<string, number>();
  const count = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  const loops = devices.flatMap((device) =>
    Array.from({ length: loopsPerDevice }, async (_, loop) => {
      for (let i = loop; running; i += loopsPerDevice) {
        try {
          await op(device, i);
          count('ok');
        } catch (error) {
          const code = codeOf(error);
          count(code);
          // As the workstation's sync engine does: come back when the server said, plus its jitter.
          const wait = (error as { data?: { retryAfterMs?: unknown } }).data?.retryAfterMs;
          if (polite && code === 'RATE_LIMITED' && typeof wait === 'number') await sleepUnless(() => !running, retryAfterDelay(wait));
        }
      }
    }),
  );
  return {
    outcomes,
    async stop() {
      running = false;
      await Promise.all(loops);
      return Object.fromEntries(outcomes);
    },
  };
}

/** Sleeps `ms`, or less once `stopped` says so (checked every 20 ms). */
async function sleepUnless(stopped: () => boolean, ms: number): Promise<void> {
  const until = performance.now() + ms;
  while (!stopped() && performance.now() < until) await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(20, until - performance.now()))));
}

/** How a fairness run is shaped (the benchmark's and the test's). */
export interface FairnessPlan {
  limits: LimitOptions;
  /** Clinic A: devices, and loops per device calling back to back. */
  aDevices: number;
  aLoopsPerDevice: number;
  /** Clinic B: devices, its paced calls per window and the gap between them. */
  bDevices: number;
  windows: number;
  samplesPerWindow: number;
  gapMs: number;
}

/**
 * The plan the benchmark reports and test/scale/fairness.alone.test.ts asserts on. An org's
 * rate is its share of a server process: one process serves about 200–300 small calls a
 * second on two cores shared with PostgreSQL (`npm run bench -- load`), so the org rate
 * here, 4/s, is about 2 % of it, and one call in the database at a time. B (six desks, a push or pull
 * every 250 ms, under 4 calls a second) fits inside those limits; A's thirty loops call back
 * to back and come back when told. A's admitted calls cost B a little (they share the cores);
 * what must not cost B is everything A is refused (refused early: no database work, audited
 * in aggregate). docs/scale.md, "Fairness", says how to set the rates for a deployment.
 */
export const FAIRNESS_PLAN: FairnessPlan = {
  limits: {
    device: { perSecond: 2, burst: 4 },
    tenant: { perSecond: 4, burst: 4 },
    concurrency: { inFlight: 1, queue: 2, waitMs: 500 },
  },
  aDevices: 10,
  aLoopsPerDevice: 3,
  bDevices: 6,
  windows: 4,
  samplesPerWindow: 30,
  gapMs: 250,
};

/**
 * The same run with limits far above anything the run offers: clinic A takes what it can.
 * The fairness test's control, to show its measure sees a starved clinic when there is one.
 */
export function withoutLimits(plan: FairnessPlan, windows: number, samplesPerWindow: number): FairnessPlan {
  const unlimited = { perSecond: 1_000_000, burst: 1_000_000 };
  return { ...plan, windows, samplesPerWindow, limits: { device: unlimited, tenant: unlimited, concurrency: { inFlight: 1_000, queue: 1_000, waitMs: plan.limits.concurrency.waitMs } } };
}

export interface FairnessRun {
  /** Clinic B's latencies (ms) alone, and while clinic A bursts. */
  alone: number[];
  loaded: number[];
  /** Clinic A's answers during its bursts, by outcome ('ok', 'RATE_LIMITED', …). */
  outcomesA: Record<string, number>;
  /** How long clinic A burst, all windows together (s): its admitted calls over this are its rate. */
  burstSeconds: number;
  /** Clinic B's refusals (a fair server refuses none: B stays inside its limits). */
  refusedB: string[];
}

/**
 * Issue 9's fairness, measured: clinic B works at a steady pace inside its limits while
 * clinic A's devices all call back to back, several calls at once each, coming back when
 * told (as the workstation does). Alone and burst windows alternate in one run, so drift in
 * a shared machine's load falls on both sides alike. Clinic A's client work runs in its own
 * process, as a misbehaving clinic's desks are other machines. Used by fairness-bench.ts.
 */
export async function measureFairness(engine: TestEngine, plan: FairnessPlan): Promise<FairnessRun> {
  const server = await startTestServer(engine, { limits: plan.limits });
  try {
    const orgA = { code: 'fair-a', ...(await createOrg(server, 'fair-a')) };
    const orgB = { code: 'fair-b', ...(await createOrg(server, 'fair-b')) };
    const a: BurstDevice[] = [];
    for (let i = 0; i < plan.aDevices; i++) {
      const { session, deviceId } = await signedIn(server, orgA);
      a.push({ tenantId: session.tenantId, token: session.token, deviceId });
    }
    const b: TestDevice[] = [];
    for (let i = 0; i < plan.bDevices; i++) b.push((await signedIn(server, orgB)).device);
    // Clinic A's desks are other machines: their client work runs in a process of its own.
    const clinicA = await startBurstProcess(server.url, a, plan.aLoopsPerDevice);
    try {
      await pacedSamples(b, 20, plan.gapMs); // warm-up: connections, caches, JIT
      const run: FairnessRun = { alone: [], loaded: [], outcomesA: {}, burstSeconds: 0, refusedB: [] };
      for (let window = 0; window < plan.windows; window++) {
        const quiet = await pacedSamples(b, plan.samplesPerWindow, plan.gapMs);
        run.alone.push(...quiet.latencies);
        run.refusedB.push(...quiet.refusals);
        const burstStarted = performance.now();
        await clinicA.burst();
        await new Promise((resolve) => setTimeout(resolve, 300)); // the burst under way
        const busy = await pacedSamples(b, plan.samplesPerWindow, plan.gapMs);
        for (const [outcome, n] of Object.entries(await clinicA.halt())) run.outcomesA[outcome] = (run.outcomesA[outcome] ?? 0) + n;
        run.burstSeconds += (performance.now() - burstStarted) / 1000;
        run.loaded.push(...busy.latencies);
        run.refusedB.push(...busy.refusals);
      }
      return run;
    } finally {
      await clinicA.stop();
    }
  } finally {
    await server.stop();
  }
}
