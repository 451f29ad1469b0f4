import { uuidv7 } from '../../../shared/ids.ts';
import type { AuditRecord } from '../../audit/audit-read.ts';
import type { AuditEntry } from '../../audit/audit-trail.ts';
import { entryHash, microsecondInstant, storableDetail } from '../../audit/chain-hash.ts';

/** One link of a chain: an entry's seq and hash (or the head's). */
export interface ChainLink {
  seq: number;
  hash: string;
}

/** Entries chained after a head, as the append functions take them (migration 003's jsonb_to_recordset columns). */
export interface ChainedEntries {
  rows: Record<string, unknown>[];
  /** The last entry's link: the head once they are appended. */
  tip: ChainLink;
}

/** Chains `entries` after `prev`, in order, hashing each (chain-hash.ts). */
export function chainEntries(tenantId: string, prev: ChainLink, entries: readonly AuditEntry[]): ChainedEntries {
  const rows: Record<string, unknown>[] = [];
  let tip = prev;
  for (const entry of entries) {
    const fields = chainedFields(tenantId, tip, entry);
    const hash = entryHash(fields);
    // Detail stays a JSON object, stored as the jsonb it was hashed as.
    rows.push({
      seq: fields.seq, id: fields.id, occurred_at: fields.occurredAt, actor_user_id: fields.actorUserId, actor_session_id: fields.actorSessionId,
      actor_device_id: fields.actorDeviceId, actor_role: fields.actorRole, action: fields.action, kind: fields.kind, entity: fields.entity,
      ids: fields.ids, outcome: fields.outcome, error_code: fields.errorCode, detail: fields.detail, prev_hash: fields.prevHash, hash,
    });
    tip = { seq: fields.seq, hash };
  }
  return { rows, tip };
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

