import { existsSync } from 'node:fs';
import type { RemovalCode } from '../sync/engine.ts';
import type { WipeReason } from '../../shared/sync/devices.ts';
import type { Keystore } from '../keystore/keystore.ts';
import type { OrgDirectory } from '../people/org-directory.ts';
import { OrgStore } from '../store/org-store.ts';
import { enrollWorkstation, type EnrolledOrg } from './enroll.ts';
import { orgSecretsPath, readOrgSecrets } from './org-secrets.ts';
import { reportFinishedWipes, type WipeReportOutcome } from './report-wipes.ts';
import { readSessionProof } from './session-proof.ts';
import { finishInterruptedWipes, wipeOrg, type WipeTarget } from './wipe-org.ts';

export interface DeviceLifecycleOptions {
  dataDir: string;
  storesDir: string;
  storePath(tenantId: string): string;
  serverUrl: string;
  keystore: Keystore;
  deviceId: string;
  deviceName: string;
  orgs: OrgDirectory;
  log(event: string, fields: Record<string, string>): void;
}

const WIPE_REASON: Record<RemovalCode, WipeReason> = { DEVICE_REVOKED: 'device_revoked', ORG_OFFBOARDED: 'org_offboarded' };

/**
 * This workstation's membership in orgs, as IT manages it: enrollment with a one-time
 * token, the device credential that sign-ins then carry, and the wipe of an org's copy
 * when the server says the device was revoked or the org has left, reported back for the
 * org's audit trail (and retried at the next start while the server is away).
 */
export function createDeviceLifecycle(options: DeviceLifecycleOptions) {
  const { dataDir, storesDir, keystore, deviceId, orgs, log } = options;
  const target: WipeTarget = { dataDir, storesDir, keystore };
  let reporting: Promise<Map<string, WipeReportOutcome>> = Promise.resolve(new Map());

  async function withKey<T>(tenantId: string, use: (key: Buffer) => T): Promise<T> {
    const key = await keystore.getOrCreateStoreKey(tenantId);
    try {
      return use(key);
    } finally {
      key.fill(0);
    }
  }

  /** The last session token kept in a closed store (opened just to read it); null if it cannot be read. */
  async function proofFromClosedStore(tenantId: string): Promise<string | null> {
    if (!existsSync(options.storePath(tenantId))) return null;
    try {
      return await withKey(tenantId, (key) => {
        const store = OrgStore.open({ path: options.storePath(tenantId), key, tenantId, deviceId });
        try {
          return readSessionProof(store.db);
        } finally {
          store.close();
        }
      });
    } catch {
      return null; // a damaged or restored copy: the wipe goes ahead without a proof
    }
  }

  const reportWipes = (): Promise<Map<string, WipeReportOutcome>> => {
    reporting = reporting.then(
      () => reportFinishedWipes(options.serverUrl, dataDir, log),
      () => reportFinishedWipes(options.serverUrl, dataDir, log),
    );
    return reporting;
  };

  return {
    /** The credential enrollment left for the org a sign-in names, if this device was enrolled in it. */
    async credentialFor(orgCode: string): Promise<string | undefined> {
      const org = orgs.lookup(orgCode);
      if (!org || !existsSync(orgSecretsPath(storesDir, org.tenantId))) return undefined;
      return withKey(org.tenantId, (key) => readOrgSecrets(storesDir, org.tenantId, key)?.deviceCredential);
    },

    async enroll(token: string): Promise<EnrolledOrg> {
      const enrolled = await enrollWorkstation({ serverUrl: options.serverUrl, deviceId, deviceName: options.deviceName, keystore, storesDir, token });
      orgs.remember(enrolled.orgCode, { tenantId: enrolled.tenantId, name: enrolled.orgName });
      log('device_enrolled', { tenantId: enrolled.tenantId });
      return enrolled;
    },

    /** Wipes the org's copy (the store must be closed) and starts reporting it; the report is retried later if the server is away. */
    async removeOrg(org: { tenantId: string; name: string }, code: RemovalCode, openStoreProof: string | null): Promise<void> {
      const credential = await withKey(org.tenantId, (key) => readOrgSecrets(storesDir, org.tenantId, key)?.deviceCredential).catch(() => undefined);
      const proof = credential ?? openStoreProof ?? (await proofFromClosedStore(org.tenantId));
      await wipeOrg(target, { tenantId: org.tenantId, deviceId, reason: WIPE_REASON[code], wipedAt: new Date().toISOString(), proof, orgName: org.name });
      orgs.forget(org.tenantId);
      log('org_wiped', { tenantId: org.tenantId, reason: WIPE_REASON[code] });
      void reportWipes();
    },

    /** Sends every finished wipe not yet reported; resolves with each org's outcome. */
    reportWipes,

    /** At start-up: finish a wipe a crash interrupted, then report what is pending. */
    async resume(): Promise<void> {
      for (const receipt of await finishInterruptedWipes(target)) orgs.forget(receipt.tenantId);
      void reportWipes();
    },
  };
}

export type DeviceLifecycle = ReturnType<typeof createDeviceLifecycle>;
