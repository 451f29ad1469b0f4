import type { LoadClient } from './client-handle.ts';
import type { RunReport } from './client-protocol.ts';
import type { DeviceSession } from './provision.ts';
import { mergeTallies, summarize, sustained, throughput, type StepResult, type Tally } from './stats.ts';
import type { PokeReaction } from './workstation.ts';

/** The bench's view of the load phases, across its client processes: work split evenly, reports merged. */
export type MergedRun = Omit<RunReport, 'tenants' | 'cpuSeconds'> & {
  /** Orgs with a workstation still connected, across the client processes. */
  tenants: number;
  clientCpuSeconds: number;
};

export interface ConnectOutcome {
  connected: number;
  tenants: number;
  failed: number;
  seconds: number;
  connect: Tally;
  clientCpuSeconds: number;
}

/** Every device connects (subscription live, first full pull done), spread round-robin over the clients. */
export async function connectAll(clients: readonly LoadClient[], url: string, devices: readonly DeviceSession[], width: number): Promise<ConnectOutcome> {
  const shares = clients.map((_, c) => devices.filter((__, d) => d % clients.length === c));
  const reports = await Promise.all(clients.map((client, c) => client.connect({ url, devices: shares[c]!, width })));
  return {
    connected: sum(reports.map((r) => r.connected)),
    tenants: new Set(reports.flatMap((r) => r.tenants)).size,
    failed: sum(reports.map((r) => r.failed)),
    seconds: Math.max(...reports.map((r) => r.seconds)),
    connect: mergeTallies(reports.map((r) => r.connect)),
    clientCpuSeconds: sum(reports.map((r) => r.cpuSeconds)),
  };
}

export async function runAll(clients: readonly LoadClient[], input: { pushPerS: number; pullPerS: number; seconds: number; reaction: PokeReaction }): Promise<MergedRun> {
  const share = (rate: number) => rate / clients.length;
  return merge(await Promise.all(clients.map((client) => client.run({ ...input, pushPerS: share(input.pushPerS), pullPerS: share(input.pullPerS) }))));
}

export async function catchUpAll(clients: readonly LoadClient[]): Promise<MergedRun> {
  return merge(await Promise.all(clients.map((client) => client.catchUp())));
}

function merge(reports: readonly RunReport[]): MergedRun {
  return {
    seconds: Math.max(...reports.map((r) => r.seconds)),
    tenants: new Set(reports.flatMap((r) => r.tenants)).size,
    push: mergeTallies(reports.map((r) => r.push)),
    pull: mergeTallies(reports.map((r) => r.pull)),
    pokePull: mergeTallies(reports.map((r) => r.pokePull)),
    shed: { push: sum(reports.map((r) => r.shed.push)), pull: sum(reports.map((r) => r.shed.pull)) },
    pokes: sum(reports.map((r) => r.pokes)),
    stillConnected: sum(reports.map((r) => r.stillConnected)),
    clientCpuSeconds: sum(reports.map((r) => r.cpuSeconds)),
  };
}

export interface RampStep extends StepResult {
  run: MergedRun;
  /** The server process's CPU over the step, in % of one core. */
  serverCpuPct: number;
}

/**
 * Offers `rates` of one kind of operation in turn, each for `seconds` (pokes deferred, so a
 * push step measures pushes and a pull step pulls), stopping after the first step that is
 * not sustained (sustained(): p99 under the limit, no errors, nothing shed).
 */
export async function ramp(
  clients: readonly LoadClient[],
  kind: 'push' | 'pull',
  rates: readonly number[],
  seconds: number,
  maxP99Ms: number,
  serverCpuSeconds: () => number,
  onStep: (step: RampStep) => void,
): Promise<RampStep[]> {
  const steps: RampStep[] = [];
  for (const rate of rates) {
    const cpuBefore = serverCpuSeconds();
    const run = await runAll(clients, { pushPerS: kind === 'push' ? rate : 0, pullPerS: kind === 'pull' ? rate : 0, seconds, reaction: 'defer' });
    const tally = run[kind];
    const step: RampStep = { offeredPerS: rate, achievedPerS: throughput(tally, run.seconds), p99: summarize(tally.latencies).p99, errors: tally.errors, shed: run.shed[kind], run, serverCpuPct: ((serverCpuSeconds() - cpuBefore) / run.seconds) * 100 };
    steps.push(step);
    onStep(step);
    if (!sustained(step, maxP99Ms)) break;
  }
  return steps;
}

export interface ClosedLoopOutcome {
  opsPerS: number;
  push: Tally;
  pull: Tally;
  clientCpuSeconds: number;
}

/**
 * Saturation throughput (pushes + pulls per second) with `concurrency` workers split over
 * the clients, after a warm-up of a third as long that is not counted (a fresh process's
 * JIT and connection pools would otherwise count against it).
 */
export async function closedLoopAll(clients: readonly LoadClient[], url: string, concurrency: number, seconds: number): Promise<ClosedLoopOutcome> {
  await Promise.all(clients.map((client) => client.closedLoop({ url, concurrency: Math.ceil(concurrency / clients.length), seconds: seconds / 3 })));
  const reports = await Promise.all(clients.map((client) => client.closedLoop({ url, concurrency: Math.ceil(concurrency / clients.length), seconds })));
  const push = mergeTallies(reports.map((r) => r.push));
  const pull = mergeTallies(reports.map((r) => r.pull));
  const wall = Math.max(...reports.map((r) => r.seconds));
  return { opsPerS: (push.ok + pull.ok) / wall, push, pull, clientCpuSeconds: sum(reports.map((r) => r.cpuSeconds)) };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
