import { outcomeOf, type AuditActor, type AuditEntry, type AuditKind, type AuditLog } from '../audit/audit-trail.ts';
import { errorCodeOf, type Logger } from '../log.ts';

/** One window of aggregation: refusals of one session's call are summed over this long. */
export const REFUSAL_AUDIT_WINDOW_MS = 1_000;

export interface RefusedCall {
  tenantId: string;
  actor: AuditActor;
  /** Procedure path, as on a per-call entry. */
  action: string;
  kind: AuditKind;
  /** Which limit refused it: 'device', 'tenant' or 'queue_full'. */
  limit: string;
}

interface Tally {
  call: RefusedCall;
  count: number;
  first: Date;
  last: Date;
}

/**
 * The audit of calls refused before request entry (RequestLimits.refuseEarly). Each of those calls
 * would cost an audit append of its own, the very work a burst must not be able to force,
 * so they are audited in aggregate instead: one entry per (org, session and so device,
 * procedure, limit) per window, in that org's own chain, with `detail.refusedCalls` the
 * exact number refused and the first and last refusal's times. Every window is written
 * when it ends, and whatever is pending when the server stops (`close`), so no refused
 * call goes unaudited. A write that fails (the database away) keeps its counts for the
 * next flush and is logged.
 */
export class RefusalAudit {
  private readonly audit: AuditLog;
  private readonly log: Logger;
  private readonly windowMs: number;
  private readonly now: () => Date;
  private pending = new Map<string, Tally>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(audit: AuditLog, log: Logger, windowMs = REFUSAL_AUDIT_WINDOW_MS, now: () => Date = () => new Date()) {
    this.audit = audit;
    this.log = log;
    this.windowMs = windowMs;
    this.now = now;
  }

  refused(call: RefusedCall): void {
    const key = `${call.tenantId}\u0000${call.actor.sessionId}\u0000${call.action}\u0000${call.limit}`;
    const at = this.now();
    const tally = this.pending.get(key);
    if (tally) {
      tally.count += 1;
      tally.last = at;
    } else {
      this.pending.set(key, { call, count: 1, first: at, last: at });
    }
    this.flushAtWindowEnd();
  }

  /** One timer while anything is pending; unref'd, since close() writes what is left. */
  private flushAtWindowEnd(): void {
    this.timer ??= setTimeout(() => void this.flush(), this.windowMs);
    this.timer.unref?.();
  }

  /** Writes every pending tally (one entry each); resolves once they are committed. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = new Map();
    // Flushes run one after another, so a retried tally never overtakes a newer one.
    this.flushing = this.flushing.then(() => this.write(batch));
    return this.flushing;
  }

  /** Refusals counted and not yet written (tests). */
  get pendingCalls(): number {
    let calls = 0;
    for (const tally of this.pending.values()) calls += tally.count;
    return calls;
  }

  private async write(batch: Map<string, Tally>): Promise<void> {
    await Promise.all(
      [...batch].map(async ([key, tally]) => {
        try {
          await this.audit.record(entryOf(tally));
        } catch (error) {
          this.log({ level: 'error', event: 'audit_not_recorded', action: tally.call.action, tenantId: tally.call.tenantId, refusedCalls: tally.count, error: errorCodeOf(error) });
          this.keep(key, tally);
        }
      }),
    );
  }

  /** A tally that could not be written goes back into the pending ones, added to any newer count. */
  private keep(key: string, tally: Tally): void {
    const newer = this.pending.get(key);
    if (newer) {
      newer.count += tally.count;
      newer.first = tally.first;
    } else {
      this.pending.set(key, tally);
    }
    this.flushAtWindowEnd();
  }
}

function entryOf({ call, count, first, last }: Tally): AuditEntry {
  return {
    tenantId: call.tenantId,
    actor: call.actor,
    action: call.action,
    kind: call.kind,
    entity: null,
    ids: [],
    outcome: outcomeOf('RATE_LIMITED'),
    errorCode: 'RATE_LIMITED',
    detail: { refusedCalls: count, limit: call.limit, firstAt: first.toISOString(), lastAt: last.toISOString(), earlyRefusal: true },
    occurredAt: last,
  };
}
