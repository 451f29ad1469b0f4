import type { AuditPage, AuditQuery, AuditVerification } from '../../audit/audit-read.ts';
import { UNATTRIBUTED_TENANT_ID, type AuditEntry, type AuditLog } from '../../audit/audit-trail.ts';
import { GENESIS_HASH } from '../../audit/chain-hash.ts';
import { verifyChain } from '../../audit/verify-chain.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import type { Sql } from '../../db/sql.ts';
import { RecentMap } from '../../recent-map.ts';
import { listRecords } from './audit-list.ts';
import { queryRecords } from './audit-rows.ts';
import { GroupCommit } from './group-commit.ts';
import { chainEntries, type ChainLink } from './audit-chaining.ts';
import { CrossOrgAppends } from './cross-org-appends.ts';

/** Entries per append at most (one statement, its entries in one jsonb parameter). */
const MAX_BATCH = 64;

/** Orgs whose chain head a process remembers; one it forgot costs its next append only the locked path. */
const REMEMBERED_HEADS = 10_000;

/**
 * The audit domain: one append-only, hash-chained log per tenant (audit.events), with its
 * head in audit.chain_heads. An org's chain is written and read in that org's tenant
 * context; the unattributed chain (requests that named no existing org) belongs to no
 * tenant, so it is the one place this service uses system access.
 */
export class AuditEvents implements AuditLog {
  private readonly db: DomainDb;
  private readonly appends: GroupCommit<string, AuditEntry>;
  /** The orgs' appends with a known head, several orgs per statement under load (cross-org-appends.ts). */
  private readonly crossOrg: CrossOrgAppends;
  /** Per org, the chain head this process last committed: a hint for the next append (see append), for the orgs appended for most recently. */
  private readonly heads = new RecentMap<string, ChainLink>(REMEMBERED_HEADS);

  constructor(db: DomainDb) {
    this.db = db;
    this.appends = new GroupCommit((tenantId, entries) => this.append(tenantId, entries), MAX_BATCH);
    this.crossOrg = new CrossOrgAppends(db);
  }

  /**
   * Appends one entry, and resolves once it is committed (fail closed: the caller's work
   * fails if this rejects). Entries of one org recorded while its previous append is in
   * flight are appended together in one statement (group commit, group-commit.ts): under
   * load an org's calls then share one chain-head lock and one commit, instead of queueing
   * on the head's row lock one transaction each.
   */
  async record(entry: AuditEntry): Promise<void> {
    // A copy: the entry may wait for the org's next batch, and the caller's trail must not change it meanwhile.
    await this.appends.add(entry.tenantId ?? UNATTRIBUTED_TENANT_ID, { ...entry, ids: [...entry.ids], detail: { ...entry.detail } });
  }

  /**
   * Chains the entries to the org's head in order, inserts them and moves the head, with
   * the head's row locked (serialises appends per org across processes). The head this
   * process last committed for the org is tried first (`heads`), in ONE statement with no
   * BEGIN/COMMIT, together with other orgs' appends under load (cross-org-appends.ts:
   * audit.append_chained_many, migrations 003-004): each org's part sets that org, locks its
   * head row and goes ahead only if it still is that head, and the statement's implicit
   * transaction has committed when it returns. If another process (or a chain removal) moved the head meanwhile, or this
   * process has none, the head is locked and read in a tenant transaction and the entries,
   * chained to it, go in through the same function there. The unattributed chain belongs
   * to no org, so both steps run in one system transaction instead.
   */
  private async append(tenantId: string, entries: readonly AuditEntry[]): Promise<void> {
    // GroupCommit runs one append per org at a time in this process, so nothing here races on heads.
    const known = this.heads.get(tenantId);
    const locked = async (sql: Sql): Promise<ChainLink> => {
      const moved = await appendChained(sql, tenantId, await lockHead(sql, tenantId), entries);
      if (!moved) throw new Error('audit chain head did not move');
      return moved;
    };
    let tip: ChainLink;
    if (tenantId === UNATTRIBUTED_TENANT_ID) {
      tip = await this.db.system('audit: append to the unattributed chain', async (sql) =>
        (known ? await appendChained(sql, tenantId, known, entries) : null) ?? (await locked(sql)),
      );
    } else {
      const appended = known ? await this.crossOrg.append({ tenantId, prev: known, entries }) : null;
      tip = appended ?? (await this.db.withTenant(tenantId, locked));
    }
    // Only once committed: a rolled-back append leaves the last committed head (a stale one only costs the locked path).
    this.heads.set(tenantId, tip);
  }

  list(tenantId: string, query: AuditQuery): Promise<AuditPage> {
    return this.scoped(tenantId, 'audit: read the unattributed chain', (sql) => listRecords(sql, tenantId, query));
  }

  /** Each page is its own short transaction, so verifying a long chain never holds appends up. */
  verify(tenantId: string): Promise<AuditVerification> {
    const read = <T>(fn: (sql: Sql) => Promise<T>) => this.scoped(tenantId, 'audit: verify the unattributed chain', fn);
    return verifyChain({
      snapshot: () =>
        read(async (sql) => {
          const [row] = await sql.query<{ headSeq: string | null; headHash: string | null; lastSeq: string | null }>(
            `SELECT (SELECT seq::text FROM audit.chain_heads WHERE tenant_id = $1) AS "headSeq",
                    (SELECT hash FROM audit.chain_heads WHERE tenant_id = $1) AS "headHash",
                    (SELECT max(seq)::text FROM audit.events WHERE tenant_id = $1) AS "lastSeq"`,
            [tenantId],
          );
          return {
            head: row?.headSeq != null && row.headHash != null ? { seq: Number(row.headSeq), hash: row.headHash } : null,
            lastSeq: row?.lastSeq != null ? Number(row.lastSeq) : null,
          };
        }),
      page: (afterSeq, uptoSeq, limit) =>
        read((sql) => queryRecords(sql, 'tenant_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4', [tenantId, afterSeq, uptoSeq, limit])),
      seqOfHash: (hash) =>
        read(async (sql) => {
          const rows = await sql.query<{ seq: string }>('SELECT seq::text AS seq FROM audit.events WHERE tenant_id = $1 AND hash = $2 LIMIT 1', [tenantId, hash]);
          return rows[0] ? Number(rows[0].seq) : null;
        }),
    });
  }

  private scoped<T>(tenantId: string, systemReason: string, fn: (sql: Sql) => Promise<T>): Promise<T> {
    return tenantId === UNATTRIBUTED_TENANT_ID ? this.db.system(systemReason, fn) : this.db.withTenant(tenantId, fn);
  }
}

/** One text whatever the batch size, so PostgreSQL prepares it once per connection (statement-names.ts). */
const APPEND_CHAINED_SQL = 'SELECT audit.append_chained($1, $2, $3, $4, $5) AS moved';

/**
 * Chains `entries` after `prev` and appends them, moving the head, in one statement of an
 * open transaction (audit.append_chained, migration 003), but only if `prev` is still the org's head, which
 * the function checks under the head's row lock. Returns the new head, or null if `prev`
 * is not the head (nothing was written).
 */
async function appendChained(sql: Sql, tenantId: string, prev: ChainLink, entries: readonly AuditEntry[]): Promise<ChainLink | null> {
  const { rows, tip } = chainEntries(tenantId, prev, entries);
  const [result] = await sql.query<{ moved: boolean }>(APPEND_CHAINED_SQL, [tenantId, prev.seq, prev.hash, JSON.stringify(rows), tip.hash]);
  return result?.moved === true ? tip : null;
}

/**
 * The tenant's chain head, locked FOR UPDATE until the append commits. The first append
 * of a tenant creates it at seq 0; two first appends racing both end up waiting on the
 * one row (ON CONFLICT DO NOTHING waits for the other insert to commit).
 */
async function lockHead(sql: Sql, tenantId: string): Promise<ChainLink> {
  const select = () => sql.query<{ seq: string; hash: string }>('SELECT seq::text AS seq, hash FROM audit.chain_heads WHERE tenant_id = $1 FOR UPDATE', [tenantId]);
  let [head] = await select();
  if (!head) {
    await sql.execute('INSERT INTO audit.chain_heads (tenant_id, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (tenant_id) DO NOTHING', [tenantId, GENESIS_HASH]);
    [head] = await select();
  }
  if (!head) throw new Error('audit chain head missing');
  return { seq: Number(head.seq), hash: head.hash };
}
