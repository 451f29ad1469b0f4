import { uuidv7 } from '../../../shared/ids.ts';
import type { AuditPage, AuditQuery, AuditRecord, AuditVerification } from '../../audit/audit-read.ts';
import { UNATTRIBUTED_TENANT_ID, type AuditEntry, type AuditLog } from '../../audit/audit-trail.ts';
import { entryHash, GENESIS_HASH, microsecondInstant, storableDetail } from '../../audit/chain-hash.ts';
import { verifyChain } from '../../audit/verify-chain.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import type { Sql } from '../../db/sql.ts';
import { listRecords } from './audit-list.ts';
import { queryRecords } from './audit-rows.ts';
import { GroupCommit } from './group-commit.ts';

/** Entries per append transaction at most (17 parameters each). */
const MAX_BATCH = 64;

/**
 * The audit domain: one append-only, hash-chained log per tenant (audit.events), with its
 * head in audit.chain_heads. An org's chain is written and read in that org's tenant
 * context; the unattributed chain (requests that named no existing org) belongs to no
 * tenant, so it is the one place this service uses system access.
 */
export class AuditEvents implements AuditLog {
  private readonly db: DomainDb;
  private readonly appends: GroupCommit<string, AuditEntry>;
  /** Per org, the chain head this process last committed (a few dozen bytes per org appended for): a hint for the next append (see append). */
  private readonly heads = new Map<string, ChainLink>();

  constructor(db: DomainDb) {
    this.db = db;
    this.appends = new GroupCommit((tenantId, entries) => this.append(tenantId, entries), MAX_BATCH);
  }

  /**
   * Appends one entry, and resolves once it is committed (fail closed: the caller's work
   * fails if this rejects). Entries of one org recorded while its previous append is in
   * flight are appended together in one transaction (group commit, group-commit.ts): under
   * load an org's calls then share one chain-head lock, one round trip of inserts and one
   * COMMIT, instead of queueing on the head's row lock one transaction each.
   */
  async record(entry: AuditEntry): Promise<void> {
    // A copy: the entry may wait for the org's next batch, and the caller's trail must not change it meanwhile.
    await this.appends.add(entry.tenantId ?? UNATTRIBUTED_TENANT_ID, { ...entry, ids: [...entry.ids], detail: { ...entry.detail } });
  }

  /**
   * One transaction: chain the entries to the org's head in order, insert them and move the
   * head, with the head's row locked (serialises appends per org across processes). The head
   * this process last committed for the org is tried first (`heads`): the insert locks the
   * head row and goes ahead only if it still is that head, so an append is three round trips
   * (BEGIN, insert, COMMIT). If another process (or a chain removal) moved it meanwhile, or
   * this process has none, the head is locked and read, then the insert goes in the same
   * transaction. Either way every entry is chained to the head under its row lock.
   */
  private async append(tenantId: string, entries: readonly AuditEntry[]): Promise<void> {
    // GroupCommit runs one append per org at a time in this process, so nothing here races on heads.
    const known = this.heads.get(tenantId);
    const tip = await this.scoped(tenantId, 'audit: append to the unattributed chain', async (sql) => {
      const appended = known ? await insertChained(sql, tenantId, known, entries) : null;
      if (appended) return appended;
      const moved = await insertChained(sql, tenantId, await lockHead(sql, tenantId), entries);
      if (!moved) throw new Error('audit chain head did not move');
      return moved;
    });
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

/** The stored fields of `entry` as the next link after `prev` in the org's chain. */
function chainedFields(tenantId: string, prev: ChainLink, entry: AuditEntry): Omit<AuditRecord, 'hash'> {
  return {
    tenantId,
    seq: prev.seq + 1,
    id: uuidv7(),
    occurredAt: microsecondInstant(entry.occurredAt),
    actorUserId: entry.actor?.userId.toLowerCase() ?? null,
    actorSessionId: entry.actor?.sessionId.toLowerCase() ?? null,
    actorDeviceId: entry.actor?.deviceId.toLowerCase() ?? null,
    actorRole: entry.actor?.role ?? null,
    action: entry.action,
    kind: entry.kind,
    entity: entry.entity,
    ids: [...entry.ids],
    outcome: entry.outcome,
    errorCode: entry.errorCode,
    detail: storableDetail(entry.detail),
    prevHash: prev.hash,
  };
}

/** One link of a chain: an entry's seq and hash (or the head's). */
interface ChainLink {
  seq: number;
  hash: string;
}

/** The stored columns of an entry after tenant_id, in insertChained's row order, with their types (a VALUES list does not take them from the table). */
const ENTRY_COLUMNS: readonly [string, string][] = [
  ['seq', 'bigint'], ['id', 'uuid'], ['occurred_at', 'timestamptz'], ['actor_user_id', 'uuid'], ['actor_session_id', 'uuid'],
  ['actor_device_id', 'uuid'], ['actor_role', 'text'], ['action', 'text'], ['kind', 'text'], ['entity', 'text'], ['ids', 'text[]'],
  ['outcome', 'text'], ['error_code', 'text'], ['detail', 'jsonb'], ['prev_hash', 'text'], ['hash', 'text'],
];

/**
 * Chains `entries` after `prev` and inserts them, moving the head, in one statement, but
 * only if `prev` is the org's head: the statement locks the head row FOR UPDATE where it
 * still has prev's seq and hash (waiting for a concurrent append to commit, then checking
 * its new values), inserts nothing if not, and returns null then. Else the new head.
 */
async function insertChained(sql: Sql, tenantId: string, prev: ChainLink, entries: readonly AuditEntry[]): Promise<ChainLink | null> {
  const rows: unknown[][] = [];
  let tip = prev;
  for (const entry of entries) {
    const fields = chainedFields(tenantId, tip, entry);
    const hash = entryHash(fields);
    rows.push([
      fields.seq, fields.id, fields.occurredAt, fields.actorUserId, fields.actorSessionId, fields.actorDeviceId, fields.actorRole,
      fields.action, fields.kind, fields.entity, fields.ids, fields.outcome, fields.errorCode, JSON.stringify(fields.detail), fields.prevHash, hash,
    ]);
    tip = { seq: fields.seq, hash };
  }
  const first = 5; // $1 tenant, $2 new head hash, $3 and $4 prev's seq and hash
  const values = rows.map((row, r) => `(${row.map((_, c) => `$${first + r * row.length + c}::${ENTRY_COLUMNS[c]![1]}`).join(', ')})`).join(', ');
  const columns = ENTRY_COLUMNS.map(([name]) => name).join(', ');
  const moved = await sql.execute(
    `WITH head AS MATERIALIZED (
       SELECT 1 FROM audit.chain_heads WHERE tenant_id = $1 AND seq = $3 AND hash = $4 FOR UPDATE),
     appended AS (
       INSERT INTO audit.events (tenant_id, ${columns})
       SELECT $1, v.* FROM (VALUES ${values}) AS v (${columns}) WHERE EXISTS (SELECT 1 FROM head)
       RETURNING seq)
     UPDATE audit.chain_heads h SET seq = a.last, hash = $2 FROM (SELECT max(seq) AS last, count(*) AS n FROM appended) a
     WHERE h.tenant_id = $1 AND a.n = ${rows.length}`,
    [tenantId, tip.hash, prev.seq, prev.hash, ...rows.flat()],
  );
  return moved === 1 ? tip : null;
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
