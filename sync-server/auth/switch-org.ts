import { AppError } from '../../shared/errors.ts';
import type { SessionInfo } from '../../shared/sync/auth.ts';
import type { TenantSession } from '../api/request-entry.ts';
import { errorCodeOf } from '../log.ts';
import { deviceNotEnrolled } from './lifecycle-refusals.ts';
import type { Services } from '../services.ts';

/**
 * Unknown, suspended or offboarded org, org with its own namespace, org the account does
 * not belong to, device revoked there: one answer, the same as for an org that does not
 * exist. A member is told when the target requires enrolled workstations
 * (DEVICE_NOT_ENROLLED), or when this workstation is enrolled there and must present its
 * credential, which a switch does not carry (INVALID_CREDENTIALS: sign in there instead).
 */
const notAvailable = () => new AppError('NOT_FOUND', 'You cannot switch to that organization.');
const enrolledThere = () =>
  new AppError('INVALID_CREDENTIALS', 'This workstation is enrolled in that organization with its own credential: sign in to it directly.');

/**
 * Opens a session in `targetCode` for the signed-in shared-namespace account, bound to the
 * same device; the current session is left as it is. Only between shared-tier orgs: an org
 * with its own sign-in namespace is entered by signing in there. The new session's
 * creation is filed in the TARGET org's audit chain as well (the current org's entry only
 * notes that a switch happened, not where to).
 */
export async function switchOrg(services: Services, session: TenantSession, targetCode: string): Promise<SessionInfo> {
  const current = await services.tenants.get(session.tenantId);
  const target = await services.tenants.findByCode(targetCode);
  if (target && current && target.id === current.id) throw new AppError('VALIDATION', 'You are already signed in to that organization.');
  if (!current || current.tier !== 'shared' || !target || target.status !== 'active' || target.tier !== 'shared') throw notAvailable();
  const membership = await services.accounts.sessionMembership(target, session.userId);
  if (!membership) throw notAvailable();
  const deviceName = (await services.devices.nameOf(current.id, session.deviceId)) ?? 'workstation';
  // A switch carries no device credential: a device enrolled in the target org with one
  // must sign in there (a device id alone proves nothing). Told only to the org's members.
  const opened = await services.sessions.open({ tenantId: target.id, userId: session.userId, deviceId: session.deviceId, deviceName, requireEnrolled: target.requireEnrolledDevices });
  if (!opened.ok) {
    if (opened.refusal === 'not_enrolled') throw deviceNotEnrolled();
    if (opened.refusal === 'credential_refused') throw enrolledThere();
    throw notAvailable();
  }
  const actor = { userId: session.userId, sessionId: opened.sessionId, deviceId: session.deviceId, role: membership.role };
  try {
    await services.audit.record({
      tenantId: target.id,
      actor,
      action: 'auth.switchOrg',
      kind: 'mutation',
      entity: 'session',
      ids: [opened.sessionId],
      outcome: 'ok',
      errorCode: null,
      detail: { switchedIn: true },
      occurredAt: new Date(),
    });
  } catch (error) {
    // Fail closed: a session the target org's audit chain does not know of must not exist.
    await services.sessions.revoke(target.id, opened.sessionId);
    services.log({ level: 'error', event: 'audit_not_recorded', action: 'auth.switchOrg', tenantId: target.id, error: errorCodeOf(error) });
    throw new AppError('INTERNAL', 'The sync server could not record this request. Please try again.');
  }
  services.log({ level: 'info', event: 'switched_org', tenantId: target.id, fromTenantId: current.id, userId: session.userId, deviceId: session.deviceId });
  return {
    token: opened.token,
    tenantId: target.id,
    tenantName: target.name,
    userId: session.userId,
    displayName: membership.displayName,
    role: membership.role,
    expiresAt: opened.expiresAt.toISOString(),
    orgCode: target.code,
    policy: target.policy,
  };
}
