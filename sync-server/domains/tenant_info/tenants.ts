import { z } from 'zod';
import { AppError } from '../../../shared/errors.ts';
import { isId, uuidv7 } from '../../../shared/ids.ts';
import { DEFAULT_ORG_POLICY, orgPolicySchema, type OrgPolicy } from '../../../shared/sync/auth.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import type { Sql } from '../../db/sql.ts';

export type TenantKind = 'human' | 'veterinary';

/** shared: shared databases + shared sign-in namespace; namespace: own sign-in namespace; dedicated: also own databases. */
export const ISOLATION_TIERS = ['shared', 'namespace', 'dedicated'] as const;
export type IsolationTier = (typeof ISOLATION_TIERS)[number];

/**
 * suspended: frozen (TENANT_SUSPENDED); offboarding: `tenant offboard` is deleting its data;
 * offboarded: the org has left, final. Both of the last two answer ORG_OFFBOARDED.
 */
export const TENANT_STATUSES = ['active', 'suspended', 'offboarding', 'offboarded'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

/** The org has left (or is leaving): refused with ORG_OFFBOARDED, so its workstations wipe their copy. */
export const hasLeft = (status: TenantStatus): boolean => status === 'offboarding' || status === 'offboarded';

export interface Tenant {
  id: string;
  code: string;
  name: string;
  kind: TenantKind;
  status: TenantStatus;
  tier: IsolationTier;
  /** The org's workstation rules, sent with every session. */
  policy: OrgPolicy;
  /** Only workstations enrolled with an IT token may sign in (DEVICE_NOT_ENROLLED otherwise). */
  requireEnrolledDevices: boolean;
}

/** What `setPolicy` may change: any policy value, and the enrollment requirement. */
export const tenantPolicyChangeSchema = orgPolicySchema.partial().extend({ requireEnrolledDevices: z.boolean().optional() }).strict();
export type TenantPolicyChange = z.input<typeof tenantPolicyChangeSchema>;

/** Each policy key's column: one list, so the reads and the writes cannot drift apart. */
const POLICY_COLUMNS: Record<keyof OrgPolicy | 'requireEnrolledDevices', string> = {
  offlineUnlockDays: 'offline_unlock_days',
  idleLockMinutes: 'idle_lock_minutes',
  maxUnlockFailures: 'max_unlock_failures',
  lockoutMinutes: 'lockout_minutes',
  breakGlassMinutes: 'break_glass_minutes',
  requireEnrolledDevices: 'require_enrolled_devices',
};

export interface TenantListing extends Tenant {
  createdAt: string;
}

/** The sign-in namespace an org's accounts live in: 'shared', or the org's own id. */
export function namespaceOf(tenant: Pick<Tenant, 'id' | 'tier'>): string {
  return tenant.tier === 'shared' ? 'shared' : tenant.id;
}

const POLICY_OBJECT = `json_build_object(${Object.entries(POLICY_COLUMNS)
  .filter(([key]) => key !== 'requireEnrolledDevices')
  .map(([key, column]) => `'${key}', ${column}`)
  .join(', ')})`;
/** A Tenant's columns, unqualified (request entry joins them with a session: sessions.ts). */
export const TENANT_COLUMNS = `id::text AS id, code, name, kind, status, isolation_tier AS tier, ${POLICY_OBJECT} AS policy, require_enrolled_devices AS "requireEnrolledDevices"`;

/** The org's row, inside a transaction already in its tenant context. */
export async function readTenant(sql: Sql, tenantId: string): Promise<Tenant | null> {
  const rows = await sql.query<Tenant>(`SELECT ${TENANT_COLUMNS} FROM tenant_info.tenants WHERE id = $1`, [tenantId]);
  return rows[0] ?? null;
}

const noSuchOrg = () => new AppError('NOT_FOUND', 'There is no organization with that id.');

/** The tenant directory (tenant_info.tenants). */
export class TenantDirectory {
  private readonly db: DomainDb;

  constructor(db: DomainDb) {
    this.db = db;
  }

  /** The org as seen from its own context (RLS shows a tenant its own row only). */
  get(tenantId: string): Promise<Tenant | null> {
    return this.db.withTenant(tenantId, (sql) => readTenant(sql, tenantId));
  }

  /** Sign-in knows only the org's code, so resolving it is explicit system access. */
  async findByCode(code: string): Promise<Tenant | null> {
    const rows = await this.db.system('sign-in: resolve org code', (sql) =>
      sql.query<Tenant>(`SELECT ${TENANT_COLUMNS} FROM tenant_info.tenants WHERE code = $1`, [code.trim().toLowerCase()]),
    );
    return rows[0] ?? null;
  }

  async create(input: { code: string; name: string; kind: TenantKind; id?: string }): Promise<Tenant> {
    const id = input.id ?? uuidv7();
    await this.db.system('admin: create tenant', (sql) =>
      sql.execute('INSERT INTO tenant_info.tenants (id, code, name, kind) VALUES ($1, $2, $3, $4)', [id, input.code, input.name, input.kind]),
    );
    return { id, code: input.code, name: input.name, kind: input.kind, status: 'active', tier: 'shared', policy: { ...DEFAULT_ORG_POLICY }, requireEnrolledDevices: false };
  }

  /**
   * Changes some of the org's workstation policy (VALIDATION outside orgPolicySchema's
   * bounds, NOT_FOUND for no such org) and returns the whole policy as it is now.
   */
  async setPolicy(tenantId: string, change: TenantPolicyChange): Promise<Pick<Tenant, 'policy' | 'requireEnrolledDevices'>> {
    const parsed = tenantPolicyChangeSchema.safeParse(change);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AppError('VALIDATION', `The policy is not valid: ${issue?.path.join('.') || 'input'} ${issue?.message ?? 'is invalid'}.`);
    }
    if (!isId(tenantId)) throw noSuchOrg();
    const entries = Object.entries(parsed.data).filter(([, value]) => value !== undefined) as [keyof typeof POLICY_COLUMNS, number | boolean][];
    const assignments = entries.map(([key], i) => `${POLICY_COLUMNS[key]} = $${i + 2}`);
    const rows = await this.db.withTenant(tenantId, (sql) =>
      sql.query<Pick<Tenant, 'policy' | 'requireEnrolledDevices'>>(
        `UPDATE tenant_info.tenants SET ${assignments.length > 0 ? assignments.join(', ') : 'id = id'} WHERE id = $1
         RETURNING ${POLICY_OBJECT} AS policy, require_enrolled_devices AS "requireEnrolledDevices"`,
        [tenantId, ...entries.map(([, value]) => value)],
      ),
    );
    if (!rows[0]) throw noSuchOrg();
    return rows[0];
  }

  /**
   * Sets the org's status. Offboarding is final: its workstations have been told to wipe
   * their copy, so an offboarded org is not brought back (CONFLICT); a returning org is
   * created anew. Returns the status before and after.
   */
  async setStatus(tenantId: string, status: TenantStatus): Promise<{ from: TenantStatus; to: TenantStatus }> {
    if (!(TENANT_STATUSES as readonly string[]).includes(status)) throw new AppError('VALIDATION', `The status must be one of ${TENANT_STATUSES.join(', ')}.`);
    if (!isId(tenantId)) throw noSuchOrg();
    return this.db.withTenant(tenantId, async (sql) => {
      const [row] = await sql.query<{ status: TenantStatus }>('SELECT status FROM tenant_info.tenants WHERE id = $1 FOR UPDATE', [tenantId]);
      if (!row) throw noSuchOrg();
      // Once its workstations were told to wipe, an org only moves on: offboarding -> offboarded.
      const backwards = (row.status === 'offboarded' && status !== 'offboarded') || (row.status === 'offboarding' && !hasLeft(status));
      if (backwards) throw new AppError('CONFLICT', 'This organization has been offboarded; that cannot be undone.');
      await sql.execute('UPDATE tenant_info.tenants SET status = $2 WHERE id = $1', [tenantId, status]);
      return { from: row.status, to: status };
    });
  }

  /** The org's directory row with its creation time, from its own context. */
  async listing(tenantId: string): Promise<TenantListing | null> {
    const rows = await this.db.withTenant(tenantId, (sql) =>
      sql.query<TenantListing>(`SELECT ${TENANT_COLUMNS}, created_at AS "createdAt" FROM tenant_info.tenants WHERE id = $1`, [tenantId]),
    );
    return rows[0] ?? null;
  }

  /** Operators only (CLI): every org, oldest first. */
  async list(): Promise<TenantListing[]> {
    return this.db.system('admin: list tenants', (sql) =>
      sql.query<TenantListing>(`SELECT ${TENANT_COLUMNS}, created_at AS "createdAt" FROM tenant_info.tenants ORDER BY created_at, id`),
    );
  }
}
