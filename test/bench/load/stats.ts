/**
 * The load harness's accounting, kept free of I/O so it is unit-tested on its own
 * (test/load/load-stats.test.ts): per-operation tallies that travel between processes
 * as plain JSON, percentiles, throughput, and which step of a ramp was the highest one
 * sustained.
 */

/** The outcome of one kind of operation (push, pull, …) over one phase in one process. */
export interface Tally {
  ok: number;
  /** Failures other than deliberate rate limits: connection errors, refusals, rejected mutations. */
  errors: number;
  /** Answers with RATE_LIMITED: the server's deliberate back-pressure, counted apart. */
  rateLimited: number;
  /** Error code -> count (e.g. OFFLINE, UNAUTHENTICATED, rejected:VALIDATION). */
  errorCodes: Record<string, number>;
  /** Latency in ms of every finished operation (ok or not). */
  latencies: number[];
}

export function emptyTally(): Tally {
  return { ok: 0, errors: 0, rateLimited: 0, errorCodes: {}, latencies: [] };
}

export type Outcome = { ok: true } | { ok: false; code: string };

export function record(tally: Tally, latencyMs: number, outcome: Outcome): void {
  tally.latencies.push(latencyMs);
  if (outcome.ok) tally.ok += 1;
  else if (outcome.code === 'RATE_LIMITED') tally.rateLimited += 1;
  else {
    tally.errors += 1;
    tally.errorCodes[outcome.code] = (tally.errorCodes[outcome.code] ?? 0) + 1;
  }
}

export function mergeTallies(tallies: readonly Tally[]): Tally {
  const merged = emptyTally();
  for (const tally of tallies) {
    merged.ok += tally.ok;
    merged.errors += tally.errors;
    merged.rateLimited += tally.rateLimited;
    for (const [code, n] of Object.entries(tally.errorCodes)) merged.errorCodes[code] = (merged.errorCodes[code] ?? 0) + n;
    for (const latency of tally.latencies) merged.latencies.push(latency);
  }
  return merged;
}

/** Nearest-rank percentile of an ascending array (NaN when empty). */
export function percentile(sorted: readonly number[], p: number): number {
  if (!(p > 0 && p <= 1)) throw new Error(`percentile: p must be in (0, 1], got ${p}`);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function summarize(latencies: readonly number[]): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? Number.NaN };
}

/** Successful operations per second over the phase's wall time. */
export function throughput(tally: Tally, seconds: number): number {
  if (!(seconds > 0)) throw new Error(`throughput: the phase must have lasted some time, got ${seconds} s`);
  return tally.ok / seconds;
}

/** One step of a ramp: what was offered, what was served, and how fast. */
export interface StepResult {
  offeredPerS: number;
  achievedPerS: number;
  p99: number;
  errors: number;
  /** Operations the generator could not even start (too many in flight): the server fell behind. */
  shed: number;
}

/**
 * A step counts as sustained when p99 stays under the limit, nothing failed or was shed, and
 * at least 90 % of the offered rate was served (the wall time includes draining the last answers).
 */
export function sustained(step: StepResult, maxP99Ms: number): boolean {
  return step.p99 < maxP99Ms && step.errors === 0 && step.shed === 0 && step.achievedPerS >= 0.9 * step.offeredPerS;
}

/** The highest achieved rate among sustained steps (0 when none was). */
export function bestSustained<S extends StepResult>(steps: readonly S[], maxP99Ms: number): S | null {
  let best: S | null = null;
  for (const step of steps) if (sustained(step, maxP99Ms) && (!best || step.achievedPerS > best.achievedPerS)) best = step;
  return best;
}
