import type { Clock } from '../clock.ts';

export interface TestClock extends Clock {
  /** Jumps time forward: every timer that falls due runs now, in due order. */
  advance(ms: number): void;
}

/**
 * A clock tests can jump. By default it is real time plus a jump offset: timers still
 * fire on their own in real time (so a reconnect loop keeps working in an integration
 * test), and `advance` moves "now" minutes or days ahead at once, firing whatever fell
 * due. With `frozen`, time moves only by `advance` (exact boundaries in unit tests).
 */
export function createTestClock(options: { frozen?: boolean } = {}): TestClock {
  const start = Date.now();
  let offset = 0;
  const timers = new Set<{ due: number; run: () => void; real?: ReturnType<typeof setTimeout> }>();
  const now = () => (options.frozen ? start : Date.now()) + offset;
  const fire = (timer: { due: number; run: () => void; real?: ReturnType<typeof setTimeout> }) => {
    if (!timers.delete(timer)) return;
    clearTimeout(timer.real);
    timer.run();
  };
  return {
    now,
    setTimer(run, ms) {
      const timer: { due: number; run: () => void; real?: ReturnType<typeof setTimeout> } = { due: now() + ms, run };
      if (!options.frozen) {
        timer.real = setTimeout(() => fire(timer), ms);
        timer.real.unref();
      }
      timers.add(timer);
      return () => {
        timers.delete(timer);
        clearTimeout(timer.real);
      };
    },
    advance(ms) {
      offset += ms;
      // A timer set by a firing timer that is already due runs in this same advance.
      for (;;) {
        const next = [...timers].filter((timer) => timer.due <= now()).sort((a, b) => a.due - b.due)[0];
        if (!next) return;
        fire(next);
      }
    },
  };
}
