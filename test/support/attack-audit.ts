import type { DatabaseSet } from '../../sync-server/db/domain-db.ts';

/** The chain refusals are filed in when the request named no org that exists. */
export const UNATTRIBUTED = '00000000-0000-0000-0000-000000000000';

/** Where an entry is expected: an org id, the unattributed chain, or "any org" (public procedures). */
export type AuditTarget = string | typeof UNATTRIBUTED | '*';

/**
 * Counts audit entries per (org, action, error code), so a group of attacks can be checked
 * for "every refused call left exactly one entry". Reads audit.events (the audit domain's
 * hash-chained log) as the owner, across orgs. If that table is not there (or lacks the
 * columns) the check cannot run, and `available` says so.
 */
export class AuditCounter {
  private readonly databases: DatabaseSet;
  available = false;
  private readonly owed: { chains: string[]; action: string; code: string }[] = [];
  /** Orgs on the dedicated tier: their chains live in their own audit database. */
  private readonly dedicated: string[] = [];

  constructor(databases: DatabaseSet) {
    this.databases = databases;
  }

  async probe(): Promise<boolean> {
    const rows = await this.databases.inspect('audit', (sql) =>
      sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM information_schema.columns
         WHERE table_schema = 'audit' AND table_name = 'events' AND column_name IN ('tenant_id', 'action', 'error_code')`,
      ),
    );
    this.available = rows[0]?.n === 3;
    return this.available;
  }

  /** Reads this org's chain through its placement from now on (after it moved to the dedicated tier). */
  addDedicated(tenantId: string): void {
    this.dedicated.push(tenantId);
  }

  /** Entries so far for these actions, keyed "org|action|code" (and "*|action|code" summed over orgs). */
  async snapshot(actions: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (!this.available) return counts;
    type Row = { tenant: string; action: string; code: string; n: number };
    const query = `SELECT coalesce(tenant_id::text, $2) AS tenant, action, coalesce(error_code, 'ok') AS code, count(*)::int AS n
                   FROM audit.events WHERE action = ANY ($1::text[]) GROUP BY 1, 2, 3`;
    const rows = await this.databases.inspect('audit', (sql) => sql.query<Row>(query, [[...actions], UNATTRIBUTED]));
    for (const tenantId of this.dedicated) {
      const own = await this.databases.domains.audit.systemForTenant(tenantId, 'test: audit count', (sql) => sql.query<Row>(query, [[...actions], UNATTRIBUTED]));
      rows.push(...own.filter((row) => row.tenant === tenantId));
    }
    for (const row of rows) {
      counts.set(`${row.tenant}|${row.action}|${row.code}`, row.n);
      const any = `*|${row.action}|${row.code}`;
      counts.set(any, (counts.get(any) ?? 0) + row.n);
    }
    return counts;
  }

  /**
   * One more entry is owed for this refused call: in this chain, or in any one of these
   * chains when where it is filed is a matter of where the refusal happened (a check before
   * request entry files it unattributed; after, in the named org's chain).
   */
  expect(target: AuditTarget | AuditTarget[], action: string, code: string): void {
    this.owed.push({ chains: Array.isArray(target) ? target : [target], action, code });
  }

  /** Compares what the calls since `before` owe with what the log gained; clears the owed list. */
  async settle(before: Map<string, number>, actions: readonly string[]): Promise<string[]> {
    const owed = this.owed.splice(0);
    if (!this.available) return [];
    const after = await this.snapshot(actions);
    const gained = (chain: string, action: string, code: string) => {
      const key = `${chain}|${action}|${code}`;
      return (after.get(key) ?? 0) - (before.get(key) ?? 0);
    };
    const problems: string[] = [];
    const byCall = new Map<string, { chains: string[] }[]>();
    for (const entry of owed) {
      const key = `${entry.action}|${entry.code}`;
      byCall.set(key, [...(byCall.get(key) ?? []), entry]);
    }
    for (const [key, entries] of byCall) {
      const [action, code] = key.split('|') as [string, string];
      // Chains some entry may be filed in interchangeably are checked together, the rest one by one.
      const pooled = new Set(entries.filter((entry) => entry.chains.length > 1).flatMap((entry) => entry.chains));
      const exact = new Map<string, number>();
      let pooledOwed = 0;
      for (const entry of entries) {
        if (entry.chains.some((chain) => pooled.has(chain))) pooledOwed++;
        else exact.set(entry.chains[0]!, (exact.get(entry.chains[0]!) ?? 0) + 1);
      }
      const report = (where: string, count: number, found: number) =>
        problems.push(`audit ${where}|${action}|${code}: expected ${count} new entr${count === 1 ? 'y' : 'ies'}, found ${found}`);
      for (const [chain, count] of exact) {
        const found = gained(chain, action, code);
        if (found !== count) report(chain, count, found);
      }
      if (pooledOwed > 0) {
        const found = [...pooled].reduce((sum, chain) => sum + gained(chain, action, code), 0);
        if (found !== pooledOwed) report([...pooled].join(' or '), pooledOwed, found);
      }
    }
    return problems;
  }
}
