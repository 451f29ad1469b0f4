import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DeskCommand, DeskReply } from './desk-protocol.ts';

const DESK_MAIN = fileURLToPath(new URL('./desk-process.ts', import.meta.url));

/** The bench's side of one desk process: send a command, get its answer; peak RSS from /proc. */
export interface DeskHandle {
  readonly pid: number;
  run<T>(command: DeskCommand): Promise<T>;
  /** The process's peak resident set so far (VmHWM), in MB. */
  peakRssMb(): number;
  /** Closes the workstation (store, sockets) and ends the process. */
  stop(): Promise<void>;
}

export async function startDesk(name: string): Promise<DeskHandle> {
  const child: ChildProcess = fork(DESK_MAIN, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let next = 1;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', (code, signal) => {
    for (const { reject } of waiting.values()) reject(new Error(`desk ${name} exited (${String(code ?? signal)})`));
    waiting.clear();
  });
  child.on('message', (reply: DeskReply) => {
    const entry = waiting.get(reply.id);
    if (!entry) return;
    waiting.delete(reply.id);
    if (reply.ok) entry.resolve(reply.value);
    else entry.reject(new Error(`desk ${name}: ${reply.error}`));
  });
  await new Promise<void>((resolve, reject) => {
    waiting.set(0, { resolve: () => resolve(), reject });
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`desk ${name} did not start`);
  const handle: DeskHandle = {
    pid,
    run<T>(command: DeskCommand): Promise<T> {
      const id = next++;
      return new Promise<T>((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ id, command });
      });
    },
    peakRssMb() {
      const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (kb === undefined) throw new Error('no VmHWM in /proc status');
      return (Number(kb) * 1024) / 1e6;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await handle.run({ cmd: 'close' }).catch(() => undefined);
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  return handle;
}
