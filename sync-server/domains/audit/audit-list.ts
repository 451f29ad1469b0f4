import type { AuditPage, AuditQuery } from '../../audit/audit-read.ts';
import type { Sql } from '../../db/sql.ts';
import { queryRecords } from './audit-rows.ts';

/**
 * One page of an org's trail, newest first, keyset-paged on seq (the primary key after
 * tenant_id, so each page is an index range, however deep). Every filter is a bound
 * parameter; the tenant filter is explicit on top of row-level security.
 */
export async function listRecords(sql: Sql, tenantId: string, query: AuditQuery): Promise<AuditPage> {
  const params: unknown[] = [tenantId];
  const where = ['tenant_id = $1'];
  const bind = (clause: (placeholder: string) => string, value: unknown) => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  if (query.before !== undefined) bind((p) => `seq < ${p}`, query.before);
  if (query.action !== undefined) bind((p) => `action = ${p}`, query.action);
  if (query.kind !== undefined) bind((p) => `kind = ${p}`, query.kind);
  if (query.outcome !== undefined) bind((p) => `outcome = ${p}`, query.outcome);
  if (query.actorUserId !== undefined) bind((p) => `actor_user_id = ${p}`, query.actorUserId);
  if (query.deviceId !== undefined) bind((p) => `actor_device_id = ${p}`, query.deviceId);
  if (query.entity !== undefined) bind((p) => `entity = ${p}`, query.entity);
  if (query.entityId !== undefined) bind((p) => `${p} = ANY (ids)`, query.entityId);
  if (query.from !== undefined) bind((p) => `occurred_at >= ${p}`, query.from);
  if (query.to !== undefined) bind((p) => `occurred_at < ${p}`, query.to);
  params.push(query.limit + 1);
  const rows = await queryRecords(sql, `${where.join(' AND ')} ORDER BY seq DESC LIMIT $${params.length}`, params);
  const more = rows.length > query.limit;
  const entries = more ? rows.slice(0, query.limit) : rows;
  return { entries, nextBefore: more ? (entries.at(-1)?.seq ?? null) : null };
}
