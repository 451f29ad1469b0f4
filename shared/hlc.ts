import { z } from 'zod';

/**
 * Hybrid logical clock (Kulkarni et al.): wall-clock milliseconds plus a counter plus the
 * node (device) id. The string form sorts lexicographically in causal-then-node order, so
 * field-level last-writer-wins is a plain string comparison on both client and server.
 */
const MS_DIGITS = 15;
const COUNTER_DIGITS = 6;
const MAX_COUNTER = 10 ** COUNTER_DIGITS - 1;
/** A peer clock further ahead than this is refused rather than allowed to drag ours. */
export const MAX_CLOCK_DRIFT_MS = 5 * 60_000;

export const hlcSchema = z.string().regex(/^\d{15}-\d{6}-[0-9a-z-]{1,64}$/, 'must be a hybrid logical clock value');
export type Hlc = z.infer<typeof hlcSchema>;

export interface HlcParts {
  ms: number;
  counter: number;
  node: string;
}

export function formatHlc({ ms, counter, node }: HlcParts): Hlc {
  return `${String(ms).padStart(MS_DIGITS, '0')}-${String(counter).padStart(COUNTER_DIGITS, '0')}-${node}`;
}

export function parseHlc(value: Hlc): HlcParts {
  const ms = Number(value.slice(0, MS_DIGITS));
  const counter = Number(value.slice(MS_DIGITS + 1, MS_DIGITS + 1 + COUNTER_DIGITS));
  const node = value.slice(MS_DIGITS + COUNTER_DIGITS + 2);
  return { ms, counter, node };
}

export function compareHlc(a: Hlc, b: Hlc): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class HybridClock {
  private last: HlcParts;
  private readonly now: () => number;

  constructor(node: string, options: { now?: () => number; last?: Hlc } = {}) {
    if (!/^[0-9a-z-]{1,64}$/.test(node)) throw new Error('HLC node id must be lower-case alphanumeric');
    this.now = options.now ?? Date.now;
    this.last = options.last ? { ...parseHlc(options.last), node } : { ms: 0, counter: 0, node };
  }

  /** A new timestamp for a local event. */
  tick(): Hlc {
    const wall = this.now();
    if (wall > this.last.ms) this.last = { ms: wall, counter: 0, node: this.last.node };
    else this.bumpCounter();
    return formatHlc(this.last);
  }

  /** Merge a timestamp seen from a peer so later local events order after it. */
  receive(remote: Hlc): void {
    const peer = parseHlc(remote);
    const wall = this.now();
    if (peer.ms - wall > MAX_CLOCK_DRIFT_MS) return; // a runaway peer clock must not drag ours
    const ms = Math.max(wall, this.last.ms, peer.ms);
    let counter = 0;
    if (ms === this.last.ms && ms === peer.ms) counter = Math.max(this.last.counter, peer.counter) + 1;
    else if (ms === this.last.ms) counter = this.last.counter + 1;
    else if (ms === peer.ms) counter = peer.counter + 1;
    this.last = { ms, counter: Math.min(counter, MAX_COUNTER), node: this.last.node };
  }

  current(): Hlc {
    return formatHlc(this.last);
  }

  private bumpCounter(): void {
    if (this.last.counter >= MAX_COUNTER) this.last = { ms: this.last.ms + 1, counter: 0, node: this.last.node };
    else this.last = { ...this.last, counter: this.last.counter + 1 };
  }
}
