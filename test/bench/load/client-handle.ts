import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ClientReply, ClientRequest, ClosedLoopReport, ConnectReport, RunReport } from './client-protocol.ts';

const CLIENT_MAIN = fileURLToPath(new URL('./client-process.ts', import.meta.url));

/** The bench's side of one load client process. */
export interface LoadClient {
  connect(request: Omit<Extract<ClientRequest, { cmd: 'connect' }>, 'cmd'>): Promise<ConnectReport>;
  run(request: Omit<Extract<ClientRequest, { cmd: 'run' }>, 'cmd'>): Promise<RunReport>;
  catchUp(): Promise<RunReport>;
  closedLoop(request: Omit<Extract<ClientRequest, { cmd: 'closedLoop' }>, 'cmd'>): Promise<ClosedLoopReport>;
  /** Closes every workstation's connections and ends the process. */
  stop(): Promise<void>;
}

export function startLoadClient(label: string): LoadClient {
  const child: ChildProcess = fork(CLIENT_MAIN, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
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
