import { randomBytes } from 'node:crypto';
import { uuidv7 } from '../../../shared/ids.ts';
import { dropPostgresDeployment } from '../../../sync-server/db/postgres-admin.ts';
import { openServerCore, type ServerCore } from '../../../sync-server/server.ts';
import { analyzeClinicTables, loadClinic, type ClinicSize } from '../clinic-generator.ts';

/**
 * The load bench's deployment and tenants, made by direct service calls in the bench's own
 * process (as the CLI's admin commands do), never through the network: a fresh PostgreSQL
 * deployment under its own prefix, tenants with a small generated clinic each (set-based
 * SQL, clinic-generator.ts), and for the tenants that take part in the load one user and
 * one open session per simulated workstation. Sessions are opened with the session store
 * directly: a sign-in would cost one scrypt per device (seconds for thousands) and is
 * not what the load measures.
 */
export interface LoadDeployment {
  adminUrl: string;
  prefix: string;
  core: ServerCore;
  /** Closes the core and drops the deployment's databases and roles. */
  drop(): Promise<void>;
}

/** What one simulated workstation needs to speak for its session. */
export interface DeviceSession {
  tenantId: string;
  deviceId: string;
  token: string;
}

export interface LoadTenant {
  tenantId: string;
  code: string;
  devices: DeviceSession[];
}

/** A small clinic per tenant: ~280 rows over the three feeds, enough for every pull to read real pages. */
export const TENANT_CLINIC: ClinicSize = { patients: 40, appointments: 120, encounters: 40, notes: 40, orders: 40 };

/** Parallel provisioning calls (the core's pool has 8 connections per domain). */
const PROVISION_CONCURRENCY = 6;

export async function openLoadDeployment(adminUrl: string): Promise<LoadDeployment> {
  const prefix = `cs_load${randomBytes(4).toString('hex')}`;
  const core = await openServerCore({ database: { kind: 'postgres', adminUrl, databasePrefix: prefix, poolSize: 8 } });
  let dropped: Promise<void> | undefined;
  return {
    adminUrl,
    prefix,
    core,
    drop: () =>
      (dropped ??= (async () => {
        await core.close().catch(() => undefined);
        await dropPostgresDeployment(adminUrl, prefix);
      })()),
  };
}

/**
 * Tenants numbered [from, from + count), each with its clinic; the first `withDevices` of
 * them also get a front-desk user and `devicesPerTenant` open sessions. ANALYZE runs once
 * at the end, as statistics on a server that has lived with this data would be.
 */
export async function addTenants(
  deployment: LoadDeployment,
  input: { from: number; count: number; withDevices: number; devicesPerTenant: number; clinic?: ClinicSize },
): Promise<LoadTenant[]> {
  const { core } = deployment;
  const clinic = input.clinic ?? TENANT_CLINIC;
  const tenants: LoadTenant[] = new Array(input.count);
  await inParallel(input.count, PROVISION_CONCURRENCY, async (k) => {
    const n = input.from + k;
    const code = `load-${n}`;
    const { tenantId } = await core.admin.createTenant({ code, name: `Load clinic ${n}` });
    // One seed per tenant: generated patient identities live above the org (clinic-generator.ts).
    await loadClinic(core, tenantId, clinic, `${deployment.prefix}-${n}`, { analyze: false });
    const devices: DeviceSession[] = [];
    if (k < input.withDevices) {
      // A throwaway password nobody signs in with: sessions are opened directly below.
      const { userId } = await core.admin.createUser({ tenantId, username: 'frontdesk', password: randomBytes(18).toString('base64url'), displayName: 'Load Front Desk', role: 'front_desk' });
      for (let d = 0; d < input.devicesPerTenant; d++) devices.push(await openDeviceSession(core, tenantId, userId, `load-${n}-${d}`));
    }
    tenants[k] = { tenantId, code, devices };
  });
  await analyzeClinicTables(core);
  return tenants;
}

async function openDeviceSession(core: ServerCore, tenantId: string, userId: string, deviceName: string): Promise<DeviceSession> {
  const deviceId = uuidv7();
  const opened = await core.services.sessions.open({ tenantId, userId, deviceId, deviceName, requireEnrolled: false });
  if (!opened.ok) throw new Error(`load bench: the session for ${deviceName} was refused (${opened.refusal})`);
  return { tenantId, deviceId, token: opened.token };
}

/** Runs work(0 … count-1) with at most `width` calls in flight; the first failure stops the rest. */
export async function inParallel(count: number, width: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (!failed && next < count) {
      const index = next++;
      try {
        await work(index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, lane));
}
