import { hashOrgToken } from '../auth/org-token.ts';
import type { AuditActor } from '../audit/audit-trail.ts';
import { RecentMap } from '../recent-map.ts';

/** What full request entry established about a bearer token, a moment ago. */
export interface VerifiedSession {
  tenantId: string;
  deviceId: string;
  /** For the aggregated audit entry of calls refused on the strength of this entry. */
  actor: AuditActor;
}

export interface VerifiedSessionOptions {
  /** How long an entry counts after the verification that made it; seconds, far below a session's life. */
  ttlMs: number;
  /** Entries held at most; the least recently verified go first. */
  maxEntries: number;
}

export const VERIFIED_SESSION_DEFAULTS: VerifiedSessionOptions = { ttlMs: 5_000, maxEntries: 10_000 };

/**
 * The sessions request entry verified in the last few seconds, keyed by the SHA-256 of the
 * bearer token (the token itself is never held as a key). Used ONLY to refuse a device or
 * org that is over its limits before request entry runs again (request-limits.ts), never to
 * admit: a call not refused from here goes through full request entry, so a session
 * revoked a moment ago gains nothing from still being listed (at worst it is told
 * RATE_LIMITED for a few more seconds instead of DEVICE_REVOKED). Entries are written only
 * after full entry verified the token for the org it names. At most maxEntries are held,
 * the least recently verified dropped first (RecentMap).
 */
export class VerifiedSessions {
  private readonly options: VerifiedSessionOptions;
  private readonly now: () => number;
  private readonly entries: RecentMap<string, VerifiedSession & { until: number }>;

  constructor(options: VerifiedSessionOptions = VERIFIED_SESSION_DEFAULTS, now: () => number = Date.now) {
    if (!(options.ttlMs > 0) || !(options.maxEntries >= 1)) throw new Error('verified sessions: ttlMs > 0 and maxEntries ≥ 1');
    this.options = options;
    this.now = now;
    this.entries = new RecentMap(options.maxEntries);
  }

  /** Called after full request entry verified `token` as `session`. */
  remember(token: string, session: VerifiedSession): void {
    const key = hashOrgToken(token);
    this.entries.set(key, { tenantId: session.tenantId, deviceId: session.deviceId, actor: { ...session.actor }, until: this.now() + this.options.ttlMs });
  }

  /**
   * The session `token` was verified as within the TTL, provided it was verified for
   * `claimedTenantId` (the org the caller names now); otherwise null, and the call takes
   * the normal path (where a token shown to another org is refused as TENANT_MISMATCH).
   */
  lookup(token: string | null, claimedTenantId: string | null): VerifiedSession | null {
    if (!token || !claimedTenantId) return null;
    const key = hashOrgToken(token);
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (this.now() >= entry.until) {
      this.entries.delete(key);
      return null;
    }
    return entry.tenantId === claimedTenantId ? entry : null;
  }

  /** Entries held (tests and metrics). */
  get size(): number {
    return this.entries.size;
  }
}
