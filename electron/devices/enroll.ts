import { AppError } from '../../shared/errors.ts';
import { enrollmentTokenSchema } from '../../shared/sync/devices.ts';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import type { Keystore } from '../keystore/keystore.ts';
import { enrollWithServer } from '../sync/transport.ts';
import { updateOrgSecrets } from './org-secrets.ts';

export interface EnrollOptions {
  serverUrl: string;
  deviceId: string;
  deviceName: string;
  keystore: Keystore;
  /** Where the org stores and their side files live (`<dataDir>/stores`). */
  storesDir: string;
  /** The one-time token IT created with `clinicsync-server device enroll-token`. */
  token: string;
}

export interface EnrolledOrg {
  tenantId: string;
  orgCode: string;
  orgName: string;
}

/**
 * Trades IT's one-time enrollment token for this device's credential in the token's org,
 * and keeps the credential sealed under that org's key (org-secrets.ts). Sign-ins to the
 * org then carry it. The answer must name the
 * org the token was issued for, or nothing is kept.
 */
export async function enrollWorkstation(options: EnrollOptions): Promise<EnrolledOrg> {
  const token = enrollmentTokenSchema.safeParse(options.token);
  if (!token.success) throw new AppError('VALIDATION', 'That is not an enrollment token. Copy it again from the message your IT team sent.');
  const tokenOrg = token.data.split('.')[1];
  const result = await enrollWithServer(options.serverUrl, {
    protocolVersion: PROTOCOL_VERSION,
    token: token.data,
    deviceId: options.deviceId,
    deviceName: options.deviceName,
  });
  if (result.tenantId !== tokenOrg) throw new AppError('STORE_MISMATCH', 'The sync server enrolled this workstation in another organization than the token names. Nothing was kept.');
  const key = await options.keystore.getOrCreateStoreKey(result.tenantId);
  try {
    updateOrgSecrets(options.storesDir, result.tenantId, key, { deviceCredential: result.deviceCredential });
  } finally {
    key.fill(0);
  }
  return { tenantId: result.tenantId, orgCode: result.orgCode, orgName: result.orgName };
}
