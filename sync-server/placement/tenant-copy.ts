import type { PhysicalDatabases } from '../db/domain-db.ts';
import { ident, type AdminSql } from '../db/sql.ts';
import type { PlacedDomain } from './placed-domains.ts';
import type { TenantTable } from './tenant-tables.ts';

const PAGE_ROWS = 500;

/**
 * Owner-level work on ONE org's rows. The tenant setting is set as in every tenant
 * transaction, so forced row-level security confines even an owner that is not superuser
 * to this org. As superuser (our deployments' admin), `session_replication_role = replica`
 * copies rows exactly as they are, the way logical replication does: triggers (audit hash
 * chains, append-only guards) and foreign-key checks do not fire on the copy. TimeZone and
 * DateStyle are pinned so row digests compare equal on both sides.
 */
function forOrg<T>(dbs: PhysicalDatabases, domain: PlacedDomain, tenantId: string, fn: (sql: AdminSql) => Promise<T>): Promise<T> {
  return dbs.inspect(domain, async (sql) => {
    const [me] = await sql.query<{ superuser: boolean }>(
      `SELECT set_config('app.tenant_id', $1, true) IS NOT NULL AND current_setting('is_superuser') = 'on' AS superuser,
              set_config('TimeZone', 'UTC', true), set_config('DateStyle', 'ISO, YMD', true)`,
      [tenantId],
    );
    if (me?.superuser) await sql.exec('SET LOCAL session_replication_role = replica');
    return fn(sql);
  });
}

/** Copies the org's rows of one table, a page per transaction on each side. Returns the row count. */
export async function copyTable(source: PhysicalDatabases, target: PhysicalDatabases, table: TenantTable, tenantId: string): Promise<number> {
  const columns = table.insertColumns.map(ident).join(', ');
  const insert = `INSERT INTO ${table.qualified} (${columns}) OVERRIDING SYSTEM VALUE
                  SELECT ${columns} FROM json_populate_recordset(NULL::${table.qualified}, $1::json)`;
  let copied = 0;
  let after: string | null = null;
  for (;;) {
    const page = await forOrg(source, table.domain, tenantId, (sql) => readPage(sql, table, tenantId, after));
    if (page.rows.length === 0) return copied;
    await forOrg(target, table.domain, tenantId, (sql) => sql.execute(insert, [`[${page.rows.join(',')}]`]));
    copied += page.rows.length;
    after = page.last;
    if (page.rows.length < PAGE_ROWS) return copied;
  }
}

/**
 * A page in keyset order: by primary key (which starts with tenant_id, so the index is
 * used), the last row's key decoded back to typed values by json_populate_record; or by
 * (tableoid, ctid) for a table without one.
 */
async function readPage(sql: AdminSql, table: TenantTable, tenantId: string, after: string | null): Promise<{ rows: string[]; last: string | null }> {
  const key = table.primaryKey;
  if (key) {
    const cols = key.map((c) => `t.${ident(c)}`).join(', ');
    const prev = key.map((c) => `k.${ident(c)}`).join(', ');
    const rows = await sql.query<{ row: string }>(
      `SELECT row_to_json(t)::text AS row FROM ${table.qualified} t
       WHERE t.tenant_id = $1
         AND ($2::json IS NULL OR (${cols}) > (SELECT ${prev} FROM json_populate_record(NULL::${table.qualified}, $2::json) k))
       ORDER BY ${cols} LIMIT ${PAGE_ROWS}`,
      [tenantId, after],
    );
    return { rows: rows.map((r) => r.row), last: rows.at(-1)?.row ?? null };
  }
  const [rel, tid] = after === null ? [null, null] : (JSON.parse(after) as [string, string]);
  const rows = await sql.query<{ row: string; rel: string; tid: string }>(
    `SELECT row_to_json(t)::text AS row, t.tableoid::int8::text AS rel, t.ctid::text AS tid FROM ${table.qualified} t
     WHERE t.tenant_id = $1 AND ($2::oid IS NULL OR (t.tableoid, t.ctid) > ($2::oid, $3::tid))
     ORDER BY t.tableoid, t.ctid LIMIT ${PAGE_ROWS}`,
    [tenantId, rel, tid],
  );
  const last = rows.at(-1);
  return { rows: rows.map((r) => r.row), last: last ? JSON.stringify([last.rel, last.tid]) : null };
}

export interface TableTally {
  rows: number;
  /** md5 over the sorted md5s of every row's text: equal on both sides means equal rows. */
  digest: string;
}

export function tallyTable(dbs: PhysicalDatabases, table: TenantTable, tenantId: string): Promise<TableTally> {
  return forOrg(dbs, table.domain, tenantId, async (sql) => {
    const [tally] = await sql.query<TableTally>(
      `SELECT count(*)::int AS rows, coalesce(md5(string_agg(h, '' ORDER BY h)), '') AS digest
       FROM (SELECT md5(t::text) AS h FROM ${table.qualified} t WHERE t.tenant_id = $1) rows`,
      [tenantId],
    );
    return tally ?? { rows: 0, digest: '' };
  });
}

/** Deletes the org's rows of a domain's tables (children first), in one transaction. */
export function deleteOrgRows(dbs: PhysicalDatabases, domain: PlacedDomain, tables: readonly TenantTable[], tenantId: string): Promise<number> {
  return forOrg(dbs, domain, tenantId, async (sql) => {
    let deleted = 0;
    for (const table of [...tables].reverse()) deleted += await sql.execute(`DELETE FROM ${table.qualified} WHERE tenant_id = $1`, [tenantId]);
    return deleted;
  });
}

/**
 * Raises each sequence of the target to at least the source's position, never lowers it.
 * Sync cursors are change seqs: after a move every new change of the org must get a seq
 * above everything its devices have already pulled.
 */
export async function raiseSequences(source: PhysicalDatabases, target: PhysicalDatabases, domain: PlacedDomain, sequences: readonly string[]): Promise<void> {
  for (const name of sequences) {
    const qualified = `${ident(domain)}.${ident(name)}`;
    const position = (sql: AdminSql) =>
      sql.query<{ at: string | null }>(`SELECT CASE WHEN is_called THEN last_value::text END AS at FROM ${qualified}`).then((rows) => rows[0]?.at ?? null);
    const from = await source.inspect(domain, position);
    if (from === null) continue;
    await target.inspect(domain, async (sql) => {
      const at = await position(sql);
      if (at === null || BigInt(at) < BigInt(from)) await sql.query('SELECT setval($1::regclass, $2::bigint, true)', [`${domain}.${name}`, from]);
    });
  }
}
