import { fork, type ChildProcess } from 'node:child_process';

/**
 * A bench helper process forked with an IPC channel (the desk bench's server and host):
 * the child, and a stop that asks it to stop ('stop' over IPC) and kills it after 15 s.
 */
export function forkBenchChild(main: string): { child: ChildProcess; stop(): Promise<void> } {
  const child = fork(main, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (child.connected) child.send('stop');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  return { child, stop };
}
