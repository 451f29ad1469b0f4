import { AppError } from '../../shared/errors.ts';
import type { AuditActor, AuditKind, AuditLog } from '../audit/audit-trail.ts';
import type { Logger } from '../log.ts';
import type { LimitOptions } from './limit-options.ts';
import { RefusalAudit } from './refusal-audit.ts';
import { RefusalLog } from './refusal-log.ts';
import { NoSlot, TenantConcurrency, type Release } from './tenant-concurrency.ts';
import { TokenBuckets, type RetryBounds } from './token-buckets.ts';
import { VerifiedSessions } from './verified-sessions.ts';

/** Who is calling, as request entry established it from the session (never from a header). */
export interface LimitedCaller {
  tenantId: string;
  deviceId: string;
}

export const DEVICE_LIMITED = 'This workstation is sending requests faster than the sync server accepts from one workstation. It will try again shortly; nothing was lost.';
export const TENANT_LIMITED = "This organization's workstations are sending requests faster than the sync server accepts from one organization. Please try again shortly; nothing was lost.";
export const TENANT_BUSY = "The sync server is busy with this organization's other requests. Please try again shortly; nothing was lost.";

/**
 * The shortest wait a refusal asks for. A refused call that is not refused early still
 * costs request entry and its audit entry, so a refused client is sent away for long
 * enough that a whole clinic of refused workstations (which honour the wait) adds little load.
 */
export const MIN_RETRY_AFTER_MS = 1_000;

/**
 * Callers refused by a rate are told to come back one token apart (token-buckets.ts), from
 * the floor above to at most a minute: a workstation's longest backoff, so a whole clinic
 * refused at once is never told to wait longer than its own failures would make it.
 */
const RATE_RETRY: RetryBounds = { minMs: MIN_RETRY_AFTER_MS, maxMs: 60_000 };

/**
 * Back-pressure at request entry, once the session is known: a token bucket per device,
 * one per org, and a bounded number of the org's requests in flight (tenant-concurrency.ts).
 * Every refusal is RATE_LIMITED with `retryAfterMs`; callers refused by a rate are given return
 * times one token apart (token-buckets.ts), so a refused clinic comes back spread out.
 *
 * Refusal before request entry: a burst of one device or org must not be able to make the
 * server verify its session in the database and append an audit entry for every refused
 * call. So the sessions entry verified a moment ago are remembered (verified-sessions.ts),
 * and a call whose token was one of them, for the org it names again, is refused at once
 * when its device's or org's bucket is empty or the org's queue is full (`refuseEarly`):
 * the same RATE_LIMITED answer, no database work, audited in aggregate (refusal-audit.ts).
 * That path only ever refuses; every other call goes through request entry and `admit`.
 *
 * The state lives in this process only: in a deployment of N processes each enforces these
 * limits on the share of traffic it receives (docs/scale.md).
 */
export class RequestLimits {
  private readonly devices: TokenBuckets;
  private readonly tenants: TokenBuckets;
  private readonly concurrency: TenantConcurrency;
  private readonly refusals: RefusalLog;
  /** Null without an audit log: an early refusal must be audited, so there is none then. */
  private readonly early: { sessions: VerifiedSessions; audit: RefusalAudit } | null;

  constructor(options: LimitOptions, log: Logger, now: () => number = Date.now, audit: AuditLog | null = null) {
    this.devices = new TokenBuckets(options.device, now, RATE_RETRY);
    this.tenants = new TokenBuckets(options.tenant, now, RATE_RETRY);
    this.concurrency = new TenantConcurrency(options.concurrency);
    this.refusals = new RefusalLog(log, now);
    this.early = audit ? { sessions: new VerifiedSessions(undefined, now), audit: new RefusalAudit(audit, log) } : null;
  }

  /** After request entry verified `token` as this session (and before `admit`): later calls with it may be refused early. */
  remember(token: string | null, session: LimitedCaller & { actor: AuditActor }): void {
    if (token) this.early?.sessions.remember(token, session);
  }

  /**
   * RATE_LIMITED for a call whose token request entry verified moments ago for the org it
   * names, when that device or org is over its limits now; null for every other call (it
   * then takes the full path). Takes nothing from any bucket; the refusal is counted for
   * its aggregated audit entry.
   */
  refuseEarly(credentials: { tenantId: string | null; token: string | null }, call: { action: string; kind: AuditKind }): AppError | null {
    if (!this.early) return null;
    const session = this.early.sessions.lookup(credentials.token, credentials.tenantId);
    if (!session) return null;
    const refusal = this.overLimit(session, call.kind !== 'subscription');
    if (!refusal) return null;
    this.early.audit.refused({ tenantId: session.tenantId, actor: session.actor, action: call.action, kind: call.kind, limit: refusal.limit });
    return this.refuse(session, refusal.limit, refusal.message, refusal.retryAfterMs);
  }

  /** Writes the pending aggregated audit entries (the server calls this when it stops). */
  async close(): Promise<void> {
    await this.early?.audit.flush();
  }

  /**
   * Admits one request (the release must be called when it ends) or throws RATE_LIMITED.
   * `holdsSlot: false` (subscriptions, which live for hours) counts the call against the
   * rates but takes no slot.
   */
  async admit(caller: LimitedCaller, holdsSlot = true): Promise<Release> {
    // Device first: a looping device is stopped without spending its org's budget.
    const device = this.devices.take(caller.deviceId);
    if (!device.ok) throw this.refuse(caller, 'device', DEVICE_LIMITED, device.retryAfterMs);
    const tenant = this.tenants.take(caller.tenantId);
    if (!tenant.ok) {
      this.devices.refund(caller.deviceId);
      throw this.refuse(caller, 'tenant', TENANT_LIMITED, tenant.retryAfterMs);
    }
    if (!holdsSlot) return () => undefined;
    try {
      return await this.concurrency.acquire(caller.tenantId);
    } catch (error) {
      if (error instanceof NoSlot) throw this.refuse(caller, error.message, TENANT_BUSY, error.retryAfterMs);
      throw error;
    }
  }

  /** The limit `admit` would refuse `caller` by now, in its order, with the wait it would give; takes no token. */
  private overLimit(caller: LimitedCaller, holdsSlot: boolean): { limit: string; message: string; retryAfterMs: number } | null {
    const device = this.devices.refusal(caller.deviceId);
    if (device !== null) return { limit: 'device', message: DEVICE_LIMITED, retryAfterMs: device };
    const tenant = this.tenants.refusal(caller.tenantId);
    if (tenant !== null) return { limit: 'tenant', message: TENANT_LIMITED, retryAfterMs: tenant };
    const full = holdsSlot ? this.concurrency.full(caller.tenantId) : null;
    return full ? { limit: full.message, message: TENANT_BUSY, retryAfterMs: full.retryAfterMs } : null;
  }

  /** Keys held in memory, per table (bounded by the devices and orgs active lately). */
  footprint(): { devices: number; tenants: number; busyTenants: number } {
    return { devices: this.devices.size, tenants: this.tenants.size, busyTenants: this.concurrency.size };
  }

  private refuse(caller: LimitedCaller, limit: string, message: string, retryAfterMs: number): AppError {
    const wait = Math.max(MIN_RETRY_AFTER_MS, retryAfterMs);
    this.refusals.refused(caller.tenantId, caller.deviceId, limit, wait);
    return new AppError('RATE_LIMITED', message, { retryAfterMs: wait });
  }
}

/** The limits a server runs with: `false` turns them off (benchmarks of the server's ceiling). */
export function createRequestLimits(options: LimitOptions | false, log: Logger, audit: AuditLog): RequestLimits | null {
  return options === false ? null : new RequestLimits(options, log, Date.now, audit);
}
