import { createHash } from 'node:crypto';
import { SYNCED_DOMAINS } from '../../../shared/domains.ts';
import { ENTITY_NAMES, type EntityName } from '../../../shared/entities/catalog.ts';
import { PROTOCOL_VERSION } from '../../../shared/sync/version.ts';
import type { Db } from '../../../electron/store/db.ts';
import { ENTITY_TABLES } from '../../../electron/store/entity-tables.ts';
import { readEntity } from '../../../electron/store/rows.ts';
import type { SyncTransport } from '../../../electron/sync/transport.ts';

/** One record as a replica holds it: what the org sees, the HLC of each field, the server version. */
export interface RecordState {
  fields: Record<string, unknown>;
  fieldHlc: Record<string, string>;
  version: number | null;
}

/** entity -> id -> record: the whole synced content of one replica of one org. */
export type ReplicaContent = Map<EntityName, Map<string, RecordState>>;

/** Everything a workstation store holds of the synced entities (every table in ENTITY_TABLES). */
export function storeContent(db: Db): ReplicaContent {
  const content: ReplicaContent = new Map();
  for (const entity of ENTITY_NAMES) {
    const rows = new Map<string, RecordState>();
    const ids = db.prepare<[], { id: string }>(`SELECT id FROM ${ENTITY_TABLES[entity].table}`).all();
    for (const { id } of ids) {
      const row = readEntity(db, entity, id);
      if (row) rows.set(id, { fields: { ...(row.fields as Record<string, unknown>) }, fieldHlc: { ...row.fieldHlc }, version: row.version });
    }
    content.set(entity, rows);
  }
  return content;
}

/**
 * What the server holds for the org, read through the same pull API a workstation uses,
 * from the beginning of every synced domain's feed (the last change of an entity is its
 * current state; a delete removes it).
 */
export async function serverContent(transport: SyncTransport): Promise<ReplicaContent> {
  const content: ReplicaContent = new Map(ENTITY_NAMES.map((entity) => [entity, new Map<string, RecordState>()]));
  for (const domain of SYNCED_DOMAINS) {
    let cursor = '0';
    for (;;) {
      const page = await transport.pull({ protocolVersion: PROTOCOL_VERSION, domain, cursor, limit: 1000 });
      for (const change of page.changes) {
        const rows = content.get(change.entity)!;
        if (change.op === 'delete') rows.delete(change.id);
        else rows.set(change.id, { fields: { ...(change.fields ?? {}) }, fieldHlc: { ...change.fieldHlc }, version: change.version });
      }
      if (!page.hasMore || page.cursor === cursor) break;
      cursor = page.cursor;
    }
  }
  return content;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical((value as Record<string, unknown>)[key])]));
  }
  return value;
}

/** A checksum per table: sha256 over the records in id order, in a canonical JSON form. */
export function tableDigests(content: ReplicaContent): Record<string, string> {
  const digests: Record<string, string> = {};
  for (const [entity, rows] of content) {
    const hash = createHash('sha256');
    for (const id of [...rows.keys()].sort()) hash.update(JSON.stringify([id, canonical(rows.get(id))])).update('\n');
    digests[entity] = `${rows.size}:${hash.digest('hex').slice(0, 16)}`;
  }
  return digests;
}

/** The first few records that differ between two replicas, for a readable failure. */
export function describeDifferences(a: ReplicaContent, b: ReplicaContent, limit = 3): string[] {
  const out: string[] = [];
  for (const entity of ENTITY_NAMES) {
    const left = a.get(entity) ?? new Map<string, RecordState>();
    const right = b.get(entity) ?? new Map<string, RecordState>();
    for (const id of new Set([...left.keys(), ...right.keys()])) {
      const l = JSON.stringify(canonical(left.get(id) ?? null));
      const r = JSON.stringify(canonical(right.get(id) ?? null));
      if (l !== r && out.length < limit) out.push(`${entity} ${id}:\n    ${l}\n    ${r}`);
    }
  }
  return out;
}

/** Every id of every entity a replica holds (to prove another org's replica holds none of them). */
export function allIds(content: ReplicaContent): Set<string> {
  const ids = new Set<string>();
  for (const rows of content.values()) for (const id of rows.keys()) ids.add(id);
  return ids;
}
