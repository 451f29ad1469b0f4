import type { SyncedDomain } from '../../shared/domains.ts';
import type { PokeBus } from '../bus/poke-bus.ts';

export interface SyncLagOptions {
  /** An org stays tracked (and labelled) this long after its last push or pull on this process. */
  windowMs: number;
  /** At most this many orgs are tracked; the one idle longest makes room. */
  maxTenants: number;
  /** Called when a pull reads past writes: the age of the oldest of them. */
  onCovered: (domain: SyncedDomain, seconds: number) => void;
  now?: () => number;
}

/** Writes waiting per domain, in arrival order; beyond this the newest replaces the last (the oldest is what counts). */
const MAX_PENDING = 1_000;

interface TrackedTenant {
  lastActive: number;
  pending: Map<SyncedDomain, number[]>;
  stop: (() => void) | null;
  closed: boolean;
}

/**
 * Sync lag, measured from what this process sees, without storing anything per device:
 * - a write: every feed write is followed, after commit, by a poke on the bus (pokeOrgs), and
 *   the bus delivers every org's pokes to every process (NATS: one consumer over all orgs);
 *   so for each active org this tracker subscribes and notes when each write was heard. Writes
 *   of one org and domain within POKE_WINDOW_MS share one poke (bus/poke-coalescing.ts), so
 *   a burst counts as one write, heard up to that window late;
 * - a pull past it: a pull of that org and domain that started after the write and reached the
 *   end of the feed (hasMore false) has read every write committed before it started.
 * The lag of a write is the time until the first such pull on this process; the org's gauge is
 * the age of its oldest write not yet pulled past (of the domains pulled here). Only active orgs (a push or pull here in the
 * last window) are tracked, which bounds both memory and the gauge's label cardinality; a
 * write made before an org became active is not seen.
 */
export class SyncLagTracker {
  private readonly bus: PokeBus;
  private readonly options: SyncLagOptions;
  private readonly now: () => number;
  private readonly tenants = new Map<string, TrackedTenant>();

  constructor(bus: PokeBus, options: SyncLagOptions) {
    this.bus = bus;
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  /** The org synced on this process (a successful push or pull). */
  activate(tenantId: string): void {
    const at = this.now();
    const known = this.tenants.get(tenantId);
    if (known) {
      known.lastActive = at;
      // Most recently active last, so the first entry is the one to evict.
      this.tenants.delete(tenantId);
      this.tenants.set(tenantId, known);
      return;
    }
    this.prune(at);
    while (this.tenants.size >= this.options.maxTenants) this.drop(this.tenants.keys().next().value!);
    const tracked: TrackedTenant = { lastActive: at, pending: new Map(), stop: null, closed: false };
    this.tenants.set(tenantId, tracked);
    this.bus
      .subscribe(tenantId, (event) => this.heard(tracked, event.domain))
      .then((stop) => (tracked.closed ? stop() : (tracked.stop = stop)))
      .catch(() => undefined); // a bus that cannot subscribe leaves this org unmeasured, never a request failed
  }

  /**
   * A pull of the org's domain that started at `startedAt` reached the end of the feed. From
   * the first one on, the domain's writes are timed: a domain this org's devices never pull
   * here (a role without it) is not counted as lagging for ever.
   */
  pulledToEnd(tenantId: string, domain: SyncedDomain, startedAt: number): void {
    const tracked = this.tenants.get(tenantId);
    if (!tracked) return;
    const pending = tracked.pending.get(domain);
    if (!pending) return void tracked.pending.set(domain, []);
    if (pending.length === 0 || pending[0]! >= startedAt) return;
    this.options.onCovered(domain, (this.now() - pending[0]!) / 1000);
    let covered = 0;
    while (covered < pending.length && pending[covered]! < startedAt) covered++;
    pending.splice(0, covered);
  }

  /** Each active org's oldest write not yet pulled past, in seconds (0 when none waits). */
  lagSeconds(): Map<string, number> {
    const at = this.now();
    this.prune(at);
    const lag = new Map<string, number>();
    for (const [tenantId, tracked] of this.tenants) {
      let oldest = at;
      for (const pending of tracked.pending.values()) if (pending.length > 0) oldest = Math.min(oldest, pending[0]!);
      lag.set(tenantId, (at - oldest) / 1000);
    }
    return lag;
  }

  close(): void {
    for (const tenantId of [...this.tenants.keys()]) this.drop(tenantId);
  }

  private heard(tracked: TrackedTenant, domain: SyncedDomain): void {
    const pending = tracked.pending.get(domain);
    if (!pending) return; // not pulled here yet: see pulledToEnd
    if (pending.length < MAX_PENDING) pending.push(this.now());
    else pending[pending.length - 1] = this.now();
  }

  private prune(at: number): void {
    for (const [tenantId, tracked] of this.tenants) if (at - tracked.lastActive > this.options.windowMs) this.drop(tenantId);
  }

  private drop(tenantId: string): void {
    const tracked = this.tenants.get(tenantId);
    if (!tracked) return;
    this.tenants.delete(tenantId);
    tracked.closed = true;
    tracked.stop?.();
  }
}
