import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { uuidv7 } from '../../shared/ids.ts';
import type { SessionInfo } from '../../shared/sync/auth.ts';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import { OrgStore, type OrgStoreOptions } from '../../electron/store/org-store.ts';
import { SyncEngine, type SyncEngineOptions } from '../../electron/sync/engine.ts';
import { createSyncTransport, signInToServer, type SyncTransport } from '../../electron/sync/transport.ts';

/**
 * A workstation's sync parts without the people layer: a real encrypted store, a real
 * transport over HTTP and the engine, signed in as a user of one org. For engine-level
 * tests that need to reach into the store (corrupt it, restart it) or speak another
 * protocol version.
 */
export interface Desk {
  deviceId: string;
  session: SessionInfo;
  storeOptions: OrgStoreOptions;
  store: OrgStore;
  transport: SyncTransport;
  engine: SyncEngine;
  /** Stops the engine, closes transport and store (the store file stays). */
  close(): Promise<void>;
}

export interface DeskOptions {
  url: string;
  dir: string;
  name: string;
  org: { code: string; username: string; password: string };
  /** The protocol the transport and engine speak (sign-in uses `signInVersion`). */
  protocolVersion?: number;
  signInVersion?: number;
  engine?: Partial<Omit<SyncEngineOptions, 'store' | 'transport' | 'deviceId'>>;
  /** Wraps the real transport (e.g. to count or cut calls). */
  wrap?: (transport: SyncTransport) => SyncTransport;
  /** Reuse a device (and its store file) after a restart. */
  deviceId?: string;
  key?: Buffer;
}

export async function openDesk(options: DeskOptions): Promise<Desk & { key: Buffer }> {
  const deviceId = options.deviceId ?? uuidv7();
  const session = await signInToServer(options.url, {
    protocolVersion: options.signInVersion ?? options.protocolVersion ?? PROTOCOL_VERSION,
    org: options.org.code,
    username: options.org.username,
    password: options.org.password,
    deviceId,
    deviceName: options.name,
  });
  const key = options.key ?? randomBytes(32);
  const storeOptions: OrgStoreOptions = { path: join(options.dir, options.name, `${session.tenantId}.db`), key, tenantId: session.tenantId, deviceId };
  const store = OrgStore.open(storeOptions);
  const real = createSyncTransport(options.url, { tenantId: session.tenantId, token: session.token }, options.protocolVersion !== undefined ? { protocolVersion: options.protocolVersion } : {});
  const transport = options.wrap ? options.wrap(real) : real;
  const engine = new SyncEngine({
    store,
    transport,
    deviceId,
    ...(options.protocolVersion !== undefined ? { protocolVersion: options.protocolVersion } : {}),
    checksumIntervalMs: 0,
    ...options.engine,
  });
  return {
    deviceId,
    session,
    storeOptions,
    store,
    transport,
    engine,
    key,
    async close() {
      await engine.stop();
      await real.close();
      store.close();
    },
  };
}

/** The demo org's sign-in for a demo user of a server started with seedDemo. */
export function demoLogin(server: { demo: { orgs: readonly { code: string; users: readonly { username: string; password: string }[] }[] } | null }, code: string, username = 'frontdesk') {
  const user = server.demo?.orgs.find((org) => org.code === code)?.users.find((candidate) => candidate.username === username);
  if (!user) throw new Error(`demo org ${code} has no user ${username}`);
  return { code, username, password: user.password };
}
