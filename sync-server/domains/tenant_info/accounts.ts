import type { Role } from '../../../shared/sync/auth.ts';
import { AppError } from '../../../shared/errors.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import type { Sql } from '../../db/sql.ts';
import { namespaceOf, type Tenant } from './tenants.ts';
import { isoTime } from '../../db/timestamps.ts';

/** A member as their own org sees them; never the password hash. */
export interface Member {
  userId: string;
  login: string;
  displayName: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
}

/** What sign-in needs: the hash to verify and the membership it would open a session for. */
export interface SignInAccount {
  accountId: string;
  passwordHash: string;
  displayName: string;
  role: Role;
}

export function normalizeLogin(login: string): string {
  return login.trim().toLowerCase();
}

const loginTaken = () => new AppError('CONFLICT', 'This organization already has a user with that login. Choose another login.');

/**
 * Accounts (sign-in identities in a namespace, above the org) and memberships (an account's
 * role in one org). Reads run in the org's context, where RLS shows only the org's own
 * members' accounts; account writes are explicit system access, because an account may
 * also unlock other orgs and an org context must never be able to create or change one.
 */
export class AccountDirectory {
  private readonly db: DomainDb;

  constructor(db: DomainDb) {
    this.db = db;
  }

  /**
   * The member of this org with this login, whose account lives in the org's namespace
   * (shared for a shared org, the org's own otherwise), and is not disabled. A membership
   * row pointing at an account of another namespace is never honoured.
   */
  async findForSignIn(tenant: Tenant, login: string): Promise<SignInAccount | null> {
    const rows = await this.db.withTenant(tenant.id, (sql) =>
      sql.query<SignInAccount>(
        `SELECT a.id::text AS "accountId", a.password_hash AS "passwordHash", a.display_name AS "displayName", m.role
         FROM tenant_info.memberships m
         JOIN tenant_info.accounts a ON a.id = m.account_id AND a.login = m.login
         WHERE m.tenant_id = $1 AND m.login = $2 AND a.namespace = $3 AND NOT a.disabled`,
        [tenant.id, normalizeLogin(login), namespaceOf(tenant)],
      ),
    );
    return rows[0] ?? null;
  }

  /** A new account in the org's namespace with one membership; never links an existing account. */
  async createMember(tenantId: string, input: { login: string; passwordHash: string; displayName: string; role: Role }): Promise<string> {
    const id = uuidv7();
    const login = normalizeLogin(input.login);
    await this.db.system('directory: create account and membership', async (sql) => {
      const locked = await lockTenant(sql, tenantId);
      if (await memberLoginExists(sql, tenantId, login)) throw loginTaken();
      await sql.execute(
        `INSERT INTO tenant_info.accounts (id, namespace, login, password_hash, display_name) VALUES ($1, $2, $3, $4, $5)`,
        [id, namespaceOf(locked), login, input.passwordHash, input.displayName],
      );
      await sql.execute(`INSERT INTO tenant_info.memberships (tenant_id, account_id, login, role) VALUES ($1, $2, $3, $4)`, [
        tenantId,
        id,
        login,
        input.role,
      ]);
    });
    return id;
  }

  async listMembers(tenantId: string): Promise<Member[]> {
    const rows = await this.db.withTenant(tenantId, (sql) => sql.query<Member>(`${MEMBER_SELECT} WHERE m.tenant_id = $1 ORDER BY m.login`, [tenantId]));
    return rows.map(memberOf);
  }

  async member(tenantId: string, accountId: string): Promise<Member | null> {
    const rows = await this.db.withTenant(tenantId, (sql) =>
      sql.query<Member>(`${MEMBER_SELECT} WHERE m.tenant_id = $1 AND m.account_id = $2`, [tenantId, accountId]),
    );
    return rows[0] ? memberOf(rows[0]) : null;
  }

  async memberByLogin(tenantId: string, login: string): Promise<Member | null> {
    const rows = await this.db.withTenant(tenantId, (sql) =>
      sql.query<Member>(`${MEMBER_SELECT} WHERE m.tenant_id = $1 AND m.login = $2`, [tenantId, normalizeLogin(login)]),
    );
    return rows[0] ? memberOf(rows[0]) : null;
  }

  /** Changes a member's role in this org only; false when the account is not a member. */
  async setRole(tenantId: string, accountId: string, role: Role): Promise<boolean> {
    const changed = await this.db.withTenant(tenantId, (sql) =>
      sql.execute('UPDATE tenant_info.memberships SET role = $3 WHERE tenant_id = $1 AND account_id = $2', [tenantId, accountId, role]),
    );
    return changed > 0;
  }

  /** Operators only: shared-namespace accounts with this login, with the orgs they belong to. */
  async sharedAccountsByLogin(login: string): Promise<{ accountId: string; tenantIds: string[] }[]> {
    const rows = await this.db.system('directory: find shared accounts by login', (sql) =>
      sql.query<{ accountId: string; tenantIds: string[] | null }>(
        `SELECT a.id::text AS "accountId", array_agg(m.tenant_id::text) FILTER (WHERE m.tenant_id IS NOT NULL) AS "tenantIds"
         FROM tenant_info.accounts a LEFT JOIN tenant_info.memberships m ON m.account_id = a.id
         WHERE a.namespace = 'shared' AND a.login = $1
         GROUP BY a.id ORDER BY a.id`,
        [normalizeLogin(login)],
      ),
    );
    return rows.map((row) => ({ accountId: row.accountId, tenantIds: row.tenantIds ?? [] }));
  }

  /** Operators only: gives an existing shared-namespace account a membership in one more (shared-tier) org. */
  async addSharedMembership(tenantId: string, accountId: string, role: Role): Promise<void> {
    await this.db.system('directory: add shared account to an org', async (sql) => {
      const locked = await lockTenant(sql, tenantId);
      if (locked.tier !== 'shared') throw new AppError('CONFLICT', 'This organization has its own sign-in namespace; create the user there instead.');
      const [account] = await sql.query<{ login: string }>(`SELECT login FROM tenant_info.accounts WHERE id = $1 AND namespace = 'shared'`, [accountId]);
      if (!account) throw new AppError('NOT_FOUND', 'There is no shared account with that login.');
      if (await memberLoginExists(sql, tenantId, account.login)) throw loginTaken();
      await sql.execute(`INSERT INTO tenant_info.memberships (tenant_id, account_id, login, role) VALUES ($1, $2, $3, $4)`, [
        tenantId,
        accountId,
        account.login,
        role,
      ]);
    });
  }

  /**
   * The active shared-tier orgs a shared-namespace account belongs to. Cross-org by nature
   * (it is the account's own list), hence system access; codes and names only.
   */
  async sharedOrgsOf(accountId: string): Promise<{ tenantId: string; code: string; name: string }[]> {
    return this.db.system('auth: orgs of a shared account', (sql) =>
      sql.query<{ tenantId: string; code: string; name: string }>(
        `SELECT t.id::text AS "tenantId", t.code, t.name
         FROM tenant_info.memberships m
         JOIN tenant_info.accounts a ON a.id = m.account_id AND a.login = m.login
         JOIN tenant_info.tenants t ON t.id = m.tenant_id
         WHERE m.account_id = $1 AND a.namespace = 'shared' AND NOT a.disabled
           AND t.isolation_tier = 'shared' AND t.status = 'active'
         ORDER BY t.code`,
        [accountId],
      ),
    );
  }

  /** The account's membership in this org if it may hold a session there (same rules as sign-in). */
  async sessionMembership(tenant: Tenant, accountId: string): Promise<{ role: Role; displayName: string } | null> {
    const rows = await this.db.withTenant(tenant.id, (sql) =>
      sql.query<{ role: Role; displayName: string }>(
        `SELECT m.role, a.display_name AS "displayName"
         FROM tenant_info.memberships m
         JOIN tenant_info.accounts a ON a.id = m.account_id AND a.login = m.login
         WHERE m.tenant_id = $1 AND m.account_id = $2 AND a.namespace = $3 AND NOT a.disabled`,
        [tenant.id, accountId, namespaceOf(tenant)],
      ),
    );
    return rows[0] ?? null;
  }

  /** Members of the org (for the operator's tenant summary). */
  async countMembers(tenantId: string): Promise<number> {
    const rows = await this.db.withTenant(tenantId, (sql) =>
      sql.query<{ n: number }>('SELECT count(*)::int AS n FROM tenant_info.memberships WHERE tenant_id = $1', [tenantId]),
    );
    return rows[0]?.n ?? 0;
  }
}

const MEMBER_SELECT = `SELECT a.id::text AS "userId", m.login, a.display_name AS "displayName", m.role, a.disabled, m.created_at AS "createdAt"
  FROM tenant_info.memberships m JOIN tenant_info.accounts a ON a.id = m.account_id AND a.login = m.login`;

function memberOf(row: Member): Member {
  return { ...row, createdAt: isoTime(row.createdAt) };
}

/**
 * Serialises membership and tier changes of one org (two "create alice" calls cannot both
 * pass the check; a tier change cannot interleave) and returns the tier as of the lock.
 */
export async function lockTenant(sql: Sql, tenantId: string): Promise<Pick<Tenant, 'id' | 'tier'>> {
  const [row] = await sql.query<Pick<Tenant, 'id' | 'tier'>>(
    'SELECT id::text AS id, isolation_tier AS tier FROM tenant_info.tenants WHERE id = $1 FOR UPDATE',
    [tenantId],
  );
  if (!row) throw new AppError('NOT_FOUND', 'There is no such organization.');
  return row;
}

async function memberLoginExists(sql: Sql, tenantId: string, login: string): Promise<boolean> {
  const rows = await sql.query('SELECT 1 FROM tenant_info.memberships WHERE tenant_id = $1 AND login = $2', [tenantId, login]);
  return rows.length > 0;
}
