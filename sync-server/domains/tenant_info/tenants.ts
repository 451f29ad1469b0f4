import { uuidv7 } from '../../../shared/ids.ts';
import type { DomainDb } from '../../db/domain-db.ts';

export type TenantKind = 'human' | 'veterinary';

export interface Tenant {
  id: string;
  code: string;
  name: string;
  kind: TenantKind;
  status: 'active' | 'suspended';
}

interface TenantRow {
  id: string;
  code: string;
  name: string;
  kind: TenantKind;
  status: 'active' | 'suspended';
}

const COLUMNS = 'id::text AS id, code, name, kind, status';

/** The tenant directory (tenant_info.tenants). */
export class TenantDirectory {
  private readonly db: DomainDb;

  constructor(db: DomainDb) {
    this.db = db;
  }

  /** The org as seen from its own context (RLS shows a tenant its own row only). */
  async get(tenantId: string): Promise<Tenant | null> {
    const rows = await this.db.withTenant(tenantId, (sql) =>
      sql.query<TenantRow>(`SELECT ${COLUMNS} FROM tenant_info.tenants WHERE id = $1`, [tenantId]),
    );
    return rows[0] ?? null;
  }

  /** Sign-in knows only the org's code, so resolving it is explicit system access. */
  async findByCode(code: string): Promise<Tenant | null> {
    const rows = await this.db.system('sign-in: resolve org code', (sql) =>
      sql.query<TenantRow>(`SELECT ${COLUMNS} FROM tenant_info.tenants WHERE code = $1`, [code]),
    );
    return rows[0] ?? null;
  }

  async create(input: { code: string; name: string; kind: TenantKind; id?: string }): Promise<Tenant> {
    const id = input.id ?? uuidv7();
    await this.db.system('admin: create tenant', (sql) =>
      sql.execute('INSERT INTO tenant_info.tenants (id, code, name, kind) VALUES ($1, $2, $3, $4)', [id, input.code, input.name, input.kind]),
    );
    return { id, code: input.code, name: input.name, kind: input.kind, status: 'active' };
  }
}
