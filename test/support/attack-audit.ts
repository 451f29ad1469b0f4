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
  private readonly expected = new Map<string, number>();

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

  /** Entries so far for these actions, keyed "org|action|code" (and "*|action|code" summed over orgs). */
  async snapshot(actions: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (!this.available) return counts;
    const rows = await this.databases.inspect('audit', (sql) =>
      sql.query<{ tenant: string; action: string; code: string; n: number }>(
        `SELECT coalesce(tenant_id::text, $2) AS tenant, action, coalesce(error_code, 'ok') AS code, count(*)::int AS n
         FROM audit.events WHERE action = ANY ($1::text[]) GROUP BY 1, 2, 3`,
        [[...actions], UNATTRIBUTED],
      ),
    );
    for (const row of rows) {
      counts.set(`${row.tenant}|${row.action}|${row.code}`, row.n);
      const any = `*|${row.action}|${row.code}`;
      counts.set(any, (counts.get(any) ?? 0) + row.n);
    }
    return counts;
  }

  /** One more entry is owed for this refused call. */
  expect(target: AuditTarget, action: string, code: string): void {
    const key = `${target}|${action}|${code}`;
    this.expected.set(key, (this.expected.get(key) ?? 0) + 1);
  }

  /** Compares what the calls since `before` owe with what the log gained; clears the owed list. */
  async settle(before: Map<string, number>, actions: readonly string[]): Promise<string[]> {
    const owed = new Map(this.expected);
    this.expected.clear();
    if (!this.available) return [];
    const after = await this.snapshot(actions);
    const problems: string[] = [];
    for (const [key, count] of owed) {
      const gained = (after.get(key) ?? 0) - (before.get(key) ?? 0);
      if (gained !== count) problems.push(`audit ${key}: expected ${count} new entr${count === 1 ? 'y' : 'ies'}, found ${gained}`);
    }
    return problems;
  }
}
