import { fileURLToPath } from 'node:url';
import { forkBenchChild } from './forked-child.ts';
import type { DeskHostMessage, DeskHostRequest, DeskHostStart } from './desk-host-process.ts';
import type { Figure } from './report.ts';

const HOST_MAIN = fileURLToPath(new URL('./desk-host-process.ts', import.meta.url));

export interface DeskHostHandle {
  url: string;
  /** One full sync of the signed-in desk; the rows its store then holds. */
  syncNow(): Promise<{ patients: number; appointments: number }>;
  /** Starts recording the host's GC pauses and event-loop delay (desk-host-diagnostics.ts). */
  watch(): Promise<void>;
  /** Stops recording; the figures, named with this prefix. */
  unwatch(prefix: string): Promise<Figure[]>;
  stop(): Promise<void>;
}

type Answer = Extract<DeskHostMessage, { kind: 'answer' }>;

/** Forks desk-host-process.ts (the workstation and its loopback host) and resolves once it serves. */
export async function startDeskHost(start: DeskHostStart): Promise<DeskHostHandle> {
  const { child, stop } = forkBenchChild(HOST_MAIN);
  const pending = new Map<number, (answer: Answer) => void>();
  let nextId = 1;
  child.on('message', (message: DeskHostMessage) => {
    if (message.kind === 'answer') pending.get(message.id)?.(message);
  });
  const ask = async (request: Omit<DeskHostRequest, 'id'>): Promise<Answer> => {
    const id = nextId++;
    const answer = await new Promise<Answer>((resolve, reject) => {
      pending.set(id, resolve);
      child.once('exit', () => reject(new Error('desk bench host exited')));
      child.send({ ...request, id });
    });
    pending.delete(id);
    if (answer.error) throw new Error(`desk bench host: ${answer.error}`);
    return answer;
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code, signal) => reject(new Error(`desk bench host exited (${String(code ?? signal)}) before it was ready`)));
      child.once('message', (message: DeskHostMessage) => (message.kind === 'ready' ? resolve(message.url) : reject(new Error(`desk bench host: ${message.kind === 'failed' ? message.error : message.kind}`))));
      child.send(start);
    });
    return {
      url,
      syncNow: async () => (await ask({ kind: 'syncNow' })).counts!,
      watch: async () => void (await ask({ kind: 'watch' })),
      unwatch: async (prefix) => (await ask({ kind: 'unwatch', prefix } as Omit<DeskHostRequest, 'id'>)).figures ?? [],
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
