import { uuidv7 } from '../../../shared/ids.ts';
import type { DomainDb } from '../../db/domain-db.ts';

export type TenantKind = 'human' | 'veterinary';

/** shared: shared databases + shared sign-in namespace; namespace: own sign-in namespace; dedicated: also own databases. */
export const ISOLATION_TIERS = ['shared', 'namespace', 'dedicated'] as const;
export type IsolationTier = (typeof ISOLATION_TIERS)[number];

export interface Tenant {
  id: string;
  code: string;
  name: string;
  kind: TenantKind;
  status: 'active' | 'suspended';
  tier: IsolationTier;
}

export interface TenantListing extends Tenant {
  createdAt: string;
}

/** The sign-in namespace an org's accounts live in: 'shared', or the org's own id. */
export function namespaceOf(tenant: Pick<Tenant, 'id' | 'tier'>): string {
  return tenant.tier === 'shared' ? 'shared' : tenant.id;
}

const COLUMNS = 'id::text AS id, code, name, kind, status, isolation_tier AS tier';

/** The tenant directory (tenant_info.tenants). */
export class TenantDirectory {
  private readonly db: DomainDb;

  constructor(db: DomainDb) {
    this.db = db;
  }

  /** The org as seen from its own context (RLS shows a tenant its own row only). */
  async get(tenantId: string): Promise<Tenant | null> {
    const rows = await this.db.withTenant(tenantId, (sql) =>
      sql.query<Tenant>(`SELECT ${COLUMNS} FROM tenant_info.tenants WHERE id = $1`, [tenantId]),
    );
    return rows[0] ?? null;
  }

  /** Sign-in knows only the org's code, so resolving it is explicit system access. */
  async findByCode(code: string): Promise<Tenant | null> {
    const rows = await this.db.system('sign-in: resolve org code', (sql) =>
      sql.query<Tenant>(`SELECT ${COLUMNS} FROM tenant_info.tenants WHERE code = $1`, [code.trim().toLowerCase()]),
    );
    return rows[0] ?? null;
  }

  async create(input: { code: string; name: string; kind: TenantKind; id?: string }): Promise<Tenant> {
    const id = input.id ?? uuidv7();
    await this.db.system('admin: create tenant', (sql) =>
      sql.execute('INSERT INTO tenant_info.tenants (id, code, name, kind) VALUES ($1, $2, $3, $4)', [id, input.code, input.name, input.kind]),
    );
    return { id, code: input.code, name: input.name, kind: input.kind, status: 'active', tier: 'shared' };
  }

  /** The org's directory row with its creation time, from its own context. */
  async listing(tenantId: string): Promise<TenantListing | null> {
    const rows = await this.db.withTenant(tenantId, (sql) =>
      sql.query<TenantListing>(`SELECT ${COLUMNS}, created_at AS "createdAt" FROM tenant_info.tenants WHERE id = $1`, [tenantId]),
    );
    return rows[0] ?? null;
  }

  /** Operators only (CLI): every org, oldest first. */
  async list(): Promise<TenantListing[]> {
    return this.db.system('admin: list tenants', (sql) =>
      sql.query<TenantListing>(`SELECT ${COLUMNS}, created_at AS "createdAt" FROM tenant_info.tenants ORDER BY created_at, id`),
    );
  }
}
