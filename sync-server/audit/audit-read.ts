import { z } from 'zod';
import { idSchema } from '../../shared/ids.ts';
import type { AuditKind, AuditOutcome } from './audit-trail.ts';

const KINDS = ['query', 'mutation', 'subscription', 'job', 'event', 'admin'] as const satisfies readonly AuditKind[];
const OUTCOMES = ['ok', 'denied', 'refused', 'error'] as const satisfies readonly AuditOutcome[];

/**
 * One stored audit entry, exactly as hashed (sync-server/audit/chain-hash.ts). `seq` numbers
 * the org's chain 1, 2, 3…; `occurredAt` is ISO-8601 UTC with microseconds, as stored.
 */
export interface AuditRecord {
  tenantId: string;
  seq: number;
  id: string;
  occurredAt: string;
  actorUserId: string | null;
  actorSessionId: string | null;
  actorDeviceId: string | null;
  actorRole: string | null;
  action: string;
  kind: AuditKind;
  entity: string | null;
  ids: string[];
  outcome: AuditOutcome;
  errorCode: string | null;
  detail: Record<string, string | number | boolean>;
  prevHash: string;
  hash: string;
}

const instant = z.string().datetime({ offset: true, message: 'must be an ISO-8601 date and time' });

/** Filters and keyset paging for reading one org's trail, newest first. */
export const auditQuerySchema = z
  .object({
    /** Keyset cursor: entries with a lower seq than this (the previous page's `nextBefore`). */
    before: z.number().int().positive().optional(),
    limit: z.number().int().min(1).max(500).default(100),
    action: z.string().min(1).max(100).optional(),
    kind: z.enum(KINDS).optional(),
    outcome: z.enum(OUTCOMES).optional(),
    actorUserId: idSchema.optional(),
    deviceId: idSchema.optional(),
    entity: z.string().min(1).max(64).optional(),
    /** Entries that touched this id. */
    entityId: z.string().min(1).max(64).optional(),
    /** occurredAt >= from */
    from: instant.optional(),
    /** occurredAt < to */
    to: instant.optional(),
  })
  .strict();

export type AuditQuery = z.infer<typeof auditQuerySchema>;

export interface AuditPage {
  entries: AuditRecord[];
  /** Pass as `before` for the next (older) page; null when this was the last. */
  nextBefore: number | null;
}

/**
 * What verification found, by the seq it concerns:
 * - edited: the row's fields no longer hash to its stored hash, or its hash was rewritten
 *   (then the next row's prev_hash points nowhere);
 * - missing: a seq between 1 and the chain head has no row (deleted);
 * - reordered: a row's prev_hash names a row that stands elsewhere in the chain;
 * - head_mismatch: the chain head does not name the last row (deleted tail, or rows
 *   written past the head).
 */
export type AuditProblemKind = 'edited' | 'missing' | 'reordered' | 'head_mismatch';

export interface AuditProblem {
  seq: number;
  kind: AuditProblemKind;
}

export interface AuditVerification {
  ok: boolean;
  /** Rows read and checked. */
  entries: number;
  problems: AuditProblem[];
  /** True when there were more problems than the report lists (it stops at 1,000). */
  truncated: boolean;
}
