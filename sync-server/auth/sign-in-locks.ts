import type { AuditTrail } from '../audit/audit-trail.ts';
import type { DomainDb } from '../db/domain-db.ts';
import type { Member } from '../domains/tenant_info/accounts.ts';
import type { Tenant } from '../domains/tenant_info/tenants.ts';
import type { Services } from '../services.ts';
import { accountSubject, counterName } from './sign-in-throttle.ts';

export interface Unlocked {
  /** The (org, login) was refused until unlocked (its failures in a row had reached the limit). */
  wasLocked: boolean;
  /** The failed sign-ins in a row the unlock forgot. */
  failuresInARow: number;
  /** The counter's hash prefix, as the sign_in_account_locked log and audit entry name it. */
  counter: string;
}

/**
 * An administrator's unlock of one (org, login) that the sign-in throttle locked after too
 * many failures in a row (sign-in-throttle.ts): the counter is deleted, so its failures in
 * a row and any timed lock are gone and the next right password signs in. It works whether
 * or not this process runs the throttle (the counters are in the database).
 *
 * Runs in the org's own tenant context, not as system access: the counter is the org's row
 * (forced RLS, migration 006), found by the same hash sign-in computes from the org code and
 * login, so no other org's counter can be reached from here. The caller checks that the
 * login is a member of the org, and audits.
 */
export class SignInLocks {
  private readonly db: DomainDb;

  constructor(db: DomainDb) {
    this.db = db;
  }

  async unlock(tenant: Pick<Tenant, 'id' | 'code'>, login: string): Promise<Unlocked> {
    const subject = accountSubject(tenant.code, login);
    const [row] = await this.db.withTenant(tenant.id, (sql) =>
      sql.query<{ failuresInARow: number; wasLocked: boolean }>(
        `DELETE FROM tenant_info.sign_in_throttle WHERE tenant_id = $1 AND kind = 'account' AND subject = $2
         RETURNING failures_in_a_row AS "failuresInARow", locked_at_ms IS NOT NULL AS "wasLocked"`,
        [tenant.id, subject],
      ),
    );
    return { wasLocked: row?.wasLocked ?? false, failuresInARow: row?.failuresInARow ?? 0, counter: counterName(subject) };
  }

  /**
   * Which of these logins of the org are locked until unlocked, and since when (the
   * throttle's clock), for admin.users.list. One statement for the whole list, in the org's
   * own tenant context: the subjects are hashed here exactly as sign-in hashes them, so only
   * the org's rows for its listed logins are read; the counters of another org (even for the
   * same login) and of logins that are no member are never looked at. Logins with failures
   * but no lock are absent.
   */
  async lockedSince(tenant: Pick<Tenant, 'id' | 'code'>, logins: readonly string[]): Promise<Map<string, Date>> {
    const loginOf = new Map(logins.map((login) => [accountSubject(tenant.code, login), login]));
    const locked = new Map<string, Date>();
    if (loginOf.size === 0) return locked;
    const rows = await this.db.withTenant(tenant.id, (sql) =>
      sql.query<{ subject: string; lockedAtMs: number }>(
        `SELECT subject, locked_at_ms::float8 AS "lockedAtMs" FROM tenant_info.sign_in_throttle
         WHERE tenant_id = $1 AND kind = 'account' AND subject = ANY($2::text[]) AND locked_at_ms IS NOT NULL`,
        [tenant.id, [...loginOf.keys()]],
      ),
    );
    for (const row of rows) {
      const login = loginOf.get(row.subject);
      if (login !== undefined) locked.set(login, new Date(row.lockedAtMs));
    }
    return locked;
  }
}

/**
 * Unlocks a member of the org, noting it in the caller's audit trail (wasLocked, the count
 * forgotten, the counter's hash prefix; never the login) and the log: admin.users.unlock
 * and `clinicsync-server user unlock` both come here. `by` is who asked (a user id, or
 * "operator"). The caller has already put the member on the trail (touched), so refusals
 * name them too. Null when the org is not known.
 */
export async function unlockMember(
  services: Pick<Services, 'tenants' | 'signInLocks' | 'log'>,
  tenantId: string,
  member: Pick<Member, 'userId' | 'login'>,
  trail: AuditTrail,
  by: string,
): Promise<Unlocked | null> {
  const tenant = await services.tenants.get(tenantId);
  if (!tenant) return null;
  const unlocked = await services.signInLocks.unlock(tenant, member.login);
  trail.note('wasLocked', unlocked.wasLocked);
  trail.note('failuresInARow', unlocked.failuresInARow);
  trail.note('counter', unlocked.counter);
  services.log({ level: 'info', event: 'sign_in_unlocked', tenantId, userId: member.userId, by, wasLocked: unlocked.wasLocked, counter: unlocked.counter });
  return unlocked;
}
