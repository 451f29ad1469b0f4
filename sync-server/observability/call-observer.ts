import type { TRPCError } from '@trpc/server';
import { SYNCED_DOMAINS, type SyncedDomain } from '../../shared/domains.ts';
import { isId } from '../../shared/ids.ts';
import { describeError } from '../api/error-mapping.ts';
import type { ObservedConnection } from './observability.ts';
import { currentRequestId, inRequestScope } from './request-scope.ts';

type CallResult = { ok: true; data: unknown } | { ok: false; error: TRPCError };

/** The request id of each failed call, for the error formatter (the error outlives the call's async scope). */
const failedCalls = new WeakMap<object, string>();

/**
 * Around every procedure call (the outermost tRPC middleware): gives the call its request id
 * (its HTTP request's, or `<connection>.<n>` on a WebSocket) and runs it in that id's scope,
 * so every line logged below carries it; then counts and times it by procedure and outcome,
 * logs it (refusals at info, successes at debug), and feeds sync lag from pulls and pushes.
 */
export async function observeCall<R extends CallResult>(
  connection: ObservedConnection,
  call: { path: string; type: string; claimedTenantId: string | null },
  next: () => Promise<R>,
): Promise<R> {
  const { metrics, syncLag, log } = connection.observability;
  const requestId = connection.nextCallId();
  const startedAt = Date.now();
  const started = performance.now();
  return inRequestScope(requestId, async () => {
    const result = await next();
    const ms = performance.now() - started;
    const code = result.ok ? 'OK' : describeError(result.error).code;
    metrics.requests.inc({ procedure: call.path, code });
    metrics.requestDuration.observe({ procedure: call.path }, ms / 1000);
    const tenantId = call.claimedTenantId && isId(call.claimedTenantId) ? { tenantId: call.claimedTenantId } : {};
    log({ level: result.ok ? 'debug' : 'info', event: 'call', procedure: call.path, type: call.type, code, ms: Math.round(ms), ...tenantId });
    if (!result.ok) {
      failedCalls.set(result.error, requestId);
      return result;
    }
    noteSync(call.path, result.data);
    if (call.type === 'subscription' && isAsyncIterable(result.data)) {
      return { ...result, data: counted(result.data, () => metrics.pokeSubscriptions.inc(), () => metrics.pokeSubscriptions.dec()) };
    }
    return result;
  });

  function noteSync(path: string, data: unknown): void {
    if (path !== 'sync.pull' && path !== 'sync.push') return;
    const answer = data as { tenantId?: unknown; domain?: unknown; hasMore?: unknown };
    if (typeof answer.tenantId !== 'string') return;
    syncLag.activate(answer.tenantId);
    if (path === 'sync.pull' && answer.hasMore === false && SYNCED_DOMAINS.includes(answer.domain as SyncedDomain)) {
      syncLag.pulledToEnd(answer.tenantId, answer.domain as SyncedDomain, startedAt);
    }
  }
}

/** What a client is told its failed call's request id was: the call's, else its HTTP request's or connection's. */
export function requestIdOfError(error: object, connection: ObservedConnection | undefined): { requestId: string } | Record<string, never> {
  const requestId = failedCalls.get(error) ?? currentRequestId() ?? connection?.requestId;
  return requestId === undefined ? {} : { requestId };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/** The same stream, counted while it is being read (ends, errors and unsubscribes all count down). */
async function* counted<T>(source: AsyncIterable<T>, up: () => void, down: () => void): AsyncGenerator<T> {
  up();
  try {
    yield* source;
  } finally {
    down();
  }
}
