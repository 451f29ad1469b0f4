import type { PokeBus, PokeEvent } from './poke-bus.ts';

/**
 * How often at most one org's desks are poked about one domain, from one process. A poke
 * carries no data and no position ("domain X of your org changed"), so several in a row
 * say no more than the last one; and each poke makes every connected desk of the org pull.
 * A clinic saving ten records in a second would otherwise have each of its ten desks pull
 * ten times; with the window they pull about five times, a quarter of a second apart at
 * most. A person at another desk does not notice 250 ms; the server's fan-out (a publish,
 * one WebSocket frame per desk, and their pulls) then grows with the number of orgs busy
 * at once, not with how busy each is.
 */
export const POKE_WINDOW_MS = 250;

/** The longest window an operator may set (CLINICSYNC_POKE_WINDOW_MS): past it desks would notice. */
export const MAX_POKE_WINDOW_MS = 2_000;

interface Window {
  event: PokeEvent;
  /** The callers merged into the publish at the window's end, sharing its outcome. */
  merged: { promise: Promise<void>; resolve(): void; reject(error: unknown): void } | null;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * The bus with pokes coalesced per (org, domain): the first poke is published at once
 * (a quiet org sees no delay) and opens a window of `windowMs`; pokes during the window
 * are merged into ONE publish at its end, which opens the next window. So the last change
 * is always followed by a poke, at most `windowMs` after it. Subscriptions are untouched.
 *
 * Each publish's promise settles with the publish that carries it (pokeOrgs logs a failed
 * one). Closing publishes what is still waiting first, so a shutdown loses no poke.
 */
export function coalescePokes(bus: PokeBus, windowMs: number = POKE_WINDOW_MS): PokeBus {
  if (!Number.isInteger(windowMs) || windowMs < 0) throw new Error(`coalescePokes: windowMs must be a whole number ≥ 0, got ${windowMs}`);
  const windows = new Map<string, Window>();

  /** Publishes the poke the callers merged into this window, settling them with its outcome. */
  const flush = (window: Window): Promise<void> | undefined => {
    const merged = window.merged;
    return merged ? bus.publish(window.event).then(merged.resolve, merged.reject) : undefined;
  };

  const open = (key: string, event: PokeEvent): void => {
    const window: Window = { event, merged: null, timer: setTimeout(() => endWindow(key, window), windowMs) };
    // A window never keeps the process alive; the bus's close() flushes what is waiting.
    window.timer.unref();
    windows.set(key, window);
  };

  /** A window's end: a merged poke goes out and opens the next window; a quiet window just ends. */
  const endWindow = (key: string, window: Window): void => {
    windows.delete(key);
    if (flush(window)) open(key, window.event);
  };

  return {
    kind: bus.kind,
    publish(event) {
      const key = `${event.tenantId}/${event.domain}`;
      const window = windows.get(key);
      if (!window) {
        const published = bus.publish(event);
        if (windowMs > 0) open(key, { tenantId: event.tenantId, domain: event.domain });
        return published;
      }
      return (window.merged ??= deferred()).promise;
    },
    subscribe: (tenantId, handler) => bus.subscribe(tenantId, handler),
    async close() {
      const waiting = [...windows.values()].map((window) => {
        clearTimeout(window.timer);
        return flush(window);
      });
      windows.clear();
      await Promise.allSettled(waiting);
      await bus.close();
    },
  };
}

function deferred(): NonNullable<Window['merged']> {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
