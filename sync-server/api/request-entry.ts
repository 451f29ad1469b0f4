import { AppError } from '../../shared/errors.ts';
import { isId } from '../../shared/ids.ts';
import type { Role } from '../../shared/sync/auth.ts';
import { tokenTenant } from '../auth/session-token.ts';
import type { AuditTrail } from '../audit/audit-trail.ts';
import type { Services } from '../services.ts';
import type { Credentials } from './context.ts';

/** The tenant context every protected handler runs in. */
export interface TenantSession {
  tenantId: string;
  tenantName: string;
  sessionId: string;
  userId: string;
  deviceId: string;
  role: Role;
}

/**
 * Request entry, in this order: a well-formed org id, an org that exists and is active,
 * a session token, a token issued for THAT org, and a live session. Each refusal has its
 * own code; none reveals anything about another org.
 */
export async function enterRequest(services: Services, credentials: Credentials, audit: AuditTrail): Promise<TenantSession> {
  const { tenantId, token } = credentials;
  if (!tenantId || !isId(tenantId)) {
    throw new AppError('TENANT_REQUIRED', 'This request does not name an organization.');
  }
  const tenant = await services.tenants.get(tenantId);
  if (!tenant) throw new AppError('TENANT_UNKNOWN', 'This organization is not known to the sync server.');
  // From here on the refusal concerns a real org, so it is filed in that org's audit chain.
  audit.tenantId = tenant.id;
  if (tenant.status !== 'active') throw new AppError('TENANT_SUSPENDED', 'This organization is suspended.');
  if (!token) throw new AppError('UNAUTHENTICATED', 'Please sign in.');
  const claimed = tokenTenant(token);
  if (!claimed) throw new AppError('UNAUTHENTICATED', 'Please sign in again.');
  if (claimed !== tenantId) {
    await noteCrossTenantAttempt(services, tenantId, claimed, token, audit);
    throw new AppError('TENANT_MISMATCH', 'This session belongs to a different organization.');
  }
  const session = await services.sessions.find(tenantId, token);
  if (!session) throw new AppError('UNAUTHENTICATED', 'Your session has ended. Please sign in again.');
  audit.actor = { userId: session.userId, sessionId: session.sessionId, deviceId: session.deviceId, role: session.role };
  return { ...session, tenantName: tenant.name };
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
