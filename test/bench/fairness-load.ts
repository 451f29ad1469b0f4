import { uuidv7 } from '../../shared/ids.ts';
import { patientFields, type TestDevice } from '../../sync-server/testing/harness.ts';

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
          // As the workstation's sync engine does: come back when the server said.
          const wait = (error as { data?: { retryAfterMs?: unknown } }).data?.retryAfterMs;
          if (polite && code === 'RATE_LIMITED' && typeof wait === 'number') await sleepUnless(() => !running, wait);
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
  while (!stopped() && performance.now() < until) await new Promise((resolve) => setTimeout(resolve, Math.min(20, until - performance.now())));
}
