import type { EntityName } from '../../shared/entities/catalog.ts';
import type { Mutation } from '../../shared/sync/mutation.ts';
import type { Sql } from '../db/sql.ts';
import type { FeedWriter } from './feed-writer.ts';

/**
 * Where the org's copy of each pushable record lives (set-up entities are never pushed).
 * A Record over the pushable entities would be nicer, but the catalog marks set-up with a
 * runtime flag; the lookup below treats a missing entry as "nothing to send".
 */
const HELD_IN: Partial<Record<EntityName, { table: string; id: string }>> = {
  patient: { table: 'master_data.tenant_patients', id: 'patient_id' },
  appointment: { table: 'scheduling.appointments', id: 'id' },
  encounter: { table: 'clinical.encounters', id: 'id' },
  note: { table: 'clinical.notes', id: 'id' },
  order: { table: 'clinical.orders', id: 'id' },
};

/**
 * A refused change was already applied on the device that made it (local-first), with a
 * newer clock than the server's values. Moving the record to the head of the org's feed
 * sends the server's state to the org's devices again, and the refusing device lets it win
 * (electron/store/rejected-rollback.ts), so no replica keeps a refused value. A record the
 * org does not hold (a refused create, a guessed id) has nothing to send: the device drops
 * its own copy of a refused create, and the feed gains no row for it.
 */
export async function resendRefused(sql: Sql, tenantId: string, feed: FeedWriter, mutation: Mutation): Promise<void> {
  const held = HELD_IN[mutation.entity];
  if (!held) return;
  const rows = await sql.query(`SELECT 1 FROM ${held.table} WHERE tenant_id = $1 AND ${held.id} = $2::uuid`, [tenantId, mutation.id]);
  if (rows.length > 0) feed.touch(mutation.entity, mutation.id);
}
