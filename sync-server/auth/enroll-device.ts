import { AppError } from '../../shared/errors.ts';
import type { EnrollResult } from '../../shared/sync/devices.ts';
import type { AuditTrail } from '../audit/audit-trail.ts';
import { enrollmentTokenTenant } from '../domains/tenant_info/enrollment-tokens.ts';
import { hasLeft } from '../domains/tenant_info/tenants.ts';
import type { Services } from '../services.ts';
import { orgOffboarded, orgSuspended } from './lifecycle-refusals.ts';

/** Malformed, forged, unknown, used, expired, or naming another org: one answer for all. */
const invalidToken = () =>
  new AppError('INVALID_CREDENTIALS', 'This enrollment token is not valid: it may have been used already, have expired, or be for another organization.');

/**
 * devices.enroll: trades a one-time IT token for the workstation's enrollment in the org
 * the token names, and a device credential it must present at every sign-in there. The
 * call is filed in that org's audit chain once the token names an org that exists (an org
 * without status 'active' answers with its status: that is no secret once its id is known).
 */
export async function enrollDevice(services: Services, input: { token: string; deviceId: string; deviceName: string }, audit: AuditTrail): Promise<EnrollResult> {
  const tenantId = enrollmentTokenTenant(input.token);
  const tenant = tenantId ? await services.tenants.get(tenantId) : null;
  if (!tenant) throw invalidToken();
  audit.tenantId = tenant.id;
  audit.touched('device', [input.deviceId]);
  if (hasLeft(tenant.status)) throw orgOffboarded();
  if (tenant.status !== 'active') throw orgSuspended();
  const redeemed = await services.enrollmentTokens.redeem({ tenantId: tenant.id, token: input.token, deviceId: input.deviceId, name: input.deviceName });
  if (!redeemed.ok) {
    services.log({ level: 'warn', event: 'enrollment_refused', reason: redeemed.reason, tenantId: tenant.id, deviceId: input.deviceId });
    if (redeemed.reason === 'device_taken') {
      throw new AppError('CONFLICT', 'This organization already knows a workstation with this id. Enroll it under a new id.');
    }
    throw invalidToken();
  }
  audit.note('enrollmentTokenId', redeemed.tokenId);
  services.log({ level: 'info', event: 'device_enrolled', tenantId: tenant.id, deviceId: input.deviceId, tokenId: redeemed.tokenId });
  return { tenantId: tenant.id, orgCode: tenant.code, orgName: tenant.name, deviceCredential: redeemed.deviceCredential };
}
