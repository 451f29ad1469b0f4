import type { Domain } from '../../shared/domains.ts';
import { DOMAINS } from '../../shared/domains.ts';
import { formatHlc } from '../../shared/hlc.ts';
import { isId } from '../../shared/ids.ts';
import type { DatabaseSet } from '../db/domain-db.ts';
import { ident } from '../db/sql.ts';
import type { TenantKind } from '../domains/tenant_info/tenants.ts';
import type { Services } from '../services.ts';

/**
 * Explicit system access for the CLI, the demo seed and tests. Every method names the
 * org it acts on; nothing here is reachable from the network.
 */
export interface CoreAdmin {
  createTenant(input: { code: string; name: string; kind?: TenantKind; tenantId?: string }): Promise<{ tenantId: string }>;
  findTenantByCode(code: string): Promise<{ tenantId: string; name: string; kind: TenantKind } | null>;
  /** Links an existing patient into another org (that org's feed then carries it). */
  linkPatient(input: { tenantId: string; patientId: string; mrn: string }): Promise<void>;
  /** Ends a session now (security response; tests use it for "expired"). */
  expireSession(input: { tenantId: string; token: string }): Promise<boolean>;
  /** Rows of a domain table that belong to the org (patients: linked to it; tenants: its own row). */
  countRows(input: { domain: Domain; table: string; tenantId: string }): Promise<number>;
}

export function createCoreAdmin(services: Services, databases: DatabaseSet): CoreAdmin {
  return {
    createTenant: async ({ code, name, kind = 'human', tenantId }) => {
      const tenant = await services.tenants.create({ code, name, kind, ...(tenantId ? { id: tenantId } : {}) });
      services.log({ level: 'info', event: 'tenant_created', tenantId: tenant.id });
      return { tenantId: tenant.id };
    },
    findTenantByCode: async (code) => {
      const tenant = await services.tenants.findByCode(code);
      return tenant ? { tenantId: tenant.id, name: tenant.name, kind: tenant.kind } : null;
    },
    linkPatient: async ({ tenantId, patientId, mrn }) => {
      await services.patients.link(tenantId, patientId, mrn, formatHlc({ ms: Date.now(), counter: 0, node: 'admin' }));
    },
    expireSession: ({ tenantId, token }) => services.sessions.expire(tenantId, token),
    countRows: async ({ domain, table, tenantId }) => {
      if (!(DOMAINS as readonly string[]).includes(domain) || !isId(tenantId)) throw new Error('countRows: bad domain or tenant id');
      const qualified = `${ident(domain)}.${ident(table)}`;
      const filter =
        domain === 'master_data' && table === 'patients'
          ? 'EXISTS (SELECT 1 FROM master_data.tenant_patients tp WHERE tp.patient_id = t.id AND tp.tenant_id = $1 AND NOT tp.deleted)'
          : domain === 'tenant_info' && table === 'tenants'
            ? 't.id = $1'
            : 't.tenant_id = $1';
      const rows = await databases.domains[domain].systemForTenant(tenantId, 'admin: count rows', (sql) =>
        sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${qualified} t WHERE ${filter}`, [tenantId]),
      );
      return rows[0]?.n ?? 0;
    },
  };
}
