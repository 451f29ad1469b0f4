import { fileURLToPath } from 'node:url';
import type { BurstCommand, BurstDevice, BurstReport } from './fairness-burst-process.ts';
import { forkBenchChild } from './forked-child.ts';

const BURST_MAIN = fileURLToPath(new URL('./fairness-burst-process.ts', import.meta.url));

/** Clinic A's burst, run in its own process (fairness-burst-process.ts). */
export interface BurstProcess {
  /** Starts every device's loops; resolves once they run. */
  burst(): Promise<void>;
  /** Stops the loops; resolves with A's answers by outcome. */
  halt(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

export async function startBurstProcess(url: string, devices: BurstDevice[], loopsPerDevice: number): Promise<BurstProcess> {
  const { child, stop } = forkBenchChild(BURST_MAIN);
  const exited = new Promise<never>((_, reject) => child.once('exit', (code, signal) => reject(new Error(`fairness burst process exited (${String(code ?? signal)})`))));
  exited.catch(() => undefined);
  /** Sends a command and waits for the report it asks for. */
  const ask = <K extends BurstReport['kind']>(command: BurstCommand, answer: K) =>
    Promise.race([
      exited,
      new Promise<Extract<BurstReport, { kind: K }>>((resolve, reject) => {
        child.once('message', (message: BurstReport) =>
          message.kind === answer ? resolve(message as Extract<BurstReport, { kind: K }>) : reject(new Error(`fairness burst process: ${message.kind === 'failed' ? message.error : message.kind}`)),
        );
        child.send(command);
      }),
    ]);
  try {
    await ask({ kind: 'devices', url, devices, loopsPerDevice }, 'ready');
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    burst: async () => void (await ask({ kind: 'burst' }, 'bursting')),
    halt: async () => (await ask({ kind: 'halt' }, 'outcomes')).outcomes,
    stop,
  };
}
