import type { Logger } from '../log.ts';

/** At most one warning per org in this long, however fast its calls are refused. */
export const REFUSAL_LOG_INTERVAL_MS = 10_000;

/**
 * Logs RATE_LIMITED refusals without letting a burst flood the log: the first refusal of
 * an org is logged at once, later ones are counted and reported with the org's next
 * warning (`suppressed`). Ids, the limit and the wait only; never request contents.
 */
export class RefusalLog {
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly quiet = new Map<string, { loggedAt: number; suppressed: number }>();

  constructor(log: Logger, now: () => number = Date.now) {
    this.log = log;
    this.now = now;
  }

  refused(tenantId: string, deviceId: string, limit: string, retryAfterMs: number): void {
    const now = this.now();
    const entry = this.quiet.get(tenantId);
    if (entry && now - entry.loggedAt < REFUSAL_LOG_INTERVAL_MS) {
      entry.suppressed += 1;
      return;
    }
    this.log({ level: 'warn', event: 'rate_limited', tenantId, deviceId, limit, retryAfterMs, suppressed: entry?.suppressed ?? 0 });
    // Orgs quiet for a whole interval are forgotten, so the table holds only orgs refused lately.
    for (const [key, value] of this.quiet) if (now - value.loggedAt >= REFUSAL_LOG_INTERVAL_MS) this.quiet.delete(key);
    this.quiet.set(tenantId, { loggedAt: now, suppressed: 0 });
  }
}
