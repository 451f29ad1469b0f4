import { getUntypedClient, TRPCClientError } from '@trpc/client';
import { SYNC_API_PATH } from '../../shared/sync/procedures.ts';
import { syncClient, type SyncClient } from '../../sync-server/testing/harness.ts';

export type ProcedureType = 'query' | 'mutation' | 'subscription';

/** What one call produced, as the caller saw it. */
export interface CallOutcome {
  ok: boolean;
  /** The shared ErrorCode of a failed call; 'TRANSPORT' if no tRPC answer came back, 'ADMITTED' if a refused subscription stayed open. */
  appCode: string | null;
  message: string | null;
  /** HTTP status of a raw call. */
  status: number | null;
  /** The result of a successful call. */
  data: unknown;
  /** Everything the caller received, for the leak checks. */
  text: string;
}

/** A subscription that neither starts nor fails within this time is reported, not waited on forever. */
const SUBSCRIPTION_GUARD_MS = 10_000;

const ok = (data: unknown, status: number | null = null): CallOutcome => ({ ok: true, appCode: null, message: null, status, data, text: JSON.stringify(data ?? null) });

function failed(appCode: string, message: string, text: string, status: number | null = null): CallOutcome {
  return { ok: false, appCode, message, status, data: undefined, text };
}

function fromClientError(error: unknown): CallOutcome {
  if (!(error instanceof TRPCClientError)) throw error;
  const data = error.data as { appCode?: string } | undefined;
  const text = JSON.stringify({ message: error.message, data: error.data ?? null, shape: error.shape ?? null });
  return failed(data?.appCode ?? 'TRANSPORT', error.message, text);
}

/** Calls a procedure by path through a harness client (HTTP batch, or WebSocket for subscriptions). */
export async function callWithClient(client: SyncClient, type: ProcedureType, path: string, input: unknown): Promise<CallOutcome> {
  const untyped = getUntypedClient(client);
  if (type === 'subscription') return subscribeOnce(client, path, input);
  try {
    return ok(type === 'query' ? await untyped.query(path, input) : await untyped.mutation(path, input));
  } catch (error) {
    return fromClientError(error);
  }
}

/** Starts a subscription and reports whether the server admitted it (then stops it). */
function subscribeOnce(client: SyncClient, path: string, input: unknown): Promise<CallOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: CallOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(guard);
      queueMicrotask(() => subscription.unsubscribe());
      resolve(outcome);
    };
    const guard = setTimeout(() => settle(failed('TRANSPORT', 'subscription neither started nor failed', '')), SUBSCRIPTION_GUARD_MS);
    const subscription = getUntypedClient(client).subscription(path, input, {
      onStarted: () => settle(ok({ started: true })),
      onData: (data) => settle(ok(data)),
      onError: (error) => settle(fromClientError(error)),
    });
  });
}

/**
 * The same call through a client that carries exactly these credentials (WebSocket
 * connectionParams for subscriptions, and for every call `via: 'ws'`).
 */
export function callAs(url: string, auth: { tenantId?: string; token?: string }, type: ProcedureType, path: string, input: unknown, via: 'http' | 'ws' = 'http'): Promise<CallOutcome> {
  return callWithClient(syncClient(url, auth, { via }), type, path, input);
}

/**
 * A raw HTTP call with exactly these headers, so the status and body are what any client
 * gets. Subscriptions are served over HTTP too (server-sent events): the stream is read
 * until the server sends an error; one that stays open past the guard was admitted.
 */
export async function callRaw(url: string, type: ProcedureType, path: string, input: unknown, headers: Record<string, string>): Promise<CallOutcome> {
  const encoded = encodeURIComponent(JSON.stringify(input ?? null));
  const endpoint = `${url}${SYNC_API_PATH}/${path}`;
  if (type === 'subscription') return rawSubscription(`${endpoint}?input=${encoded}`, headers);
  const response =
    type === 'query'
      ? await fetch(`${endpoint}?input=${encoded}`, { headers })
      : await fetch(endpoint, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(input ?? null) });
  const text = await response.text();
  let body: { result?: { data?: unknown }; error?: { message?: string; data?: { appCode?: string } } };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return failed('TRANSPORT', `HTTP ${response.status} without a tRPC body`, text, response.status);
  }
  if (body.error) return failed(body.error.data?.appCode ?? 'TRANSPORT', body.error.message ?? '', text, response.status);
  return { ...ok(body.result?.data, response.status), text };
}

async function rawSubscription(endpoint: string, headers: Record<string, string>): Promise<CallOutcome> {
  const controller = new AbortController();
  const guard = setTimeout(() => controller.abort(), SUBSCRIPTION_GUARD_MS);
  let text = '';
  try {
    const response = await fetch(endpoint, { headers, signal: controller.signal });
    if (!response.body) return failed('TRANSPORT', 'no body', '', response.status);
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      const error = /event: serialized-error\ndata: (.*)\n/.exec(text);
      if (error) {
        const parsed = JSON.parse(error[1]!) as { message?: string; data?: { appCode?: string } };
        return failed(parsed.data?.appCode ?? 'TRANSPORT', parsed.message ?? '', text, response.status);
      }
      // Anything beyond the connection event (data, or "started") means the server admitted it.
      if (/event: /.test(text.replace(/event: connected\n/g, ''))) break;
    }
    return failed('ADMITTED', 'the subscription was served', text, response.status);
  } catch (error) {
    if (controller.signal.aborted) return failed('ADMITTED', 'the subscription stayed open', text);
    throw error;
  } finally {
    clearTimeout(guard);
    controller.abort();
  }
}
