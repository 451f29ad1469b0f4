import type { SyncedDomain } from '../../shared/domains.ts';
import type { EntityName } from '../../shared/entities/catalog.ts';
import { domainDigest, type ChecksumRow } from '../../shared/sync/checksum.ts';
import { ident } from '../db/sql.ts';
import type { SyncDomainService } from './outcome.ts';

/** Feed rows read per statement while digesting (the same size as the largest pull page). */
const READ_PAGE = 5_000;

export interface DomainChecksum {
  cursor: string;
  rows: number;
  digest: string;
}

/**
 * The org's canonical digest of one domain, built from the very feed the workstations pull
 * (the domain service's readChanges), inside the org's RLS transaction: what a device that
 * pulled everything up to `cursor` must hold. Generic over every synced domain and entity.
 *
 * The feed is read in keyset pages, all in one snapshot (TenantReadOptions), so the result
 * is exactly the state the feed had at `cursor`: no commit lands between two pages or
 * between two entities' queries of one page. `readable`: the entities the device's role
 * receives in a pull (sync/access.ts), so a device is compared with what it may hold.
 */
export async function domainChecksum(service: SyncDomainService, tenantId: string, readable?: readonly EntityName[]): Promise<DomainChecksum> {
  return service.db.withTenant(tenantId, async (sql) => {
    const current = new Map<string, ChecksumRow | null>();
    let cursor = '0';
    for (;;) {
      const changes = await service.readChanges(sql, tenantId, cursor, READ_PAGE, readable);
      for (const change of changes) {
        const key = `${change.entity}\u0000${change.id}`;
        current.set(key, change.op === 'delete' ? null : { entity: change.entity, id: change.id, version: change.version, fields: change.fields ?? {} });
      }
      if (changes.length > 0) cursor = changes.at(-1)!.seq;
      if (changes.length < READ_PAGE) break;
    }
    const live = [...current.values()].filter((row): row is ChecksumRow => row !== null);
    return { cursor, ...(await domainDigest(live)) };
  }, { snapshot: true });
}

/**
 * Feed rows of the org's domain after `cursor`, of the entities the role receives: an upper bound of what a pull from there
 * still delivers (an entity changed while downloading is counted once but sent twice, a
 * removed one is sent as a delete). One index range count on (tenant_id, seq).
 */
export async function remainingAfter(service: SyncDomainService, domain: SyncedDomain, tenantId: string, cursor: string, readable: readonly EntityName[]): Promise<number> {
  const rows = await service.db.withTenant(tenantId, (sql) =>
    sql.query<{ n: string | number }>(`SELECT count(*) AS n FROM ${ident(domain)}.changes WHERE tenant_id = $1 AND seq > $2::bigint AND entity = ANY ($3::text[])`, [
      tenantId,
      cursor,
      [...readable],
    ]),
  );
  return Number(rows[0]?.n ?? 0);
}
