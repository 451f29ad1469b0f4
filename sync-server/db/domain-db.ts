import type { Domain } from '../../shared/domains.ts';
import type { AdminSql, Sql } from './sql.ts';

/**
 * One domain's database, as its service sees it. Every query runs inside one of two
 * explicitly named scopes:
 * - withTenant: a transaction as the domain's app role with `app.tenant_id` set
 *   transaction-locally, so forced row-level security filters every statement (and the
 *   setting cannot leak to the next user of a pooled connection);
 * - system: a transaction as the domain's system role (BYPASSRLS, no DDL rights) for the
 *   rare unscoped work: the sign-in directory lookup, admin and seed. The reason is logged.
 */
export interface DomainDb {
  readonly domain: Domain;
  withTenant<T>(tenantId: string, fn: (sql: Sql) => Promise<T>): Promise<T>;
  system<T>(reason: string, fn: (sql: Sql) => Promise<T>): Promise<T>;
}

export interface DomainRoles {
  /** What tenant-scoped access runs as: not superuser, not owner, not BYPASSRLS. */
  app: string;
  /** What system access runs as: BYPASSRLS, DML only. */
  system: string;
}

/** All eight domain databases, opened together at start-up. */
export interface DatabaseSet {
  readonly engine: 'pglite' | 'postgres';
  readonly domains: Record<Domain, DomainDb>;
  rolesOf(domain: Domain): DomainRoles;
  /** Owner-level access for catalog inspection (tests, operations). Never used by request handling. */
  inspect<T>(domain: Domain, fn: (sql: AdminSql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The schema that holds a domain's tables: the same name on both engines, so migrations are identical. */
export function schemaOf(domain: Domain): string {
  return domain;
}
