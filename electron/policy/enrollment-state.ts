import { existsSync } from 'node:fs';
import { isId } from '../../shared/ids.ts';
import { orgSecretsPath, readOrgSecrets } from '../devices/org-secrets.ts';
import type { Keystore } from '../keystore/keystore.ts';

/**
 * Whether this device holds a device credential for the org: what enrollment leaves behind
 * (sealed beside the org's store, devices/org-secrets.ts). The secrets file alone proves
 * nothing (a sign-in keeps its session proof there too), so it is opened; the org's key is
 * asked for only once that file exists, so checking never creates a key for a new org.
 */
export async function hasEnrollmentCredential(input: { storesDir: string; keystore: Keystore; tenantId: string }): Promise<boolean> {
  const { storesDir, keystore, tenantId } = input;
  if (!isId(tenantId) || !existsSync(orgSecretsPath(storesDir, tenantId))) return false;
  const key = await keystore.getOrCreateStoreKey(tenantId);
  try {
    return readOrgSecrets(storesDir, tenantId, key)?.deviceCredential !== undefined;
  } finally {
    key.fill(0);
  }
}
