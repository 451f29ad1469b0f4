import { join } from 'node:path';
import { AppError } from '../shared/errors.ts';
import { PROTOCOL_VERSION } from '../shared/sync/version.ts';
import type { SessionInfo } from '../shared/sync/auth.ts';
import { loadOrCreateDeviceId } from './device.ts';
import type { Keystore } from './keystore/keystore.ts';
import type { LocalBackend, LocalContext, SessionStatus } from './local-api/backend.ts';
import { createLocalApiCaller, localApiRouter, type LocalApiCaller, type LocalApiRouter } from './local-api/router.ts';
import { OrgStore } from './store/org-store.ts';
import { SyncEngine } from './sync/engine.ts';
import { SIGNED_OUT_SYNC_STATUS, type SyncStatus } from './sync/sync-status.ts';
import { createSyncTransport, signInToServer, type SyncTransport } from './sync/transport.ts';
import { isId } from '../shared/ids.ts';

export interface WorkstationOptions {
  dataDir: string;
  serverUrl: string;
  keystore: Keystore;
  deviceName?: string;
  /** Fallback poll of the sync loop (pokes normally wake it sooner). */
  pollIntervalMs?: number;
}

export interface Workstation extends LocalBackend {
  readonly router: LocalApiRouter;
  /** A server-side caller of the local API (tests, and the IPC handler's twin). */
  readonly caller: LocalApiCaller;
  readonly deviceId: string;
  createContext(): LocalContext;
  storePath(tenantId: string): string;
  currentTenantId(): string | null;
  /** One full push + pull; rejects with the AppError that stopped it. */
  syncNow(): Promise<void>;
  close(): Promise<void>;
}

interface OpenSession {
  session: SessionInfo;
  orgCode: string;
  store: OrgStore;
  transport: SyncTransport;
  engine: SyncEngine;
}

/** How long sign-out waits for the server to revoke the session before going on offline. */
const SIGN_OUT_GRACE_MS = 3_000;

/**
 * The workstation core: a device id, at most one open org store, and that org's sync
 * engine. Signing in opens the org's store with its key from the keystore; signing out
 * or switching org stops the engine and closes the store before anything else opens.
 */
export function createWorkstation(options: WorkstationOptions): Workstation {
  const { dataDir, serverUrl, keystore } = options;
  new URL(serverUrl); // fail fast on a malformed URL (the message names no secret)
  const deviceId = loadOrCreateDeviceId(dataDir);
  let current: OpenSession | null = null;
  let closed = false;
  // Sign-in, sign-out and close run one at a time so two stores are never open at once.
  let sessionQueue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const next = sessionQueue.then(work, work);
    sessionQueue = next.catch(() => undefined);
    return next;
  };

  const storePath = (tenantId: string) => {
    if (!isId(tenantId)) throw new AppError('TENANT_REQUIRED', 'That is not an organization id.');
    return join(dataDir, 'stores', `${tenantId}.db`);
  };

  const status = (): SessionStatus =>
    current
      ? {
          state: 'signed_in',
          user: { displayName: current.session.displayName, role: current.session.role },
          org: { tenantId: current.session.tenantId, name: current.session.tenantName, code: current.orgCode },
          serverUrl,
        }
      : { state: 'signed_out', user: null, org: null, serverUrl };

  async function closeCurrent(revoke: boolean): Promise<void> {
    const open = current;
    if (!open) return;
    current = null;
    await open.engine.stop();
    if (revoke) await open.transport.signOut(AbortSignal.timeout(SIGN_OUT_GRACE_MS)).catch(() => undefined);
    await open.transport.close();
    open.store.close();
  }

  const requireOpen = (): OpenSession => {
    if (!current) throw new AppError('STORE_LOCKED', 'Sign in to an organization first.');
    return current;
  };

  const core: Omit<Workstation, 'caller'> = {
    router: localApiRouter,
    deviceId,
    createContext: () => ({ backend: core }),
    storePath,
    currentTenantId: () => current?.session.tenantId ?? null,
    sessionStatus: status,

    signIn: (input) =>
      serialized(async () => {
        if (closed) throw new AppError('STORE_LOCKED', 'The workstation is shutting down.');
        const orgCode = input.org.trim().toLowerCase();
        const session = await signInToServer(serverUrl, {
          protocolVersion: PROTOCOL_VERSION,
          org: orgCode,
          username: input.username,
          password: input.password,
          deviceId,
          deviceName: options.deviceName ?? 'workstation',
        });
        await closeCurrent(true);
        const key = await keystore.getOrCreateStoreKey(session.tenantId);
        let store: OrgStore;
        try {
          store = OrgStore.open({ path: storePath(session.tenantId), key, tenantId: session.tenantId, deviceId });
        } finally {
          key.fill(0); // the open connection keeps its own copy; ours need not linger
        }
        const transport = createSyncTransport(serverUrl, { tenantId: session.tenantId, token: session.token });
        const engine = new SyncEngine({ store, transport, deviceId, ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}) });
        current = { session, orgCode, store, transport, engine };
        engine.start();
        return status();
      }),

    signOut: () =>
      serialized(async () => {
        await closeCurrent(true);
        return status();
      }),

    store: () => requireOpen().store,
    afterLocalWrite: () => current?.engine.nudge(),
    syncStatus: () => current?.engine.status() ?? SIGNED_OUT_SYNC_STATUS,

    async runSync(): Promise<SyncStatus> {
      const { engine } = requireOpen();
      await engine.syncNow().catch(() => undefined); // the failure is in the status
      return engine.status();
    },

    syncNow: () => requireOpen().engine.syncNow(),

    close: () =>
      serialized(async () => {
        closed = true;
        await closeCurrent(false);
      }),
  };
  return { ...core, caller: createLocalApiCaller(core.createContext) };
}
