import { AppError } from '../../shared/errors.ts';
import type { Logger } from '../log.ts';
import type { LimitOptions } from './limit-options.ts';
import { RefusalLog } from './refusal-log.ts';
import { NoSlot, TenantConcurrency, type Release } from './tenant-concurrency.ts';
import { TokenBuckets } from './token-buckets.ts';

/** Who is calling, as request entry established it from the session (never from a header). */
export interface LimitedCaller {
  tenantId: string;
  deviceId: string;
}

export const DEVICE_LIMITED = 'This workstation is sending requests faster than the sync server accepts from one workstation. It will try again shortly; nothing was lost.';
export const TENANT_LIMITED = "This organization's workstations are sending requests faster than the sync server accepts from one organization. Please try again shortly; nothing was lost.";
export const TENANT_BUSY = "The sync server is busy with this organization's other requests. Please try again shortly; nothing was lost.";

/**
 * The shortest wait a refusal asks for. Every refused call still costs request entry and
 * its audit entry, so a refused client is sent away for long enough that a whole clinic
 * of refused workstations (which honour the wait) adds little load.
 */
export const MIN_RETRY_AFTER_MS = 1_000;

/**
 * Back-pressure at request entry, once the session is known: a token bucket per device,
 * one per org, and a bounded number of the org's requests in flight (tenant-concurrency.ts).
 * Every refusal is RATE_LIMITED with `retryAfterMs`.
 *
 * The state lives in this process only: in a deployment of N processes each enforces these
 * limits on the share of traffic it receives (docs/scale.md).
 */
export class RequestLimits {
  private readonly devices: TokenBuckets;
  private readonly tenants: TokenBuckets;
  private readonly concurrency: TenantConcurrency;
  private readonly refusals: RefusalLog;

  constructor(options: LimitOptions, log: Logger, now: () => number = Date.now) {
    this.devices = new TokenBuckets(options.device, now);
    this.tenants = new TokenBuckets(options.tenant, now);
    this.concurrency = new TenantConcurrency(options.concurrency);
    this.refusals = new RefusalLog(log, now);
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
export function createRequestLimits(options: LimitOptions | false, log: Logger): RequestLimits | null {
  return options === false ? null : new RequestLimits(options, log);
}
