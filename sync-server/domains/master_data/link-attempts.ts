import { uuidv7 } from '../../../shared/ids.ts';
import type { Sql } from '../../db/sql.ts';

export type LinkMethod = 'identifier' | 'code';

/** Failed link attempts an org may make per hour before linking is refused (RATE_LIMITED). */
export const FAILED_LINKS_PER_HOUR = 20;

/**
 * Serialises an org's link attempts (transaction-level advisory lock, released at commit)
 * and tells whether the org is still under its limit. Serialising matters: twenty parallel
 * guesses must not all read "nineteen so far" and all proceed.
 */
export async function underLinkLimit(sql: Sql, tenantId: string): Promise<boolean> {
  await sql.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`patient-link:${tenantId}`]);
  const rows = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM master_data.link_attempts WHERE tenant_id = $1 AND attempted_at > now() - interval '1 hour'`,
    [tenantId],
  );
  return (rows[0]?.n ?? 0) < FAILED_LINKS_PER_HOUR;
}

/** Records one failed attempt (the transaction must commit even though the caller is refused). */
export async function recordFailedLink(sql: Sql, tenantId: string, method: LinkMethod): Promise<void> {
  await sql.execute(`DELETE FROM master_data.link_attempts WHERE tenant_id = $1 AND attempted_at < now() - interval '1 day'`, [tenantId]);
  await sql.execute('INSERT INTO master_data.link_attempts (tenant_id, id, method) VALUES ($1, $2, $3)', [tenantId, uuidv7(), method]);
}
