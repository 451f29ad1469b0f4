import { AppError } from '../../shared/errors.ts';
import { auditedWork } from '../audit/audited-work.ts';
import type { AuditTrail } from '../audit/audit-trail.ts';
import type { SignInAccount } from '../domains/tenant_info/accounts.ts';
import { hasLeft, type Tenant } from '../domains/tenant_info/tenants.ts';
import type { Services } from '../services.ts';
import { sourceKey } from './client-address.ts';
import { checkCredentials, type PasswordVerifier } from './sign-in.ts';
import { NOTHING_LOCKED, type SignInAttempt, type ThrottleScope } from './sign-in-throttle.ts';

export interface PasswordSignIn {
  /** The org the code named, if it exists (the call is then filed in its audit chain). */
  tenant: Tenant | null;
  /** Set only when org, membership, namespace and password all check out. */
  account: SignInAccount | null;
  /** The throttle's record of this attempt: the caller ends it with the attempt's outcome. */
  attempt: SignInAttempt;
}

const UNTHROTTLED: SignInAttempt = { end: async () => NOTHING_LOCKED };

/** Whole minutes, rounded up: "Try again in 1 minute" for anything under a minute. */
function inMinutes(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/**
 * The same sentence whether or not the org or the account exists (the throttle counts
 * unknown ones alike), so a lock says nothing about who is real. No login, no PHI.
 */
export function throttled(scope: ThrottleScope, retryAfterMs: number): AppError {
  const sentence =
    scope === 'account'
      ? `Too many sign-in attempts for this account. Try again in ${inMinutes(retryAfterMs)}.`
      : `Too many sign-in attempts from this network. Try again in ${inMinutes(retryAfterMs)}.`;
  return new AppError('RATE_LIMITED', sentence, { retryAfterMs });
}

/**
 * An (org, login) with too many failed sign-ins in a row (sign-in-throttle.ts): refused for
 * good, whatever the password, until an administrator of the org unlocks it. The same
 * sentence for an unknown org or login, which is counted and locked alike. ACCOUNT_LOCKED,
 * not RATE_LIMITED: there is no time to wait for, so a workstation must not retry it.
 */
export function accountLocked(): AppError {
  return new AppError(
    'ACCOUNT_LOCKED',
    'This account is locked after too many failed sign-in attempts. An administrator of your organization must unlock it before you can sign in.',
  );
}

/**
 * auth.signIn up to the password: the org, the throttle, then the credentials. A throttled
 * attempt is refused (RATE_LIMITED, or ACCOUNT_LOCKED once locked until unlocked; audited in
 * the named org's chain like any refused sign-in, with `throttled` noted) before the
 * password is hashed. The caller ends `attempt` with what the sign-in came to
 * (routers/auth.ts).
 */
export async function passwordSignIn(
  services: Services,
  input: { org: string; username: string; password: string },
  remoteAddress: string | null,
  audit: AuditTrail,
  verify?: PasswordVerifier,
): Promise<PasswordSignIn> {
  const tenant = await services.tenants.findByCode(input.org);
  if (tenant) audit.tenantId = tenant.id;
  let attempt = UNTHROTTLED;
  // An org that has left is told so whatever the password (ORG_OFFBOARDED): nothing to guess,
  // and no counter row may be written for it after its data was deleted.
  if (services.signInThrottle && !(tenant && hasLeft(tenant.status))) {
    const admitted = await services.signInThrottle.begin({ tenantId: tenant?.id ?? null, org: input.org, username: input.username, source: sourceKey(remoteAddress) });
    if (!admitted.ok) {
      audit.note('throttled', admitted.scope);
      const retryAfterMs = admitted.scope === 'locked' ? null : admitted.retryAfterMs;
      services.log({ level: 'info', event: 'sign_in_refused', reason: 'throttled', scope: admitted.scope, ...(retryAfterMs !== null ? { retryAfterMs } : {}), ...(tenant ? { tenantId: tenant.id } : {}) });
      throw admitted.scope === 'locked' ? accountLocked() : throttled(admitted.scope, admitted.retryAfterMs);
    }
    attempt = auditingLocks(services, tenant, input.username, admitted.attempt, audit);
  }
  try {
    return { tenant, account: await checkCredentials(services, tenant, input, verify), attempt };
  } catch (error) {
    await attempt.end('void');
    throw error;
  }
}

/**
 * The attempt, with an audit entry when its failure locks the account until unlocked:
 * `event:auth.account_locked` in the named org's chain (the unattributed one for an unknown
 * org), naming the member's id when the login is one, the counter's hash prefix and the
 * count; never the login as typed. The failed sign-in's own entry notes `accountLocked`.
 * Fail closed like every audit write: the sign-in then ends in an error, and the lock stands.
 */
function auditingLocks(services: Services, tenant: Tenant | null, username: string, attempt: SignInAttempt, request: AuditTrail): SignInAttempt {
  return {
    end: async (outcome) => {
      const ended = await attempt.end(outcome);
      const locked = ended.accountLocked;
      if (!locked) return ended;
      request.note('accountLocked', true);
      await auditedWork(services.audit, { tenantId: tenant?.id ?? null, kind: 'event', name: 'auth.account_locked' }, async (trail) => {
        const member = tenant ? await services.accounts.memberByLogin(tenant.id, username) : null;
        trail.touched('user', member ? [member.userId] : []);
        trail.note('counter', locked.counter);
        trail.note('failuresInARow', locked.failuresInARow);
      });
      return ended;
    },
  };
}
