import type { EntityFields } from '../../../shared/entities/catalog.ts';
import { entityColumns } from '../../../shared/entities/columns.ts';
import type { OrderStatus } from '../../../shared/api/clinical.ts';
import type { HybridClock, Hlc } from '../../../shared/hlc.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import type { Sql } from '../../db/sql.ts';
import { FeedWriter } from '../../sync/feed-writer.ts';
import { stampAll } from '../../sync/lww.ts';
import { CLINICAL_TABLES, type ClinicalEntity } from './clinical-columns.ts';

/**
 * The clinical writes shared by the desk procedures and sync pushes, so both stamp the
 * same HLCs and move the same change feed: whatever changes a record, every workstation
 * of the org hears of it.
 */
export interface ClinicalWrite {
  sql: Sql;
  tenantId: string;
  /** The signed-in person doing it (author, orderer, who opened or closed). */
  userId: string;
  feed: FeedWriter;
  /** The server's stamp for every value this write sets (clinical records are ruled by the server). */
  hlc: Hlc;
}

export interface ClinicalDeskDeps {
  clock: HybridClock;
  /** Pokes the org's devices after commit (their clinical feed moved). */
  notify: (tenantIds: readonly string[]) => void;
}

/** One desk transaction with a feed; pokes the org after commit. */
export async function clinicalTransaction<T>(
  db: DomainDb,
  deps: ClinicalDeskDeps,
  tenantId: string,
  userId: string,
  body: (w: ClinicalWrite) => Promise<T>,
): Promise<T> {
  const { value, touched } = await db.withTenant(tenantId, async (sql) => {
    const feed = new FeedWriter('clinical', tenantId);
    const value = await body({ sql, tenantId, userId, feed, hlc: deps.clock.tick() });
    return { value, touched: await feed.flush(sql) };
  });
  deps.notify(touched);
  return value;
}

/** Inserts a whole record; `extra` holds columns that are not wire fields (opened_by, ...). */
export async function insertRecord<E extends ClinicalEntity>(
  w: ClinicalWrite,
  entity: E,
  id: string,
  fields: EntityFields<E>,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const columns = entityColumns(entity) as Record<string, string>;
  const values = fields as Record<string, unknown>;
  const names = ['tenant_id', 'id', ...Object.values(columns), ...Object.keys(extra), 'field_hlc'];
  const params = [w.tenantId, id, ...Object.keys(columns).map((field) => values[field]), ...Object.values(extra), JSON.stringify(stampAll(Object.keys(columns), w.hlc))];
  await w.sql.execute(
    `INSERT INTO ${CLINICAL_TABLES[entity]} (${names.join(', ')}) VALUES (${names.map((name, i) => `$${i + 1}${name === 'field_hlc' ? '::jsonb' : ''}`).join(', ')})`,
    params,
  );
  w.feed.touch(entity, id);
}

/** Sets the given fields (already checked against the rules), stamps them, bumps the version. */
export async function updateRecord<E extends ClinicalEntity>(
  w: ClinicalWrite,
  entity: E,
  id: string,
  changes: Partial<EntityFields<E>>,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const columns = entityColumns(entity) as Record<string, string>;
  const set = Object.entries(changes as Record<string, unknown>).map(([field, value]) => [columns[field]!, value] as const);
  const all = [...set, ...Object.entries(extra)];
  const assignments = all.map(([column], i) => `${column} = $${i + 4}`);
  await w.sql.execute(
    `UPDATE ${CLINICAL_TABLES[entity]} SET ${[...assignments, 'field_hlc = field_hlc || $3::jsonb', 'version = version + 1', 'updated_at = now()'].join(', ')}
     WHERE tenant_id = $1 AND id = $2`,
    [w.tenantId, id, JSON.stringify(stampAll(Object.keys(changes), w.hlc)), ...all.map(([, value]) => value)],
  );
  w.feed.touch(entity, id);
}

/** Every move of an order, the first included, is kept: who changed its status and when is never lost. */
export async function recordTransition(w: ClinicalWrite, orderId: string, from: OrderStatus | null, to: OrderStatus, reason: string | null): Promise<void> {
  await w.sql.execute(
    `INSERT INTO clinical.order_transitions (tenant_id, id, order_id, from_status, to_status, reason, changed_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [w.tenantId, uuidv7(), orderId, from, to, reason, w.userId],
  );
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T/;

/** Fields of `incoming` whose value differs from `current` (one instant in two offsets is the same value). */
export function changedFields(current: object, incoming: object): string[] {
  const stored = current as Record<string, unknown>;
  return Object.entries(incoming as Record<string, unknown>)
    .filter(([field, value]) => !sameValue(stored[field], value))
    .map(([field]) => field);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return typeof a === 'string' && typeof b === 'string' && ISO_INSTANT.test(a) && ISO_INSTANT.test(b) && Date.parse(a) === Date.parse(b);
}

/** Only the named fields of `fields`. */
export function pick<T extends object>(fields: T, names: readonly string[]): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([field]) => names.includes(field))) as Partial<T>;
}
