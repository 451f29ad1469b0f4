import { AsyncLocalStorage } from 'node:async_hooks';
import type { LogEvent, Logger } from '../log.ts';

/**
 * The request id of the work in progress. Services log through the one Logger they were
 * built with, deep below the handler; rather than thread an id through every signature,
 * the request's async context carries it and the logger adds it (`withRequestIds`).
 * Background work (job runner, outbox relay) runs outside any request and logs without one.
 */
const scope = new AsyncLocalStorage<string>();

export function inRequestScope<T>(requestId: string, fn: () => T): T {
  return scope.run(requestId, fn);
}

export function currentRequestId(): string | undefined {
  return scope.getStore();
}

/** Every event logged inside a request carries its id (an id the event names itself wins). */
export function withRequestIds(log: Logger): Logger {
  return (event: LogEvent) => {
    const requestId = scope.getStore();
    log(requestId === undefined || event.requestId !== undefined ? event : { ...event, requestId });
  };
}
