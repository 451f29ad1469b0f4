import type { AuditEntry } from '../../audit/audit-trail.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import { InFlightBatch } from '../../in-flight-batch.ts';
import { chainEntries, type ChainLink } from './audit-chaining.ts';

/** Orgs' appends per statement at most (their entries in one jsonb parameter). */
const MAX_ORGS_PER_STATEMENT = 64;

/** One text whatever the batch, so PostgreSQL prepares it once per connection (statement-names.ts). */
const APPEND_CHAINED_MANY_SQL = 'SELECT tenant_id::text AS "tenantId", moved FROM audit.append_chained_many($1::jsonb)';

/** One org's append: its entries, to go after the head this process last committed for it. */
export interface OrgAppend {
  tenantId: string;
  prev: ChainLink;
  entries: readonly AuditEntry[];
}

/**
 * Appends of DIFFERENT orgs in one statement (audit.append_chained_many, migration 004),
 * through DomainDb.appStatementAcross: every call records an audit entry, and per-org group
 * commit (group-commit.ts) only merges one org's calls, so with many orgs each call still
 * cost a round trip and a commit of its own. Appends arriving while one statement is in
 * flight go together in the next (in-flight-batch.ts): a quiet server sends each at once.
 *
 * Each org's part is append_chained's own (its org set, its head checked under its row
 * lock, row-level security on every row), so an org whose head another process moved gets
 * null back (nothing of it written) while the others' are appended. Orgs placed on other
 * databases go in one statement per database; a statement that fails is written again one
 * org at a time, so a failure stays with its org.
 */
export class CrossOrgAppends {
  private readonly db: DomainDb;
  private readonly batch: InFlightBatch<OrgAppend, ChainLink | null>;

  constructor(db: DomainDb) {
    this.db = db;
    this.batch = new InFlightBatch((appends) => this.write(appends), MAX_ORGS_PER_STATEMENT);
  }

  /** The org's new head once its entries are committed, or null if `prev` was not its head (nothing written). */
  append(append: OrgAppend): Promise<ChainLink | null> {
    return this.batch.add(append);
  }

  /** One result per append, in order (undefined: its database's statement failed, nothing of it written). */
  private async write(appends: readonly OrgAppend[]): Promise<(ChainLink | null | undefined)[]> {
    // Keyed by the org as PostgreSQL spells a uuid back. The caller appends one org at a time
    // (group-commit.ts), so an org is never twice in a batch; if it were, the answers could
    // not be told apart, so nothing is sent and each is written on its own.
    const chained = new Map(appends.map((a) => [a.tenantId.toLowerCase(), { append: a, ...chainEntries(a.tenantId, a.prev, a.entries) }]));
    if (chained.size !== appends.length) throw new Error('cross-org audit batch: an org appears twice');
    const rows = await this.db.appStatementAcross<{ tenantId: string; moved: boolean }>([...chained.keys()], (tenantIds) => ({
      text: APPEND_CHAINED_MANY_SQL,
      params: [
        JSON.stringify(
          tenantIds.map((tenantId) => {
            const { append, rows: entries, tip } = chained.get(tenantId.toLowerCase())!;
            return { tenant_id: tenantId, prev_seq: append.prev.seq, prev_hash: append.prev.hash, entries, head_hash: tip.hash };
          }),
        ),
      ],
    }));
    const moved = new Map(rows.map((row) => [row.tenantId, row.moved]));
    return appends.map((a) => {
      const answer = moved.get(a.tenantId.toLowerCase());
      return answer === undefined ? undefined : answer ? chained.get(a.tenantId.toLowerCase())!.tip : null;
    });
  }
}
