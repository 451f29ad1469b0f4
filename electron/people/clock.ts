/**
 * Time as the people rules see it (offline window, lockout, idle lock, emergency access).
 * Injected so tests can jump days or minutes without waiting; the sync engine keeps its
 * own real timers.
 */
export interface Clock {
  now(): number;
  /** Runs `run` once after `ms`; returns the cancel. */
  setTimer(run: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(run, ms) {
    const timer = setTimeout(run, ms);
    timer.unref(); // a lock timer must never keep a closing process alive
    return () => clearTimeout(timer);
  },
};
