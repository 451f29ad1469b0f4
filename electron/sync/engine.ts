import { SYNCED_DOMAINS, type SyncedDomain } from '../../shared/domains.ts';
import { AppError } from '../../shared/errors.ts';
import { MAX_PUSH_BATCH } from '../../shared/sync/mutation.ts';
import { assertCompatibleProtocol, PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import type { OrgStore } from '../store/org-store.ts';
import type { PullPage } from '../../shared/sync/pull.ts';
import { backoffDelay, DEFAULT_BACKOFF, retryAfterDelay, type BackoffOptions } from './backoff.ts';
import { BootstrapTracker } from './bootstrap-progress.ts';
import { ChecksumCheck, pendingInDomain, readChecksumReports, type ChecksumReport } from './checksum-check.ts';
import type { SyncStatus } from './sync-status.ts';
import type { SyncTransport } from './transport.ts';
import { pushWithinBytes } from './push-within-bytes.ts';

export interface SyncEngineOptions {
  store: OrgStore;
  transport: SyncTransport;
  deviceId: string;
  /** Poll while pokes are live (a safety net: a poke is only a hint). */
  pollIntervalMs?: number;
  /** Poll while the poke subscription is down (server restarting, proxy dropping WebSockets). */
  fallbackPollMs?: number;
  backoff?: BackoffOptions;
  pullPageSize?: number;
  /**
   * Told when the server sent something for another org than the open store (a page, an
   * acknowledgement or a poke). It was refused; the report names what, never any data.
   */
  onForeignOrg?: (what: ForeignOrgMessage) => void;
  /**
   * Told when the server says this device may no longer hold the org (revoked device,
   * offboarded org). The owner stops the engine and wipes the org; the engine only reports.
   */
  onRemoved?: (code: RemovalCode) => void;
  /** The sync protocol this workstation speaks (default PROTOCOL_VERSION); tests run a neighbour version. */
  protocolVersion?: number;
  /** How often each domain is compared with the server by checksum (checksum-check.ts); 0 turns it off. */
  checksumIntervalMs?: number;
  /** PHI-free events (e.g. a checksum mismatch and its resync). */
  log?: (event: string, fields: Record<string, string>) => void;
}

export type RemovalCode = 'DEVICE_REVOKED' | 'ORG_OFFBOARDED';
export const isRemovalCode = (code: string): code is RemovalCode => code === 'DEVICE_REVOKED' || code === 'ORG_OFFBOARDED';

export type ForeignOrgMessage = 'pull_page' | 'push_ack' | 'poke';

/** Changes per pull page, unless the owner says otherwise (the bench's insert ceiling uses it too). */
export const DEFAULT_PULL_PAGE_SIZE = 1_000;

/**
 * Lets an HTTP request just made leave the process before a long synchronous store write
 * blocks the event loop (the HTTP client writes it on a later turn of the loop).
 */
const requestOnItsWay = () => new Promise<void>((resolve) => setTimeout(() => setImmediate(resolve), 0));

/** Below this many changes a page is written in well under a millisecond: no need to let the next request leave first. */
const PIPELINE_MIN_CHANGES = 50;

/** See pull(): the first page of each domain, small so the desk has something to write at once. */
const FIRST_PAGE_SIZE = 500;

/** Bounds one cycle so a server that keeps saying "more" cannot pin the loop. */
const MAX_PAGES_PER_CYCLE = 1_000;

/**
 * Push the outbox, then pull every synced domain, in a loop driven by an AbortSignal:
 * woken by pokes and local writes, polling as a fallback, backing off with jitter while
 * the server is away. Failures become status (state/lastError), never an unhandled throw;
 * the local store keeps serving reads and writes throughout.
 */
export class SyncEngine {
  private readonly options: Required<Omit<SyncEngineOptions, 'backoff' | 'onForeignOrg' | 'onRemoved'>> & Pick<SyncEngineOptions, 'onForeignOrg' | 'onRemoved'> & { backoff: BackoffOptions };
  private state: SyncStatus['state'] = 'idle';
  private online = false;
  private lastSyncedAt: string | null = null;
  private lastError: SyncStatus['lastError'] = null;
  private chain: Promise<void> = Promise.resolve();
  private wake: (() => void) | null = null;
  private dirty = false;
  private controller: AbortController | null = null;
  private loop: Promise<void> | null = null;
  private loopSignal: AbortSignal | null = null;
  private unsubscribePokes: (() => void) | null = null;
  /** Domains poked since the loop's last cycle began: a poked cycle pulls only these. */
  private readonly poked = new Set<SyncedDomain>();
  /** The loop's next cycle pulls every domain (first cycle, poll, after a failure, pokes (re)started). */
  private pullAll = true;
  private readonly bootstrap: BootstrapTracker;
  private readonly checksums: ChecksumCheck;
  /** The first periodic check waits one interval: right after a bootstrap there is nothing to doubt. */
  private lastChecksumAt = Date.now();

  constructor(options: SyncEngineOptions) {
    this.options = {
      pollIntervalMs: 30_000,
      fallbackPollMs: 5_000,
      pullPageSize: DEFAULT_PULL_PAGE_SIZE,
      backoff: DEFAULT_BACKOFF,
      protocolVersion: PROTOCOL_VERSION,
      checksumIntervalMs: 15 * 60_000,
      log: () => undefined,
      ...options,
    };
    const { store, transport, protocolVersion, pullPageSize, log } = this.options;
    this.bootstrap = new BootstrapTracker(store.db);
    this.checksums = new ChecksumCheck({ store, transport, protocolVersion, pullPageSize, log, checkPage: (page, domain) => this.checkPage(page, domain) });
  }

  status(): SyncStatus {
    const open = this.options.store.db.open;
    const pending = open ? this.options.store.pendingCount() : 0;
    return {
      state: this.state,
      online: this.online,
      pending,
      lastSyncedAt: this.lastSyncedAt,
      lastError: this.lastError,
      bootstrap: open ? this.bootstrap.progress() : null,
      checksums: open ? readChecksumReports(this.options.store.db) : [],
    };
  }

  /** Compares every domain with the server now (skipping those that cannot be compared yet); runs between cycles. */
  checkChecksumsNow(): Promise<ChecksumReport[]> {
    const signal = this.controller?.signal ?? new AbortController().signal;
    let reports: ChecksumReport[] = [];
    const next = this.chain.then(async () => {
      reports = await this.checkAllDomains(signal);
    });
    this.chain = next.catch(() => undefined);
    return next.then(() => reports);
  }

  start(): void {
    if (this.controller) return;
    this.controller = new AbortController();
    this.loop = this.run(this.controller.signal);
  }

  /** Stops the loop and waits for an in-flight cycle, so the store can be closed safely. */
  async stop(): Promise<void> {
    this.controller?.abort();
    await this.loop;
    await this.chain;
    this.controller = null;
    this.loop = null;
  }

  /** Ask for a cycle soon (a poke arrived, or a local write wants pushing). */
  nudge(): void {
    this.dirty = true;
    if (this.state !== 'offline' && this.state !== 'error') this.wake?.();
  }

  /** One full push + pull now; rejects with the AppError that stopped it. */
  syncNow(): Promise<void> {
    return this.exclusive(this.controller?.signal ?? new AbortController().signal, SYNCED_DOMAINS);
  }

  async run(signal: AbortSignal): Promise<void> {
    this.loopSignal = signal;
    let failures = 0;
    while (!signal.aborted) {
      this.dirty = false;
      try {
        await this.exclusive(signal, 'loop');
        failures = 0;
      } catch (error) {
        if (signal.aborted) break;
        this.pullAll = true; // what a failed cycle was to pull is not known to be pulled
        const asked = askedToWait(error);
        if (asked !== null) {
          // The server is up and said when to come back: not a failure, so no backoff step,
          // and neither pokes nor local writes bring the next cycle forward.
          await this.sleep(retryAfterDelay(asked), signal, false);
          continue;
        }
        failures += 1;
      }
      if (failures === 0 && this.dirty) continue;
      const poll = this.unsubscribePokes ? this.options.pollIntervalMs : this.options.fallbackPollMs;
      await this.sleep(failures === 0 ? poll : backoffDelay(failures, this.options.backoff), signal);
    }
    this.unsubscribePokes?.();
    this.unsubscribePokes = null;
    this.loopSignal = null;
  }

  /**
   * (Re)subscribes to pokes after a good cycle (any cycle, syncNow included) while the
   * loop runs: a subscription the server ended (restart, expired session) comes back as
   * soon as the server is reachable again, without waiting for the next poll.
   */
  private ensurePokes(): void {
    if (this.unsubscribePokes || !this.loopSignal || this.loopSignal.aborted) return;
    let ended = false;
    // Declared first: a transport may end the subscription before subscribePokes returns.
    let unsubscribe: (() => void) | undefined;
    unsubscribe = this.options.transport.subscribePokes({
      onPoke: (poke) => {
        if (poke.tenantId !== this.options.store.tenantId) return this.options.onForeignOrg?.('poke');
        this.poked.add(poke.domain);
        this.nudge();
      },
      // Changes made while the subscription was being set up sent no poke to us.
      onStarted: () => {
        this.pullAll = true;
        this.nudge();
      },
      onEnded: () => {
        ended = true;
        if (unsubscribe && this.unsubscribePokes === unsubscribe) this.unsubscribePokes = null;
      },
    });
    if (!ended) this.unsubscribePokes = unsubscribe;
  }

  /**
   * Cycles never overlap: a request while one runs waits, then gets a fresh one. The loop's
   * cycles pull what `loopScope` says, decided when the cycle starts (a poke arriving during
   * it is for the next one).
   */
  private exclusive(signal: AbortSignal, scope: readonly SyncedDomain[] | 'loop'): Promise<void> {
    const next = this.chain.then(() => this.cycle(signal, scope === 'loop' ? this.loopScope() : scope));
    this.chain = next.catch(() => undefined);
    return next;
  }

  /**
   * While pokes flow, a cycle pulls only the domains poked since the last one (a desk's
   * change reaches the other desks in one round trip, not one per domain); otherwise, and
   * after any doubt (first cycle, poll timer, failure, subscription (re)started), all.
   */
  private loopScope(): readonly SyncedDomain[] {
    const all = this.pullAll || !this.unsubscribePokes;
    this.pullAll = false;
    const scope = all ? SYNCED_DOMAINS : SYNCED_DOMAINS.filter((domain) => this.poked.has(domain));
    this.poked.clear();
    return scope;
  }

  private async cycle(signal: AbortSignal, pullDomains: readonly SyncedDomain[]): Promise<void> {
    if (signal.aborted) throw new AppError('STORE_LOCKED', 'Sync has stopped.');
    this.state = 'syncing';
    try {
      // Domains with unsent edits are pulled first, so an edit another desk made meanwhile
      // meets this desk's edit while it is still unsent: the merge then keeps the losing
      // value in the conflict log (after the push it would be an ordinary newer change).
      // While pokes flow, a domain nobody poked has nothing newer on the server to meet.
      await this.pull(signal, this.domainsWithPendingEdits().filter((domain) => pullDomains.includes(domain)));
      await this.push(signal);
      await this.pull(signal, pullDomains);
      await this.periodicChecksums(signal);
      this.state = 'idle';
      this.online = true;
      this.lastError = null;
      this.lastSyncedAt = new Date().toISOString();
      this.ensurePokes();
    } catch (cause) {
      const error = cause instanceof AppError ? cause : new AppError('INTERNAL', 'Sync failed on this workstation.', { cause });
      // Told to wait (RATE_LIMITED with retryAfterMs), the engine is online and idle, not failing.
      this.state = error.code === 'OFFLINE' ? 'offline' : askedToWait(error) !== null ? 'idle' : 'error';
      this.online = error.code !== 'OFFLINE';
      this.lastError = { code: error.code, message: error.message };
      if (isRemovalCode(error.code)) this.options.onRemoved?.(error.code);
      throw error;
    }
  }

  private async push(signal: AbortSignal): Promise<void> {
    const { store, transport, deviceId } = this.options;
    for (let round = 0; round < MAX_PAGES_PER_CYCLE; round++) {
      const mutations = pushWithinBytes(store.pendingBatch(MAX_PUSH_BATCH));
      if (mutations.length === 0) return;
      const result = await transport.push({ protocolVersion: this.options.protocolVersion, deviceId, mutations }, signal);
      assertCompatibleProtocol(result.protocolVersion, this.options.protocolVersion, 'server');
      if (signal.aborted) return;
      // An acknowledgement for another org must not clear this org's outbox.
      if (result.tenantId !== store.tenantId) throw this.foreign('push_ack');
      store.settle(result.results, result.serverHlc);
      const settled = new Set(result.results.map((r) => r.mutationId));
      if (!mutations.some((m) => settled.has(m.mutationId))) return; // no progress: retry next cycle
    }
  }

  /**
   * Pulls `domains` in order, page by page, pipelined: the next request (the same domain
   * from the cursor this page will leave, or the next domain from its stored cursor) is on
   * its way before this page is written, so the server reads while this desk encrypts and
   * writes. Only the store's cursor ever moves, with its page, in one transaction; a page
   * asked ahead of one that fails is dropped, and the next cycle starts from the store.
   */
  private async pull(signal: AbortSignal, domains: readonly SyncedDomain[] = SYNCED_DOMAINS): Promise<void> {
    const { store, transport, pullPageSize, protocolVersion } = this.options;
    // A first download's first request also asks for the rows still to come (bootstrap-progress.ts).
    let countAfter = this.bootstrap.countRequest(domains, (domain) => store.cursor(domain));
    const request = (domain: SyncedDomain, cursor: string, limit = pullPageSize) => {
      const answer = transport.pull({ protocolVersion, domain, cursor, limit, ...(countAfter ? { countAfter } : {}) }, signal);
      countAfter = undefined;
      answer.catch(() => undefined); // a page asked ahead may never be awaited
      return { domain, cursor, answer };
    };
    // A domain's first page is small: it comes back (and starts being written) sooner, while
    // the full pages behind it are read on the server.
    const firstPage = (index: number) => {
      const domain = domains[index];
      return domain === undefined ? undefined : request(domain, store.cursor(domain), Math.min(pullPageSize, FIRST_PAGE_SIZE));
    };
    let index = 0;
    let next = firstPage(index);
    let round = 0;
    while (next) {
      const { domain, cursor, answer } = next;
      const page = await answer;
      assertCompatibleProtocol(page.protocolVersion, protocolVersion, 'server');
      if (signal.aborted) return;
      this.checkPage(page, domain);
      this.bootstrap.counts(page.remaining);
      // Bounded per domain, so a server that keeps saying "more" cannot pin the loop.
      const more = page.hasMore && page.cursor !== cursor && ++round < MAX_PAGES_PER_CYCLE;
      if (!more) round = 0;
      next = more ? request(domain, page.cursor) : firstPage(++index);
      // Worth a turn of the loop only before a write long enough to delay the request.
      if (next && page.changes.length >= PIPELINE_MIN_CHANGES) await requestOnItsWay();
      this.bootstrap.apply(store, page); // page, cursor and progress in one transaction; the org is checked again against the store's stamp
    }
  }

  private checkPage(page: PullPage, domain: SyncedDomain): void {
    if (page.domain !== domain) throw new AppError('INTERNAL', 'The sync server answered for the wrong part of the record.');
    if (page.tenantId !== this.options.store.tenantId) throw this.foreign('pull_page');
  }

  private domainsWithPendingEdits(): SyncedDomain[] {
    return SYNCED_DOMAINS.filter((domain) => pendingInDomain(this.options.store.db, domain));
  }

  private async periodicChecksums(signal: AbortSignal): Promise<void> {
    const interval = this.options.checksumIntervalMs;
    if (interval <= 0 || Date.now() - this.lastChecksumAt < interval) return;
    await this.checkAllDomains(signal);
  }

  private async checkAllDomains(signal: AbortSignal): Promise<ChecksumReport[]> {
    const reports: ChecksumReport[] = [];
    for (const domain of SYNCED_DOMAINS) {
      const report = await this.checksums.check(domain, signal);
      if (report) reports.push(report);
    }
    this.lastChecksumAt = Date.now();
    return reports;
  }

  private foreign(what: ForeignOrgMessage): AppError {
    this.options.onForeignOrg?.(what);
    return new AppError('STORE_MISMATCH', 'The sync server sent data for another organization. It was refused; nothing changed on this workstation.');
  }

  /** Sleeps `ms`; a nudge ends it early unless `wakeable` is false (the server asked for the wait). */
  private sleep(ms: number, signal: AbortSignal, wakeable = true): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(() => {
        this.pullAll = true; // woken by the timer: a poll (or a retry), so everything
        done();
      }, ms);
      signal.addEventListener('abort', done, { once: true });
      this.wake = wakeable ? done : null;
    });
  }
}

/** The wait a RATE_LIMITED answer asked for, or null for any other failure. */
function askedToWait(error: unknown): number | null {
  return error instanceof AppError && error.code === 'RATE_LIMITED' && error.retryAfterMs !== undefined ? error.retryAfterMs : null;
}
