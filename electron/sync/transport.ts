import { createTRPCUntypedClient, createWSClient, httpLink, wsLink, type TRPCUntypedClient } from '@trpc/client';
import type { AnyRouter } from '@trpc/server';
import { z } from 'zod';
import { AppError } from '../../shared/errors.ts';
import { AUTHORIZATION_HEADER, PROTOCOL_HEADER, TENANT_HEADER } from '../../shared/headers.ts';
import { pushResultSchema, type PushInput, type PushResult } from '../../shared/sync/mutation.ts';
import { pokeSchema, type Poke } from '../../shared/sync/poke.ts';
import { SYNC_API_PATH, SYNC_PROCEDURES } from '../../shared/sync/procedures.ts';
import { pullPageSchema, type PullInput, type PullPage } from '../../shared/sync/pull.ts';
import { checksumResultSchema, type ChecksumInput, type ChecksumResult } from '../../shared/sync/checksum.ts';
import { sessionInfoSchema, type SessionInfo, type SignInInput } from '../../shared/sync/auth.ts';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import { enrollResultSchema, type BreakGlassUpload, type EnrollInput, type EnrollResult, type WipeReport } from '../../shared/sync/devices.ts';
import { isUnanswered, toTransportError } from './transport-errors.ts';
import { reportTlsFailure } from './transport-tls.ts';
import { syncFetch } from './transport-dispatcher.ts';
import { fitsOneMessage, SOCKET_PING_MS, SOCKET_PONG_MS, SyncWebSocket } from './poke-socket.ts';
import type { LinkByCodeInput, LinkExistingInput } from '../../shared/api/patients.ts';
import { idSchema } from '../../shared/ids.ts';

/**
 * The workstation's view of the sync server, bound to one signed-in session. Every
 * answer is validated against the shared protocol schemas before anyone trusts it, and
 * every failure is an AppError (OFFLINE when the server could not be reached).
 */
export interface SyncTransport {
  push(input: PushInput, signal?: AbortSignal): Promise<PushResult>;
  pull(input: PullInput, signal?: AbortSignal): Promise<PullPage>;
  /** The server's canonical digest of one of the org's domains (periodic comparison; absent: no checks). */
  checksum?(input: ChecksumInput, signal?: AbortSignal): Promise<ChecksumResult>;
  signOut(signal?: AbortSignal): Promise<void>;
  /** Emergency unlocks made on this device, for the org's audit trail; idempotent by entry id. */
  uploadBreakGlass(input: BreakGlassUpload, signal?: AbortSignal): Promise<{ stored: number }>;
  /**
   * Links an existing patient identity into the org on strong evidence (server-side match,
   * never retried: a refused attempt counts towards the server's limit). Answers the id only.
   */
  linkPatient?(evidence: PatientLinkEvidence, signal?: AbortSignal): Promise<{ id: string }>;
  /**
   * Live "domain changed" pokes over WebSocket; returns the unsubscribe. `onStarted` fires
   * once the server has the subscription (pokes before that were missed: pull then).
   * Errors and dropped sockets end it quietly through `onEnded`.
   */
  subscribePokes(handlers: PokeHandlers): () => void;
  close(): Promise<void>;
}

export type PatientLinkEvidence = ({ by: 'identifier' } & LinkExistingInput) | ({ by: 'code' } & LinkByCodeInput);

export interface PokeHandlers {
  onPoke(poke: Poke): void;
  onStarted?(): void;
  onEnded?(): void;
}

export interface SessionCredentials {
  tenantId: string;
  token: string;
}

/** A sync call that has not answered in this long is treated as the server being away. */
const REQUEST_TIMEOUT_MS = 20_000;

export function apiUrl(serverUrl: string): string {
  return new URL(SYNC_API_PATH, serverUrl).toString();
}

function httpClient(serverUrl: string, headers: Record<string, string>, protocolVersion: number = PROTOCOL_VERSION): TRPCUntypedClient<AnyRouter> {
  return createTRPCUntypedClient<AnyRouter>({
    // One HTTP request per call, sent at once: a batching link holds every call for a timer
    // tick to gather others, and the sync engine never has two to gather. Over the process's
    // sync connection pool (transport-dispatcher.ts: idle connections kept 50 s, not 4 s).
    links: [httpLink({ url: apiUrl(serverUrl), fetch: syncFetch, headers: () => ({ [PROTOCOL_HEADER]: String(protocolVersion), ...headers }) })],
  });
}

/**
 * One call. A call that got no answer at all (the connection failed) is sent once more at
 * once: after the network comes back, the first request often goes out on a pooled
 * connection the link already lost and fails before reaching the server. Every sync call
 * may be repeated (pushes are idempotent on mutation ids); `once` marks the one that may
 * not (an enrollment token works once).
 */
async function call<S extends z.ZodType>(
  run: (signal: AbortSignal) => Promise<unknown>,
  schema: S,
  signal: AbortSignal | undefined,
  { once = false }: { once?: boolean } = {},
): Promise<z.output<S>> {
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let answer: unknown;
  for (let attempt = 1; ; attempt++) {
    try {
      answer = await run(combined);
      break;
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const failure = toTransportError(error);
      // The desk sees the calm OFFLINE sentence; IT's log gets the TLS reason, if that was it.
      if (failure.code === 'OFFLINE') reportTlsFailure(error);
      if (failure.code === 'OFFLINE' && !once && attempt === 1 && !combined.aborted && isUnanswered(error)) continue;
      throw failure;
    }
  }
  const parsed = schema.safeParse(answer);
  if (!parsed.success) throw new AppError('INTERNAL', 'The sync server sent an answer this workstation does not understand.');
  return parsed.data;
}

export function signInToServer(serverUrl: string, input: SignInInput, signal?: AbortSignal): Promise<SessionInfo> {
  const client = httpClient(serverUrl, {});
  return call((s) => client.mutation(SYNC_PROCEDURES.signIn, input, { signal: s }), sessionInfoSchema, signal);
}

export function enrollWithServer(serverUrl: string, input: EnrollInput, signal?: AbortSignal): Promise<EnrollResult> {
  const client = httpClient(serverUrl, {});
  return call((s) => client.mutation(SYNC_PROCEDURES.enroll, input, { signal: s }), enrollResultSchema, signal, { once: true });
}

/** Public: after a wipe the device has no live session; the proof says which device it was. */
export async function reportWipeToServer(serverUrl: string, report: WipeReport, signal?: AbortSignal): Promise<void> {
  const client = httpClient(serverUrl, { [TENANT_HEADER]: report.tenantId });
  await call((s) => client.mutation(SYNC_PROCEDURES.reportWipe, report, { signal: s }), z.object({ ok: z.literal(true) }), signal);
}

export interface TransportOptions {
  /** The protocol this workstation speaks (default PROTOCOL_VERSION); tests run a neighbour version. */
  protocolVersion?: number;
  /** The poke socket's liveness check (default SOCKET_PING_MS / SOCKET_PONG_MS); tests shorten it. */
  socketKeepAlive?: { pingMs: number; pongMs: number };
}

export function createSyncTransport(serverUrl: string, session: SessionCredentials, options: TransportOptions = {}): SyncTransport {
  const protocolVersion = options.protocolVersion ?? PROTOCOL_VERSION;
  const keepAlive = options.socketKeepAlive ?? { pingMs: SOCKET_PING_MS, pongMs: SOCKET_PONG_MS };
  const client = httpClient(serverUrl, { [TENANT_HEADER]: session.tenantId, [AUTHORIZATION_HEADER]: `Bearer ${session.token}` }, protocolVersion);
  /** The poke socket; `admitted` once the server has started a subscription on it (it accepted the session). */
  let ws: { client: ReturnType<typeof createWSClient>; trpc: TRPCUntypedClient<AnyRouter>; admitted: boolean } | undefined;
  const endings = new Set<() => void>();

  // When the socket drops, every subscription on it is ended and the socket discarded;
  // the engine subscribes afresh after its next good cycle. Relying on the WebSocket
  // client's own resubscription proved unreliable across a server restart.
  const dropSocket = () => {
    const open = ws;
    ws = undefined;
    const ended = [...endings];
    endings.clear();
    for (const end of ended) end();
    void open?.client.close();
  };

  const socket = () => {
    if (ws) return ws;
    const client: ReturnType<typeof createWSClient> = createWSClient({
      url: apiUrl(serverUrl).replace(/^http/, 'ws'),
      WebSocket: SyncWebSocket,
      connectionParams: { tenantId: session.tenantId, token: session.token },
      keepAlive: { enabled: true, intervalMs: keepAlive.pingMs, pongTimeoutMs: keepAlive.pongMs },
      onClose: () => {
        if (ws?.client === client) dropSocket();
      },
    });
    ws = { client, trpc: createTRPCUntypedClient<AnyRouter>({ links: [wsLink({ client })] }), admitted: false };
    return ws;
  };

  /**
   * A sync call (push, pull, checksum) rides the poke socket once the server has admitted a
   * subscription on it: one frame each way instead of an HTTP request, a fraction of the CPU
   * on both sides (docs/scale.md, "Sync calls over the poke socket"). The server runs the same
   * procedure, request entry, limits and audit for it. Otherwise, and for a call too big
   * for one message, HTTP. A call that got no answer on the socket (it closed, or stayed
   * silent until the timeout) drops it: `call`'s one repeat and every later call go over
   * HTTP, and the engine subscribes afresh after its next good cycle.
   */
  const syncCall = (type: 'query' | 'mutation', path: string, input: unknown, signal: AbortSignal | undefined) => async (s: AbortSignal) => {
    const send = (via: TRPCUntypedClient<AnyRouter>) => (type === 'query' ? via.query(path, input, { signal: s }) : via.mutation(path, input, { signal: s }));
    const open = ws?.admitted && fitsOneMessage(input) ? ws : undefined;
    if (!open) return send(client);
    try {
      return await send(open.trpc);
    } catch (error) {
      if (isUnanswered(error) && !signal?.aborted && ws === open) dropSocket();
      throw error;
    }
  };

  return {
    push: (input, signal) => call(syncCall('mutation', SYNC_PROCEDURES.push, input, signal), pushResultSchema, signal),
    pull: (input, signal) => call(syncCall('query', SYNC_PROCEDURES.pull, input, signal), pullPageSchema, signal),
    checksum: (input, signal) => call(syncCall('query', SYNC_PROCEDURES.checksum, input, signal), checksumResultSchema, signal),
    signOut: async (signal) => {
      await call((s) => client.mutation(SYNC_PROCEDURES.signOut, {}, { signal: s }), z.unknown(), signal);
    },
    uploadBreakGlass: (input, signal) =>
      call((s) => client.mutation(SYNC_PROCEDURES.uploadBreakGlass, input, { signal: s }), z.object({ stored: z.number().int() }), signal),
    linkPatient: ({ by, ...input }, signal) =>
      call(
        (s) => client.mutation(by === 'code' ? 'patients.linkByCode' : 'patients.linkExisting', input, { signal: s }),
        z.object({ id: idSchema }),
        signal,
        { once: true },
      ),
    subscribePokes({ onPoke, onStarted, onEnded }) {
      let active = true;
      const end = () => {
        if (!active) return;
        active = false;
        endings.delete(end);
        subscription.unsubscribe();
        onEnded?.();
      };
      endings.add(end);
      const on = socket();
      const subscription = on.trpc.subscription(
        SYNC_PROCEDURES.pokes,
        { protocolVersion },
        {
          onStarted: () => {
            on.admitted = true;
            onStarted?.();
          },
          onData: (value: unknown) => {
            // A tracked() event arrives as { id, data }; a plain one as the poke itself.
            const body = typeof value === 'object' && value !== null && 'data' in value && 'id' in value ? value.data : value;
            const poke = pokeSchema.safeParse(body);
            if (poke.success) onPoke(poke.data);
          },
          onError: () => queueMicrotask(end),
          onComplete: () => queueMicrotask(end),
        },
      );
      return () => {
        active = false;
        endings.delete(end);
        subscription.unsubscribe();
      };
    },
    async close() {
      endings.clear();
      const open = ws;
      ws = undefined;
      await open?.client.close();
    },
  };
}
