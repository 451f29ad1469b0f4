import { entitiesOfDomain, type EntityName } from '../../shared/entities/catalog.ts';
import type { SyncedDomain } from '../../shared/domains.ts';
import { AppError } from '../../shared/errors.ts';
import { OrderedDomainDigest, type ChecksumRow } from '../../shared/sync/checksum.ts';
import type { PullPage } from '../../shared/sync/pull.ts';
import { assertCompatibleProtocol } from '../../shared/sync/version.ts';
import type { Db } from '../store/db.ts';
import { decodeColumn, ENTITY_TABLES, type ColumnEncoding } from '../store/entity-tables.ts';
import type { OrgStore } from '../store/org-store.ts';
import { hasPendingChange } from '../store/outbox.ts';
import { deleteEntity } from '../store/rows.ts';
import type { SyncTransport } from './transport.ts';

/** The last comparison of one domain with the server (counts only: no row data). */
export interface ChecksumReport {
  domain: SyncedDomain;
  checkedAt: string;
  /** match: equal; resynced: differed, resync made them equal; still_different: differed after the resync too. */
  outcome: 'match' | 'resynced' | 'still_different';
  localRows: number;
  serverRows: number;
  /** Local rows the resync removed because the server no longer has them. */
  removed: number;
  /** How many mismatches this store has seen for the domain, ever. */
  mismatches: number;
}

export interface ChecksumCheckDeps {
  store: OrgStore;
  transport: SyncTransport;
  protocolVersion: number;
  pullPageSize: number;
  /** PHI-free events (domain, counts, outcome). */
  log: (event: string, fields: Record<string, string>) => void;
  /** Throws when the server answered for another org (the engine's refusal and report). */
  checkPage: (page: PullPage, domain: SyncedDomain) => void;
}

/** Rows read per page of the digest: each page is a few ms of work, then the event loop runs. */
const DIGEST_PAGE_ROWS = 1_000;

/** One page of an entity's rows after `afterId`, in id order, in the shared canonical shape. */
function localRowsAfter(db: Db, entity: EntityName, afterId: string | null): ChecksumRow[] {
  const spec = ENTITY_TABLES[entity];
  const encoded = (spec.encoded ?? {}) as Record<string, ColumnEncoding>;
  const columns = Object.entries(spec.columns) as [string, string][];
  const page = afterId === null
    ? db.prepare<[number], Record<string, unknown>>(`SELECT * FROM ${spec.table} ORDER BY id LIMIT ?`).all(DIGEST_PAGE_ROWS)
    : db.prepare<[string, number], Record<string, unknown>>(`SELECT * FROM ${spec.table} WHERE id > ? ORDER BY id LIMIT ?`).all(afterId, DIGEST_PAGE_ROWS);
  return page.map((row) => {
    const fields: Record<string, unknown> = {};
    for (const [field, column] of columns) fields[field] = decodeColumn(encoded[field], row[column]);
    return { entity, id: String(row['id']), version: typeof row['version'] === 'number' ? row['version'] : null, fields };
  });
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** True when an edit of one of the domain's entities waits in the outbox. */
export function pendingInDomain(db: Db, domain: SyncedDomain): boolean {
  const entities = entitiesOfDomain(domain);
  if (entities.length === 0) return false;
  return db.prepare(`SELECT 1 FROM outbox WHERE status = 'pending' AND entity IN (${entities.map(() => '?').join(', ')}) LIMIT 1`).get(...entities) !== undefined;
}

/**
 * The domain's digest over this store's rows, read a page at a time by primary key (the
 * digest's own order: entity name, then id), with a turn of the event loop after each
 * page: a big clinic's 300k rows never hold the local API's thread for more than a page.
 * Each page is its own read, so a write between pages is possible; the caller checks
 * (pendingInDomain, the cursor) after the digest that the domain did not change meanwhile.
 */
export async function localDigest(store: OrgStore, domain: SyncedDomain): Promise<{ rows: number; digest: string }> {
  const digest = new OrderedDomainDigest();
  for (const entity of [...entitiesOfDomain(domain)].sort()) {
    let afterId: string | null = null;
    for (;;) {
      if (!store.db.open) throw new AppError('STORE_LOCKED', 'Sync has stopped.');
      const page = localRowsAfter(store.db, entity, afterId);
      await digest.add(page);
      if (page.length < DIGEST_PAGE_ROWS) break;
      afterId = page.at(-1)!.id;
      await nextTurn();
    }
  }
  return digest.finish();
}

export function readChecksumReports(db: Db): ChecksumReport[] {
  return db
    .prepare<[], { domain: SyncedDomain; checked_at: string; outcome: ChecksumReport['outcome']; local_rows: number; server_rows: number; removed: number; mismatches: number }>(
      'SELECT * FROM sync_checksums ORDER BY domain',
    )
    .all()
    .map((row) => ({ domain: row.domain, checkedAt: row.checked_at, outcome: row.outcome, localRows: row.local_rows, serverRows: row.server_rows, removed: row.removed, mismatches: row.mismatches }));
}

/**
 * The periodic comparison of a domain between this store and the server. It runs only
 * when it can mean something: nothing of the domain waits in the outbox, and the server's
 * feed is where this store's cursor is. On a mismatch the domain alone is resynced: pulled
 * again from the start, each row the server sends replacing the local one (unless it has
 * an unsent local edit, which is merged as usual and so kept), and local rows the server
 * no longer has removed (again, except those with unsent edits). It is then compared again
 * and the outcome reported: status, a PHI-free log event, and the server's audit entry of
 * both sync.checksum calls (verdict mismatch, then match).
 */
export class ChecksumCheck {
  private readonly deps: ChecksumCheckDeps;

  constructor(deps: ChecksumCheckDeps) {
    this.deps = deps;
  }

  /** Null when the domain was skipped (outbox not empty, store behind or ahead, role may not read it). */
  async check(domain: SyncedDomain, signal: AbortSignal): Promise<ChecksumReport | null> {
    const { store } = this.deps;
    if (pendingInDomain(store.db, domain)) return null;
    const cursor = store.cursor(domain);
    const local = await localDigest(store, domain);
    // Read page by page: a local edit meanwhile makes this digest meaningless (skip, as above).
    if (signal.aborted || pendingInDomain(store.db, domain) || store.cursor(domain) !== cursor) return null;
    const server = await this.ask(domain, { cursor, digest: local.digest }, signal);
    if (!server || signal.aborted || server.cursor !== cursor) return null;
    if (server.digest === local.digest) return this.record(domain, 'match', local.rows, server.rows, 0);

    const removed = await this.resync(domain, signal);
    const after = await localDigest(store, domain);
    const again = await this.ask(domain, { cursor: store.cursor(domain), digest: after.digest }, signal);
    const outcome = again && again.digest === after.digest ? 'resynced' : 'still_different';
    const report = this.record(domain, outcome, after.rows, again?.rows ?? server.rows, removed, 1);
    this.deps.log('checksum_mismatch', {
      tenantId: store.tenantId,
      domain,
      outcome,
      localRowsBefore: String(local.rows),
      serverRows: String(server.rows),
      removed: String(removed),
    });
    return report;
  }

  private async ask(domain: SyncedDomain, claim: { cursor: string; digest: string }, signal: AbortSignal) {
    const { transport, store, protocolVersion } = this.deps;
    if (!transport.checksum) return null;
    let answer;
    try {
      answer = await transport.checksum({ protocolVersion, domain, ...claim }, signal);
    } catch (error) {
      if (error instanceof AppError && error.code === 'FORBIDDEN') return null; // this role does not hold the domain
      throw error;
    }
    assertCompatibleProtocol(answer.protocolVersion, protocolVersion, 'server');
    if (answer.tenantId !== store.tenantId || answer.domain !== domain) {
      throw new AppError('STORE_MISMATCH', 'The sync server answered a check for another organization. Nothing changed on this workstation.');
    }
    return answer;
  }

  /** Pulls the domain from the start, the server's rows winning over unchanged local ones. Returns rows removed. */
  private async resync(domain: SyncedDomain, signal: AbortSignal): Promise<number> {
    const { store, transport, protocolVersion, pullPageSize, checkPage } = this.deps;
    const onServer = new Set<string>();
    let cursor = '0';
    for (;;) {
      const page = await transport.pull({ protocolVersion, domain, cursor, limit: pullPageSize }, signal);
      assertCompatibleProtocol(page.protocolVersion, protocolVersion, 'server');
      if (signal.aborted) throw new AppError('STORE_LOCKED', 'Sync has stopped.');
      checkPage(page, domain);
      store.db.transaction(() => {
        for (const change of page.changes) {
          const key = `${change.entity}\u0000${change.id}`;
          if (change.op === 'upsert') onServer.add(key);
          else onServer.delete(key);
          if (!hasPendingChange(store.db, change.entity, change.id)) deleteEntity(store.db, change.entity, change.id);
        }
        store.applyPage(page);
      })();
      if (!page.hasMore || page.cursor === cursor) break;
      cursor = page.cursor;
    }
    return store.write((db) => {
      let removed = 0;
      for (const entity of entitiesOfDomain(domain)) {
        for (const id of localIds(db, entity)) {
          if (onServer.has(`${entity}\u0000${id}`) || hasPendingChange(db, entity, id)) continue;
          deleteEntity(db, entity, id);
          removed += 1;
        }
      }
      return removed;
    });
  }

  private record(domain: SyncedDomain, outcome: ChecksumReport['outcome'], localRows: number, serverRows: number, removed: number, mismatch = 0): ChecksumReport {
    const at = new Date().toISOString();
    this.deps.store.db
      .prepare(
        `INSERT INTO sync_checksums (domain, checked_at, outcome, local_rows, server_rows, removed, mismatches) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (domain) DO UPDATE SET checked_at = excluded.checked_at, outcome = excluded.outcome, local_rows = excluded.local_rows,
           server_rows = excluded.server_rows, removed = excluded.removed, mismatches = sync_checksums.mismatches + excluded.mismatches`,
      )
      .run(domain, at, outcome, localRows, serverRows, removed, mismatch);
    return readChecksumReports(this.deps.store.db).find((report) => report.domain === domain)!;
  }
}

function localIds(db: Db, entity: EntityName): string[] {
  return db.prepare<[], { id: string }>(`SELECT id FROM ${ENTITY_TABLES[entity].table}`).all().map((row) => row.id);
}
