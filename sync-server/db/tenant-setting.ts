import { isId } from '../../shared/ids.ts';

/**
 * Row-level security policies read `app.tenant_id`; it is set with is_local = true so it
 * ends with the transaction and holds even behind a transaction-mode pooler.
 */
export const SET_TENANT_SQL = "SELECT set_config('app.tenant_id', $1, true)";

export function assertTenantId(tenantId: string): void {
  // A programming error, not a client error: request entry has validated the id already.
  if (!isId(tenantId)) throw new Error('withTenant needs a tenant id (UUID)');
}

/** The first statement of a snapshot read (DomainDb.withTenant's `snapshot` option): one snapshot, no writes. */
export const SNAPSHOT_SQL = 'SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY';

/**
 * The start of a tenant-scoped transaction as ONE simple-protocol message: BEGIN (with the
 * snapshot mode when asked) and the tenant setting. Every request runs several tenant
 * transactions, and over a loaded loopback each round trip to PostgreSQL costs far more
 * than the statement (docs/scale.md, "Throughput"), so the two share one. A multi-statement
 * simple query takes no parameters, so the id is inlined: only after assertTenantId, whose
 * pattern admits hex digits and dashes only, so it cannot carry a quote.
 */
export function beginTenantSql(tenantId: string, snapshot: boolean): string {
  assertTenantId(tenantId);
  return `${snapshot ? 'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY' : 'BEGIN'}; SELECT set_config('app.tenant_id', '${tenantId}', true)`;
}
