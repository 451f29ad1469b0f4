import { inParallel } from './provision.ts';
import type { ClientReply, ClientRequest, ClosedLoopReport, ConnectReport, RunReport } from './client-protocol.ts';
import { emptyTally, record, type Tally } from './stats.ts';
import { SimulatedWorkstation, type OpKind } from './workstation.ts';

/**
 * A load client process (forked by client-handle.ts): holds many simulated workstations
 * and drives them on request, so the bench's own process and the server never share an
 * event loop with the client side. Open-loop phases issue operations on a schedule (not
 * when the previous one finished), so a slow server shows as latency and shed work rather
 * than as a politely lower rate.
 */
const TICK_MS = 5;
/** More than a second of offered work in flight means the server has fallen behind: further operations are shed and counted. */
const MAX_IN_FLIGHT_SECONDS = 1;

let tallies: Record<OpKind, Tally> = freshTallies();
const workstations: SimulatedWorkstation[] = [];

function freshTallies(): Record<OpKind, Tally> {
  return { connect: emptyTally(), push: emptyTally(), pull: emptyTally(), pokePull: emptyTally() };
}

const recordOp = (kind: OpKind, latencyMs: number, outcome: Parameters<typeof record>[2]) => record(tallies[kind], latencyMs, outcome);

function cpuSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

async function connect(request: Extract<ClientRequest, { cmd: 'connect' }>): Promise<ConnectReport> {
  tallies = freshTallies();
  const cpu = process.cpuUsage();
  const started = performance.now();
  let failed = 0;
  const fresh = request.devices.map((device) => new SimulatedWorkstation(request.url, device, recordOp));
  await inParallel(fresh.length, request.width, async (index) => {
    const workstation = fresh[index]!;
    try {
      await workstation.connect();
      workstations.push(workstation);
    } catch {
      failed += 1;
      await workstation.close().catch(() => undefined);
    }
  });
  return { connected: workstations.length, tenants: tenantsOf(workstations), failed, seconds: (performance.now() - started) / 1000, connect: tallies.connect, cpuSeconds: cpuSince(cpu) };
}

async function run(request: Extract<ClientRequest, { cmd: 'run' }>): Promise<RunReport> {
  tallies = freshTallies();
  for (const workstation of workstations) workstation.reaction = request.reaction;
  const pokesBefore = workstations.reduce((sum, w) => sum + w.pokes, 0);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const issued = { push: 0, pull: 0 };
  const shed = { push: 0, pull: 0 };
  const rates = { push: request.pushPerS, pull: request.pullPerS };
  const inFlight = new Set<Promise<void>>();
  const maxInFlight = Math.max(50, (rates.push + rates.pull) * MAX_IN_FLIGHT_SECONDS);
  const live = () => workstations.filter((w) => w.connected);
  let pool = live();
  for (let tick = 0; ; tick++) {
    const elapsed = (performance.now() - started) / 1000;
    if (elapsed >= request.seconds) break;
    if (tick % 200 === 0) pool = live();
    for (const kind of ['push', 'pull'] as const) {
      const due = Math.floor(rates[kind] * elapsed) - issued[kind] - shed[kind];
      for (let i = 0; i < due; i++) {
        if (inFlight.size >= maxInFlight || pool.length === 0) {
          shed[kind] += 1;
          continue;
        }
        issued[kind] += 1;
        const workstation = pool[Math.floor(Math.random() * pool.length)]!;
        const op = kind === 'push' ? workstation.push() : workstation.pull();
        inFlight.add(op);
        void op.finally(() => inFlight.delete(op));
      }
    }
    await new Promise((resolve) => setTimeout(resolve, TICK_MS));
  }
  // The last tick's share: exactly rate x seconds operations are offered per phase.
  for (const kind of ['push', 'pull'] as const) {
    for (let i = issued[kind] + shed[kind]; i < Math.round(rates[kind] * request.seconds) && pool.length > 0; i++) {
      issued[kind] += 1;
      const workstation = pool[Math.floor(Math.random() * pool.length)]!;
      inFlight.add(kind === 'push' ? workstation.push() : workstation.pull());
    }
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - started) / 1000;
  return {
    seconds,
    push: tallies.push,
    pull: tallies.pull,
    pokePull: tallies.pokePull,
    shed,
    pokes: workstations.reduce((sum, w) => sum + w.pokes, 0) - pokesBefore,
    stillConnected: live().length,
    tenants: tenantsOf(live()),
    cpuSeconds: cpuSince(cpu),
  };
}

async function catchUp(): Promise<RunReport> {
  tallies = freshTallies();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await inParallel(workstations.length, 16, (index) => workstations[index]!.catchUp());
  return { seconds: (performance.now() - started) / 1000, push: tallies.push, pull: tallies.pull, pokePull: tallies.pokePull, shed: { push: 0, pull: 0 }, pokes: 0, stillConnected: workstations.filter((w) => w.connected).length, tenants: tenantsOf(workstations.filter((w) => w.connected)), cpuSeconds: cpuSince(cpu) };
}

/** Saturation: `concurrency` workers, each pushing then pulling as fast as answers come, over HTTP only, against `url`. */
async function closedLoop(request: Extract<ClientRequest, { cmd: 'closedLoop' }>): Promise<ClosedLoopReport> {
  tallies = freshTallies();
  if (workstations.length === 0) throw new Error('closed loop: no connected workstations to borrow sessions from');
  // The held workstations only note the pokes these pushes cause: the saturation is the workers' alone.
  for (const workstation of workstations) workstation.reaction = 'defer';
  const workers = Array.from({ length: request.concurrency }, (_, i) => new SimulatedWorkstation(request.url, workstations[i % workstations.length]!.device, recordOp, { subscribe: false }));
  const cpu = process.cpuUsage();
  const started = performance.now();
  const deadline = started + request.seconds * 1000;
  await Promise.all(
    workers.map(async (worker) => {
      while (performance.now() < deadline) {
        await worker.push();
        await worker.pull();
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(workers.map((worker) => worker.close()));
  return { seconds, push: tallies.push, pull: tallies.pull, cpuSeconds: cpuSince(cpu) };
}

function tenantsOf(list: readonly SimulatedWorkstation[]): string[] {
  return [...new Set(list.map((w) => w.device.tenantId))];
}

async function handle(request: ClientRequest): Promise<unknown> {
  switch (request.cmd) {
    case 'connect':
      return connect(request);
    case 'run':
      return run(request);
    case 'catchUp':
      return catchUp();
    case 'closedLoop':
      return closedLoop(request);
    case 'close':
      await Promise.all(workstations.map((w) => w.close().catch(() => undefined)));
      workstations.length = 0;
      return null;
  }
}

process.on('message', (message: { id: number; request: ClientRequest }) => {
  handle(message.request).then(
    (result) => process.send!({ id: message.id, ok: true, result } satisfies ClientReply),
    (error: unknown) => process.send!({ id: message.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies ClientReply),
  );
});
process.once('disconnect', () => process.exit(0));
