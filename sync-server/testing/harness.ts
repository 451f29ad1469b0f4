import { randomBytes } from 'node:crypto';
import { createTRPCClient, createWSClient, httpBatchLink, splitLink, wsLink, TRPCClientError } from '@trpc/client';
import { formatHlc, HybridClock, type Hlc } from '../../shared/hlc.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { Mutation } from '../../shared/sync/mutation.ts';
import { SYNC_API_PATH } from '../../shared/sync/procedures.ts';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import type { SessionInfo } from '../../shared/sync/auth.ts';
import type { SyncedDomain } from '../../shared/domains.ts';
import type { SyncServerRouter } from '../api/router.ts';
import { startSyncServer, type SyncServerHandle, type SyncServerOptions } from '../server.ts';
import { freshDatabase, type TestEngine } from './engines.ts';

export interface TestServer extends SyncServerHandle {
  /** Closes the server and drops its databases. */
  stop(): Promise<void>;
}

/**
 * A sync server on a fresh database of the engine. The vault is on, with a throwaway master
 * key, as the demo has it (so every procedure can be called); pass `vault: undefined` for a
 * server without one. Rate limits and the sign-in throttle are off unless `limits` / `signInThrottle` is given.
 */
export async function startTestServer(engine: TestEngine, options: Omit<SyncServerOptions, 'database'> = {}): Promise<TestServer> {
  const db = await freshDatabase(engine);
  const vault: SyncServerOptions['vault'] = { masterKey: { kind: 'env', variable: 'TEST_VAULT_KEYRING', text: `test=${randomBytes(32).toString('base64')}` } };
  // Back-pressure is off unless the test names limits: suites that fire hundreds of calls
  // from one device (the attack suite) test other things (sync-server/limits/ tests the limits).
  // So is the sign-in throttle: the attack suite signs in wrongly on purpose, dozens of times
  // (sync-server/auth/sign-in-throttle.int.test.ts tests the throttle).
  const server = await startSyncServer({ port: 0, vault, limits: false, signInThrottle: false, ...options, database: db.options });
  return Object.assign(server, {
    stop: async () => {
      await closeClientSockets();
      await server.close();
      await db.drop();
    },
  });
}

/** A tenant with one user, made through the admin API. */
export async function createOrg(server: SyncServerHandle, code: string): Promise<{ tenantId: string; username: string; password: string }> {
  const { tenantId } = await server.admin.createTenant({ code, name: `Test org ${code}` });
  const password = `pw-${code}-${uuidv7().slice(-6)}`;
  await server.admin.createUser({ tenantId, username: 'frontdesk', password, displayName: 'Front Desk', role: 'front_desk' });
  return { tenantId, username: 'frontdesk', password };
}

export type SyncClient = ReturnType<typeof syncClient>;

/**
 * A real tRPC client over HTTP batch (and WebSocket for subscriptions); `via: 'ws'` sends
 * every call over the WebSocket, as a workstation does once its poke subscription is up.
 */
export function syncClient(url: string, auth: { tenantId?: string; token?: string } = {}, { via = 'http' }: { via?: 'http' | 'ws' } = {}) {
  const wsClient = createWSClient({
    url: `${url.replace(/^http/, 'ws')}${SYNC_API_PATH}`,
    connectionParams: () => ({ tenantId: auth.tenantId ?? '', token: auth.token ?? '' }),
    lazy: { enabled: true, closeMs: 0 },
  });
  const client = createTRPCClient<SyncServerRouter>({
    links: [
      splitLink({
        condition: (op) => via === 'ws' || op.type === 'subscription',
        true: wsLink({ client: wsClient }),
        false: httpBatchLink({
          url: `${url}${SYNC_API_PATH}`,
          headers: () => ({
            ...(auth.tenantId !== undefined ? { 'x-tenant-id': auth.tenantId } : {}),
            ...(auth.token !== undefined ? { authorization: `Bearer ${auth.token}` } : {}),
          }),
        }),
      }),
    ],
  });
  openSockets.add(wsClient);
  return client;
}

const openSockets = new Set<{ close(): unknown }>();

/** Closes every WebSocket the test's clients opened (call in afterAll). */
export async function closeClientSockets(): Promise<void> {
  for (const socket of openSockets) await socket.close();
  openSockets.clear();
}

/** Signs in and returns the session plus a client that carries it, for one device. */
export async function signedIn(
  server: SyncServerHandle,
  org: { code: string; username: string; password: string },
  deviceId: string = uuidv7(),
): Promise<{ session: SessionInfo; client: SyncClient; deviceId: string; device: TestDevice }> {
  const session = await syncClient(server.url).auth.signIn.mutate({
    protocolVersion: PROTOCOL_VERSION,
    org: org.code,
    username: org.username,
    password: org.password,
    deviceId,
  });
  const client = syncClient(server.url, { tenantId: session.tenantId, token: session.token });
  return { session, client, deviceId, device: new TestDevice(client, deviceId) };
}

/** Builds and pushes mutations the way a workstation would (its own HLC, fresh mutation ids). */
export class TestDevice {
  readonly client: SyncClient;
  readonly deviceId: string;
  readonly clock: HybridClock;

  constructor(client: SyncClient, deviceId: string) {
    this.client = client;
    this.deviceId = deviceId;
    this.clock = new HybridClock(`dev-${deviceId.slice(-8)}`);
  }

  mutation(entity: Mutation['entity'], id: string, fields: Record<string, unknown>, op: Mutation['op'] = 'upsert', hlc?: Hlc): Mutation {
    return { mutationId: uuidv7(), entity, id, op, fields, hlc: hlc ?? this.clock.tick(), baseVersion: null };
  }

  push(...mutations: Mutation[]) {
    return this.client.sync.push.mutate({ protocolVersion: PROTOCOL_VERSION, deviceId: this.deviceId, mutations });
  }

  pull(domain: SyncedDomain, cursor = '0', limit = 1000) {
    return this.client.sync.pull.query({ protocolVersion: PROTOCOL_VERSION, domain, cursor, limit });
  }

  /** Every change of the domain from the start, following pages. */
  async pullAll(domain: SyncedDomain, limit = 1000) {
    const changes = [];
    let cursor = '0';
    for (;;) {
      const page = await this.pull(domain, cursor, limit);
      changes.push(...page.changes);
      cursor = page.cursor;
      if (!page.hasMore) return { changes, cursor };
    }
  }
}

/** A push of one whole new patient, as a device would make it, for tests below the sync API (no TestDevice). */
export function newPatientMutation(mrn: string, node = 'dev-t'): Mutation {
  return { mutationId: uuidv7(), entity: 'patient', id: uuidv7(), op: 'upsert', fields: patientFields({ mrn }), hlc: formatHlc({ ms: Date.now(), counter: 0, node }), baseVersion: null };
}

export function patientFields(overrides: Record<string, unknown> = {}) {
  return { givenName: 'Testina', familyName: 'Sampleton', birthDate: '1980-02-03', sex: 'female', phone: '555-0101', mrn: 'T-1', ...overrides };
}

export function appointmentFields(patientId: string, overrides: Record<string, unknown> = {}) {
  return {
    patientId,
    startsAt: '2030-01-07T09:00:00.000Z',
    endsAt: '2030-01-07T09:30:00.000Z',
    status: 'booked',
    reason: 'Check-up',
    practitionerName: 'Dr. Demo',
    location: 'Room 1',
    ...overrides,
  };
}

/** The appCode a failed tRPC call carried (undefined if it did not fail). */
/** The whole refusal a client sees: code, HTTP status and sentence (to check that two refusals are the same answer). */
export async function refusalOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'succeeded';
  } catch (error) {
    const e = error as { message: string; data?: { appCode?: string; httpStatus?: number } };
    return JSON.stringify({ code: e.data?.appCode, status: e.data?.httpStatus, message: e.message });
  }
}

export async function appCodeOf(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call;
    return undefined;
  } catch (error) {
    if (error instanceof TRPCClientError) return (error.data as { appCode?: string } | undefined)?.appCode;
    throw error;
  }
}
