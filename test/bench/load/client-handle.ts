import { fork, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ClientReply, ClientRequest, ClosedLoopReport, ConnectReport, RunReport } from './client-protocol.ts';

const CLIENT_MAIN = fileURLToPath(new URL('./client-process.ts', import.meta.url));

/**
 * The load clients' CPU priority: the lowest (nice 19). They stand in for workstations on
 * machines of their own, but here they share the two cores with the server and PostgreSQL;
 * at the same priority they took a third of the machine at the push ramp's top steps and
 * the server process, runnable, waited for a core (docs/scale.md, "The load clients'
 * priority"). At the lowest priority they use what the server and PostgreSQL leave. It
 * cannot flatter the figures: latencies are measured by the clients, so a client kept
 * waiting adds to them, and a step counts only if its offered rate was served.
 */
export const LOAD_CLIENT_NICENESS = 19;

/** The bench's side of one load client process. */
export interface LoadClient {
  /** The client process (its CPU priority is LOAD_CLIENT_NICENESS). */
  readonly pid: number | undefined;
  connect(request: Omit<Extract<ClientRequest, { cmd: 'connect' }>, 'cmd'>): Promise<ConnectReport>;
  run(request: Omit<Extract<ClientRequest, { cmd: 'run' }>, 'cmd'>): Promise<RunReport>;
  catchUp(): Promise<RunReport>;
  closedLoop(request: Omit<Extract<ClientRequest, { cmd: 'closedLoop' }>, 'cmd'>): Promise<ClosedLoopReport>;
  /** Closes every workstation's connections and ends the process. */
  stop(): Promise<void>;
}

export function startLoadClient(label: string): LoadClient {
  const child: ChildProcess = fork(CLIENT_MAIN, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  // Lowering one's own child's priority needs no privilege.
  if (child.pid !== undefined) setPriority(child.pid, LOAD_CLIENT_NICENESS);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 0;
  child.on('message', (reply: ClientReply) => {
    const waiter = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (!waiter) return;
    if (reply.ok) waiter.resolve(reply.result);
    else waiter.reject(new Error(`load client ${label}: ${reply.error}`));
  });
  child.once('exit', (code, signal) => {
    for (const waiter of waiting.values()) waiter.reject(new Error(`load client ${label} exited (${String(code ?? signal)})`));
    waiting.clear();
  });
  const ask = <T>(request: ClientRequest): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (!child.connected) return reject(new Error(`load client ${label} is not running`));
      const id = nextId++;
      waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ id, request });
    });
  return {
    pid: child.pid,
    connect: (request) => ask({ cmd: 'connect', ...request }),
    run: (request) => ask({ cmd: 'run', ...request }),
    catchUp: () => ask({ cmd: 'catchUp' }),
    closedLoop: (request) => ask({ cmd: 'closedLoop', ...request }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await ask({ cmd: 'close' }).catch(() => undefined);
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
