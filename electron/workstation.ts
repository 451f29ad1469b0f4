import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../shared/errors.ts';
import { isId } from '../shared/ids.ts';
import type { SessionInfo } from '../shared/sync/auth.ts';
import { PROTOCOL_VERSION } from '../shared/sync/version.ts';
import { loadOrCreateDeviceId } from './device.ts';
import type { Keystore } from './keystore/keystore.ts';
import type { LocalBackend, LocalContext } from './local-api/backend.ts';
import { createLocalApiCaller, localApiRouter, type LocalApiCaller, type LocalApiRouter } from './local-api/router.ts';
import type { SyncLink } from './people/active-session.ts';
import { systemClock, type Clock } from './people/clock.ts';
import { createOrgDirectory } from './people/org-directory.ts';
import { createOrgPeople } from './people/org-people.ts';
import { SessionController, type Credentials } from './people/session-controller.ts';
import { OrgStore } from './store/org-store.ts';
import { StoreOpenError } from './store/store-errors.ts';
import { requireOnlineSignIn } from './people/online-required.ts';
import type { BackoffOptions } from './sync/backoff.ts';
import { SyncEngine, type RemovalCode } from './sync/engine.ts';
import { createDeviceLifecycle } from './devices/device-lifecycle.ts';
import type { WipeReportOutcome } from './devices/report-wipes.ts';
import { saveSessionProof } from './devices/session-proof.ts';
import { createSyncTransport, signInToServer } from './sync/transport.ts';
import { linkExistingPatient } from './local-api/patient-linking.ts';
import { sessionWithMachineIdleLock, storeWithMachineIdleLock } from './policy/idle-lock.ts';
import { hasEnrollmentCredential } from './policy/enrollment-state.ts';
import { withManagedOrg } from './policy/managed-org.ts';

export interface WorkstationOptions {
  dataDir: string;
  serverUrl: string;
  keystore: Keystore;
  deviceName?: string;
  /** Fallback poll of the sync loop (pokes normally wake it sooner). */
  pollIntervalMs?: number;
  /** How often each synced domain is compared with the server by checksum (0: never; default 15 minutes). */
  checksumIntervalMs?: number;
  /** Time for the people rules (offline window, lockout, idle lock, emergency access); tests jump it. */
  clock?: Clock;
  /** How an offline session retries its background online sign-in. */
  reconnectBackoff?: BackoffOptions;
  /** How often an online session looks for a new good sync to upload emergency-access entries after. */
  breakGlassUploadCheckMs?: number;
  /** Where device-lifecycle events go (org ids and reasons only, never data or secrets). */
  log?: (event: string, fields: Record<string, string>) => void;
  /** The machine policy's idle lock (electron/policy/): the stricter of it and the org's own applies. */
  idleLockMinutes?: number;
  /** The machine policy's org code: offered on the signed-out status to pre-fill the sign-in form. */
  managedOrg?: string | undefined;
}

export interface Workstation extends LocalBackend {
  readonly router: LocalApiRouter;
  /** A server-side caller of the local API (tests, and the IPC handler's twin). */
  readonly caller: LocalApiCaller;
  readonly deviceId: string;
  createContext(): LocalContext;
  storePath(tenantId: string): string;
  currentTenantId(): string | null;
  /** One full push + pull; rejects with the AppError that stopped it (OFFLINE when signed in offline). */
  syncNow(): Promise<void>;
  /** Whether this device holds an enrollment credential for the org (the machine policy's enrollment then skips). */
  isEnrolledIn(tenantId: string): Promise<boolean>;
  /** Sends the reports of org wipes the server has not acknowledged yet (also done by itself after each wipe and at start). */
  reportWipes(): Promise<Map<string, WipeReportOutcome>>;
  close(): Promise<void>;
}

const RECONNECT_BACKOFF: BackoffOptions = { baseMs: 5_000, maxMs: 60_000 };
const SIGN_OUT_GRACE_MS = 3_000;

/**
 * The workstation core: a device id, at most one open org store, and that org's sync
 * engine. Who is signed in, and how (online, offline, emergency access, locked), is the
 * session controller's job (electron/people/); this file supplies what it needs: the
 * server sign-in, the org stores with their keys, and the sync engine.
 */
export function createWorkstation(options: WorkstationOptions): Workstation {
  const { dataDir, serverUrl, keystore } = options;
  new URL(serverUrl); // fail fast on a malformed URL (the message names no secret)
  const deviceId = loadOrCreateDeviceId(dataDir);
  const machineIdleLock = options.idleLockMinutes;

  const storesDir = join(dataDir, 'stores');
  const storePath = (tenantId: string) => {
    if (!isId(tenantId)) throw new AppError('TENANT_REQUIRED', 'That is not an organization id.');
    return join(storesDir, `${tenantId}.db`);
  };
  const orgs = createOrgDirectory(dataDir);
  // The keystore's key slot under this device's own id (never an org's id) holds the
  // workstation secret that keys the tags of who used which org here (org-people.ts).
  const people = createOrgPeople(dataDir, () => keystore.getOrCreateStoreKey(deviceId));
  const deviceName = options.deviceName ?? 'workstation';
  const log = options.log ?? ((event, fields) => console.warn(JSON.stringify({ event, ...fields })));
  const devices = createDeviceLifecycle({ dataDir, storesDir, storePath, serverUrl, keystore, deviceId, deviceName, orgs, log });
  // A wipe a crash interrupted is finished before any sign-in could reopen that org.
  const resumed = devices.resume().catch((error: unknown) => log('wipe_resume_failed', { error: error instanceof AppError ? error.code : 'INTERNAL' }));

  async function openStore(tenantId: string): Promise<OrgStore> {
    const key = await keystore.getOrCreateStoreKey(tenantId);
    const options = { path: storePath(tenantId), key, tenantId, deviceId };
    try {
      return storeWithMachineIdleLock(OrgStore.open(options), machineIdleLock);
    } catch (error) {
      if (!(error instanceof StoreOpenError) || error.reason !== 'restored') throw error;
      // An older copy was put back: resync it safely (every unsent change kept) and trust
      // its offline-unlock data only after the server has vouched for someone again.
      const { store, recovery } = OrgStore.openRestoredCopy(options);
      requireOnlineSignIn(store);
      log('store_restored_copy_recovered', { tenantId, outboxKept: String(recovery.outboxKept), generationsBehind: String(recovery.generationsBehind) });
      return storeWithMachineIdleLock(store, machineIdleLock);
    } finally {
      key.fill(0); // the open connection keeps its own copy; ours need not linger
    }
  }

  const signInOnline = async (credentials: Credentials): Promise<SessionInfo> => {
    await resumed;
    const org = credentials.org.trim().toLowerCase();
    const deviceCredential = await devices.credentialFor(org);
    const session = await signInToServer(serverUrl, {
      protocolVersion: PROTOCOL_VERSION,
      org,
      username: credentials.username,
      password: credentials.password,
      deviceId,
      deviceName,
      ...(deviceCredential ? { deviceCredential } : {}),
    });
    return sessionWithMachineIdleLock(session, machineIdleLock);
  };

  function startSync(store: OrgStore, session: SessionInfo, onRemoved: (code: RemovalCode) => void): SyncLink {
    store.db.transaction(() => saveSessionProof(store.db, session.token))();
    const transport = createSyncTransport(serverUrl, { tenantId: session.tenantId, token: session.token });
    const onForeignOrg = (what: string) => log('foreign_org_refused', { tenantId: session.tenantId, what });
    const engine = new SyncEngine({
      store,
      transport,
      deviceId,
      onRemoved,
      onForeignOrg,
      log,
      ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
      ...(options.checksumIntervalMs !== undefined ? { checksumIntervalMs: options.checksumIntervalMs } : {}),
    });
    engine.start();
    return { engine, transport };
  }

  async function revoke(session: SessionInfo): Promise<void> {
    const transport = createSyncTransport(serverUrl, { tenantId: session.tenantId, token: session.token });
    await transport.signOut(AbortSignal.timeout(SIGN_OUT_GRACE_MS)).catch(() => undefined);
    await transport.close();
  }

  const sessions = new SessionController({
    deviceId,
    serverUrl,
    clock: options.clock ?? systemClock,
    orgs,
    people,
    signInOnline,
    revoke,
    storeExists: (tenantId) => existsSync(storePath(tenantId)),
    openStore,
    startSync,
    removeOrg: (org, code, proof) => devices.removeOrg(org, code, proof),
    reconnectBackoff: options.reconnectBackoff ?? RECONNECT_BACKOFF,
    uploadCheckMs: options.breakGlassUploadCheckMs ?? 5_000,
  });

  const core: Omit<Workstation, 'caller'> = {
    router: localApiRouter,
    deviceId,
    createContext: () => ({ backend: core }),
    storePath,
    currentTenantId: () => sessions.currentTenantId(),
    sessionStatus: () => withManagedOrg(sessions.status(), options.managedOrg),
    signIn: (input) => sessions.signIn(input),
    signOut: async () => withManagedOrg(await sessions.signOut(), options.managedOrg),
    knownOrgs: () => sessions.knownOrgs(),
    enroll: async ({ token }) => {
      await resumed;
      const enrolled = await devices.enroll(token);
      return { orgCode: enrolled.orgCode, orgName: enrolled.orgName };
    },
    unlock: (input) => sessions.unlock(input.password),
    breakGlass: (input) => sessions.breakGlass(input),
    lock: () => sessions.lock(),
    beforeCall: (path) => sessions.beforeCall(path),
    store: () => sessions.unlocked().store,
    afterLocalWrite: () => sessions.afterLocalWrite(),
    syncStatus: () => sessions.syncStatus(),
    runSync: () => sessions.runSync(),
    linkPatient: (evidence) => linkExistingPatient(sessions.unlocked(), evidence, () => sessions.syncNow()),
    syncNow: () => sessions.syncNow(),
    close: () => sessions.close(),
    isEnrolledIn: async (tenantId) => {
      await resumed;
      return hasEnrollmentCredential({ storesDir, keystore, tenantId });
    },
    reportWipes: async () => {
      await resumed;
      return devices.reportWipes();
    },
  };
  return { ...core, caller: createLocalApiCaller(core.createContext) };
}
