import { isId } from '../../../shared/ids.ts';
import type { AdminSql } from '../../db/sql.ts';

/**
 * Owner-only: deletes ONE org's whole chain (events and head), for offboarding and for
 * the source side of a tenant move once the copy has been verified. Never a single row:
 * the chain goes as a whole or not at all.
 *
 * The append-only trigger is switched off and on again inside the caller's transaction.
 * DDL is transactional and holds its lock until commit, so no other session ever sees the
 * trigger off; concurrent appends wait for this transaction.
 */
export async function removeChain(sql: AdminSql, tenantId: string): Promise<number> {
  if (!isId(tenantId)) throw new Error('removeChain needs an org id (UUID)');
  await sql.exec('ALTER TABLE audit.events DISABLE TRIGGER events_append_only');
  const removed = await sql.execute('DELETE FROM audit.events WHERE tenant_id = $1', [tenantId]);
  await sql.execute('DELETE FROM audit.chain_heads WHERE tenant_id = $1', [tenantId]);
  await sql.exec('ALTER TABLE audit.events ENABLE TRIGGER events_append_only');
  return removed;
}
