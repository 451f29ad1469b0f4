import { fileURLToPath } from 'node:url';
import { forkBenchChild } from './forked-child.ts';
import type { LoadedDeskClinic, SamplePatient } from './desk-speed-clinic.ts';
import type { DeskServerMessage, DeskServerStart } from './desk-speed-server.ts';

const SERVER_MAIN = fileURLToPath(new URL('./desk-speed-server.ts', import.meta.url));

export interface DeskServerHandle {
  url: string;
  password: string;
  loaded: LoadedDeskClinic;
  samples: SamplePatient[];
  loadSeconds: number;
  stop(): Promise<void>;
}

/** Forks desk-speed-server.ts, has it load the clinic, and resolves once it serves. */
export async function startDeskServer(start: DeskServerStart): Promise<DeskServerHandle> {
  const { child, stop } = forkBenchChild(SERVER_MAIN);
  try {
    const ready = await new Promise<Extract<DeskServerMessage, { kind: 'ready' }>>((resolve, reject) => {
      child.once('exit', (code, signal) => reject(new Error(`desk bench server exited (${String(code ?? signal)}) before it was ready`)));
      child.once('message', (message: DeskServerMessage) => (message.kind === 'ready' ? resolve(message) : reject(new Error(`desk bench server: ${message.error}`))));
      child.send(start);
    });
    return { url: ready.url, password: ready.password, loaded: ready.loaded, samples: ready.samples, loadSeconds: ready.loadSeconds, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
