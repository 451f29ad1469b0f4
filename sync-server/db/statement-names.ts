/**
 * Names for prepared statements, one per distinct SQL text, for the life of the process.
 *
 * node-postgres sends a query without a name as an unnamed statement, which PostgreSQL
 * parses, analyses (row-level security policies included) and plans on every execution.
 * A named statement is parsed once per connection and its plan cached there; under load
 * that took about 40 % of PostgreSQL's CPU per pull and 30 % per push (docs/scale.md,
 * "Throughput"). Row-level security stays in force: the policies are part of the cached
 * plan and `app.tenant_id` is read when the statement runs, not when it was planned.
 *
 * One name must always mean one text (node-postgres refuses a name re-used with other
 * text on a connection, and PostgreSQL keeps each plan until the connection closes), so
 * the names come from one map per process, capped: past `limit` distinct texts (SQL built
 * with a varying number of placeholders, say), further texts run unnamed, as before.
 * Not for a transaction-mode pooler, which hands each transaction any server connection:
 * the caller does not ask for names then (postgres-driver.ts).
 */
export class StatementNames {
  private readonly names = new Map<string, string>();
  private readonly limit: number;

  constructor(limit = 2_000) {
    if (!Number.isInteger(limit) || limit < 0) throw new Error(`StatementNames: the limit must be a whole number ≥ 0, got ${limit}`);
    this.limit = limit;
  }

  /** The text's statement name, or undefined once the limit is reached (run it unnamed). */
  nameOf(text: string): string | undefined {
    const known = this.names.get(text);
    if (known !== undefined || this.names.size >= this.limit) return known;
    const name = `cs_${this.names.size}`;
    this.names.set(text, name);
    return name;
  }

  get size(): number {
    return this.names.size;
  }
}
