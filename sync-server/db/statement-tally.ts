import type { Domain } from '../../shared/domains.ts';

/** Statements sent to one domain database by one of its scopes, since the deployment opened. */
export interface StatementCount {
  domain: Domain;
  /** app: tenant-scoped requests (withTenant); system: system access. */
  pool: 'app' | 'system';
  statements: number;
}

/**
 * Counts the statements request handling sends to each domain database, for the
 * `clinicsync_db_statements_total` metric. On PostgreSQL each one is a round trip over
 * the socket (a multi-statement simple-protocol message, such as the BEGIN that also sets
 * the tenant, counts once), and at our statement sizes a round trip costs the server and
 * PostgreSQL more CPU than the statement itself (docs/scale.md, "Throughput"), so this is
 * the figure a change to a hot path should not raise. Admin and migration work is not counted.
 */
export class StatementTally {
  private readonly counts = new Map<string, StatementCount>();

  /** The counting function for one scope of one domain database (resolved once, so each statement costs an increment). */
  counter(domain: Domain, pool: StatementCount['pool']): () => void {
    const key = `${domain}/${pool}`;
    let count = this.counts.get(key);
    if (!count) this.counts.set(key, (count = { domain, pool, statements: 0 }));
    const entry = count;
    return () => {
      entry.statements++;
    };
  }

  snapshot(): StatementCount[] {
    return [...this.counts.values()].map((count) => ({ ...count }));
  }
}
