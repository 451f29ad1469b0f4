import { AppError } from '../../shared/errors.ts';
import { isId } from '../../shared/ids.ts';
import type { Role } from '../../shared/sync/auth.ts';
import { deviceRevoked, orgOffboarded, orgSuspended } from '../auth/lifecycle-refusals.ts';
import { tokenTenant } from '../auth/session-token.ts';
import { hasLeft } from '../domains/tenant_info/tenants.ts';
import type { AuditTrail } from '../audit/audit-trail.ts';
import type { Services } from '../services.ts';
import type { Credentials } from './context.ts';

/** The tenant context every protected handler runs in. */
export interface TenantSession {
  tenantId: string;
  tenantName: string;
  /** The org's code as the directory spells it (the sign-in throttle's counters are keyed by it: sign-in-locks.ts). */
  tenantCode: string;
  sessionId: string;
  userId: string;
  deviceId: string;
  role: Role;
}

/**
 * Request entry, in this order: a well-formed org id, an org that exists and is active
 * (ORG_OFFBOARDED for one that has left, TENANT_SUSPENDED for a frozen one), a session
 * token, a token issued for THAT org, and a live session (DEVICE_REVOKED when the token is
 * one of a device the org has revoked). Each refusal has its own code; none reveals
 * anything about another org. devices.reportWipe, which must work after revocation and
 * offboarding, is a public procedure with its own proof and never comes through here.
 */
export async function enterRequest(services: Services, credentials: Credentials, audit: AuditTrail): Promise<TenantSession> {
  const { tenantId, token } = credentials;
  if (!tenantId || !isId(tenantId)) {
    throw new AppError('TENANT_REQUIRED', 'This request does not name an organization.');
  }
  const claimed = token ? tokenTenant(token) : null;
  // The org and (for a token of this org) its session are read in one transaction; judged in the order above.
  const { tenant, session } = await services.sessions.entry(tenantId, claimed === tenantId ? token : null);
  if (!tenant) throw new AppError('TENANT_UNKNOWN', 'This organization is not known to the sync server.');
  // From here on the refusal concerns a real org, so it is filed in that org's audit chain.
  audit.tenantId = tenant.id;
  if (hasLeft(tenant.status)) throw orgOffboarded();
  if (tenant.status !== 'active') throw orgSuspended();
  if (!token) throw new AppError('UNAUTHENTICATED', 'Please sign in.');
  if (!claimed) throw new AppError('UNAUTHENTICATED', 'Please sign in again.');
  if (claimed !== tenantId) {
    await noteCrossTenantAttempt(services, tenantId, claimed, token, audit);
    throw new AppError('TENANT_MISMATCH', 'This session belongs to a different organization.');
  }
  if (!session) {
    // The token is this device's own: telling it that it was revoked (so it wipes) is safe.
    const revokedDevice = await services.sessions.revokedDeviceOf(tenantId, token);
    if (revokedDevice) {
      audit.touched('device', [revokedDevice]);
      throw deviceRevoked();
    }
    throw new AppError('UNAUTHENTICATED', 'Your session has ended. Please sign in again.');
  }
  audit.actor = { userId: session.userId, sessionId: session.sessionId, deviceId: session.deviceId, role: session.role };
  return { ...session, tenantName: tenant.name, tenantCode: tenant.code };
}

/**
 * Logged, and noted on the refused call's audit entry (filed under the targeted org): ids
 * only, and whether the token was a real session of its own org.
 */
async function noteCrossTenantAttempt(services: Services, targetTenantId: string, tokenTenantId: string, token: string, audit: AuditTrail): Promise<void> {
  const realSession = (await services.sessions.find(tokenTenantId, token)) !== null;
  services.log({ level: 'warn', event: 'cross_tenant_attempt', tenantId: targetTenantId, tokenTenantId, realSession });
  audit.note('crossTenantAttempt', true);
  audit.note('tokenTenantId', tokenTenantId);
  audit.note('realSession', realSession);
}
