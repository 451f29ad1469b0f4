import type { ErrorCode } from '../../shared/errors.ts';
import type { Role } from '../../shared/sync/auth.ts';
import type { AuditPage, AuditQuery, AuditVerification } from './audit-read.ts';

export type AuditOutcome = 'ok' | 'denied' | 'refused' | 'error';
export type AuditKind = 'query' | 'mutation' | 'subscription' | 'job' | 'event' | 'admin';

export interface AuditActor {
  userId: string;
  sessionId: string;
  deviceId: string;
  role: Role;
}

/**
 * One audited access: who, which org, which device, what, which ids, how it ended, when.
 * PHI-free by construction: ids, codes, counts; `detail` values are never names or free text.
 */
export interface AuditEntry {
  /** The org the access concerned; null when the request named no org that exists (filed in the unattributed chain). */
  tenantId: string | null;
  actor: AuditActor | null;
  /** Procedure path ("sync.pull"), job or event type ("job:reminders.send"), or admin command ("admin:tenant.create"). */
  action: string;
  kind: AuditKind;
  entity: string | null;
  ids: string[];
  outcome: AuditOutcome;
  errorCode: ErrorCode | null;
  detail: Record<string, string | number | boolean>;
  occurredAt: Date;
}

/** The chain that entries with no org (`tenantId: null`) are filed in: the nil UUID. */
export const UNATTRIBUTED_TENANT_ID = '00000000-0000-0000-0000-000000000000';

/**
 * The audit domain's service: append-only, hash-chained per tenant. Requests, jobs,
 * events and admin commands all write through `record` (fail closed: if it throws, the
 * work it describes must fail too).
 */
export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  /** One org's entries (or the unattributed chain's), newest first, in keyset pages. */
  list(tenantId: string, query: AuditQuery): Promise<AuditPage>;
  /** Recomputes one chain from its first entry to its head and reports every break. */
  verify(tenantId: string): Promise<AuditVerification>;
}

/**
 * Request-scoped collector. The audit middleware creates one per call; request entry sets
 * the org and actor, handlers say which entity and ids they read or wrote, and the
 * middleware writes one entry when the call ends, whatever the outcome.
 */
export class AuditTrail {
  tenantId: string | null = null;
  actor: AuditActor | null = null;
  entity: string | null = null;
  readonly ids: string[] = [];
  readonly detail: Record<string, string | number | boolean> = {};

  /** Handlers call this for every entity they return or change. */
  touched(entity: string, ids: Iterable<string>): void {
    this.entity = this.entity === null || this.entity === entity ? entity : 'mixed';
    for (const id of ids) this.ids.push(id);
  }

  note(key: string, value: string | number | boolean): void {
    this.detail[key] = value;
  }
}

const REFUSED: ReadonlySet<ErrorCode> = new Set([
  'TENANT_REQUIRED',
  'TENANT_UNKNOWN',
  'TENANT_MISMATCH',
  'TENANT_SUSPENDED',
  'ORG_OFFBOARDED',
  'DEVICE_REVOKED',
  'DEVICE_NOT_ENROLLED',
  'UNAUTHENTICATED',
  'INVALID_CREDENTIALS',
  'ACCOUNT_LOCKED',
  // Back-pressure and the sign-in throttle: the caller was turned away, nothing failed.
  'RATE_LIMITED',
]);

export function outcomeOf(errorCode: ErrorCode | null): AuditOutcome {
  if (errorCode === null) return 'ok';
  if (errorCode === 'FORBIDDEN') return 'denied';
  return REFUSED.has(errorCode) ? 'refused' : 'error';
}
