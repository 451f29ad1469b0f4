import { createHash } from 'node:crypto';
import type { AuditRecord } from './audit-read.ts';

/** The prev_hash of every chain's first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** Names the encoding below; a future change of encoding gets a new tag, old rows keep theirs. */
const ENCODING_TAG = 'clinicsync.audit.v1';

/**
 * The canonical encoding hashed for one entry: the UTF-8 bytes of the JSON text (as
 * JSON.stringify writes it, no whitespace) of this array, in this order:
 *
 *   ["clinicsync.audit.v1", tenantId, seq as a decimal string, id, occurredAt,
 *    actorUserId, actorSessionId, actorDeviceId, actorRole,
 *    action, kind, entity, ids, outcome, errorCode,
 *    detail as [[key, value], …] sorted by key (UTF-16 code-unit order),
 *    prevHash]
 *
 * Ids are lower-case UUID text, absent values are JSON null, `ids` is an array of
 * strings in the order recorded, `occurredAt` is "YYYY-MM-DDTHH:MM:SS.ffffffZ" (UTC,
 * microseconds, exactly as PostgreSQL stores it). Every stored column except `hash` is
 * covered, so changing any of them (including seq or prev_hash) changes the hash.
 * hash = lower-case hex SHA-256 of that text.
 */
export function canonicalEncoding(entry: Omit<AuditRecord, 'hash'>): string {
  return JSON.stringify([
    ENCODING_TAG,
    entry.tenantId,
    String(entry.seq),
    entry.id,
    entry.occurredAt,
    entry.actorUserId,
    entry.actorSessionId,
    entry.actorDeviceId,
    entry.actorRole,
    entry.action,
    entry.kind,
    entry.entity,
    entry.ids,
    entry.outcome,
    entry.errorCode,
    detailPairs(entry.detail),
    entry.prevHash,
  ]);
}

export function entryHash(entry: Omit<AuditRecord, 'hash'>): string {
  return createHash('sha256').update(canonicalEncoding(entry), 'utf8').digest('hex');
}

/** A stored row whose detail is not an object (only by tampering) still encodes, and fails to match. */
function detailPairs(detail: unknown): unknown {
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return ['not-an-object', detail];
  return Object.keys(detail)
    .sort()
    .map((key) => [key, (detail as Record<string, unknown>)[key]]);
}

/**
 * Detail values as they survive a jsonb round trip unchanged: NaN and ±Infinity are not
 * JSON numbers, so they are stored as their text.
 */
export function storableDetail(detail: Record<string, string | number | boolean>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(detail)) out[key] = typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
  return out;
}

/** A JS Date as the microsecond ISO text PostgreSQL gives back for it. */
export function microsecondInstant(date: Date): string {
  return date.toISOString().replace(/Z$/, '000Z');
}
