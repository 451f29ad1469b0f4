import type { DeviceSession } from './provision.ts';
import type { Tally } from './stats.ts';
import type { PokeReaction } from './workstation.ts';

/** What the bench asks of a load client process (client-process.ts), one request at a time. */
export type ClientRequest =
  | { cmd: 'connect'; url: string; devices: DeviceSession[]; width: number }
  | { cmd: 'run'; pushPerS: number; pullPerS: number; seconds: number; reaction: PokeReaction }
  | { cmd: 'catchUp' }
  | { cmd: 'closedLoop'; url: string; concurrency: number; seconds: number }
  | { cmd: 'close' };

export interface ConnectReport {
  connected: number;
  /** The orgs with at least one connected workstation in this process. */
  tenants: string[];
  failed: number;
  seconds: number;
  connect: Tally;
  cpuSeconds: number;
}

export interface RunReport {
  /** Wall time from the first operation to the last one finishing. */
  seconds: number;
  push: Tally;
  pull: Tally;
  pokePull: Tally;
  shed: { push: number; pull: number };
  pokes: number;
  stillConnected: number;
  /** The orgs with at least one workstation still connected at the end. */
  tenants: string[];
  cpuSeconds: number;
}

export interface ClosedLoopReport {
  seconds: number;
  push: Tally;
  pull: Tally;
  cpuSeconds: number;
}

export type ClientReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
