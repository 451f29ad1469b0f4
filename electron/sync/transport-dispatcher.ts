import type { httpLink } from '@trpc/client';
import { Agent, EnvHttpProxyAgent, fetch, type Dispatcher } from 'undici';

/**
 * The HTTP connection pool of every sync call this process makes (sign-in, enrollment,
 * push, pull, …; the poke WebSocket keeps using Node's global dispatcher). One per
 * process, like the global one it replaces, so several transports (the load bench's
 * simulated workstations, tests' desks) share connections, and no transport closes it.
 *
 * Why not the global dispatcher: it lets an idle connection go after 4 s, and a desk's sync
 * calls usually come further apart, so nearly every call paid a new TCP (and TLS)
 * handshake to the balancer.
 *
 * How long an idle connection is kept: 50 s. Behind a load balancer (idle timeout usually
 * 60 s; the sync server keeps them 65 s, sync-server/api/http-server.ts) the CLIENT must be
 * the side that lets an idle connection go: one the balancer closed while we still pooled
 * it can take the next call down with it as it closes. 50 s leaves room for timer slack and
 * a balancer set a little under 60 s. The server's own `Keep-Alive: timeout=65` hint is
 * capped to the same 50 s (keepAliveMaxTimeout), since the balancer between us and the
 * server closes sooner than the server does.
 *
 * No cap on connections per origin (as the global dispatcher): a desk makes one sync call
 * at a time, so it never opens many; a process holding many transports (the load bench)
 * would otherwise queue their calls behind one another.
 */
export const SYNC_KEEP_ALIVE_MS = 50_000;

const POOL_OPTIONS = { keepAliveTimeout: SYNC_KEEP_ALIVE_MS, keepAliveMaxTimeout: SYNC_KEEP_ALIVE_MS } satisfies Agent.Options;

let current: Dispatcher = new Agent(POOL_OPTIONS);

/** The fetch tRPC's httpLink takes. */
type LinkFetch = NonNullable<Parameters<typeof httpLink>[0]['fetch']>;

/**
 * The sync calls' fetch: undici's own (the same library version as the pool; Node's global
 * fetch bundles another copy), on the pool above. Failures have the global fetch's shape
 * (TypeError "fetch failed" with the socket's error as its cause), which transport-errors.ts
 * and transport-tls.ts read.
 */
export const syncFetch: LinkFetch = (input, init) => {
  // httpLink passes a URL string, a plain headers object and a string body (JSON); the
  // global fetch's Request, Headers and Blob classes, which undici's fetch does not take
  // (they are another copy's), never come from it.
  const body = init?.body;
  const headers = init?.headers;
  if ((typeof input !== 'string' && !(input instanceof URL)) || headers instanceof Headers || (body !== undefined && body !== null && typeof body !== 'string')) {
    return Promise.reject(new TypeError('syncFetch takes a URL, plain headers and a string body'));
  }
  return fetch(input, { method: init?.method, headers, body, signal: init?.signal, dispatcher: current });
};

/**
 * The machine policy's proxy for sync calls too (electron/policy/apply-network.ts sets it
 * for the global dispatcher, which this pool bypasses): the same undici proxy agent Node's
 * `http.setGlobalProxyFromEnv` builds, `https://` tunnelled with CONNECT, with this pool's
 * keep-alive. Returns the undo (tests; the app never undoes it).
 */
export function routeSyncCallsThroughProxy(proxy: { url: string; noProxy?: string }): () => void {
  const previous = current;
  const proxied = new EnvHttpProxyAgent({ ...POOL_OPTIONS, httpProxy: proxy.url, httpsProxy: proxy.url, ...(proxy.noProxy ? { noProxy: proxy.noProxy } : {}) });
  current = proxied;
  return () => {
    if (current === proxied) current = previous;
    void proxied.close().catch(() => undefined);
  };
}
