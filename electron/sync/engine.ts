import { SYNCED_DOMAINS } from '../../shared/domains.ts';
import { AppError } from '../../shared/errors.ts';
import { MAX_PUSH_BATCH } from '../../shared/sync/mutation.ts';
import { assertCompatibleProtocol, PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import type { OrgStore } from '../store/org-store.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
import type { SyncStatus } from './sync-status.ts';
import type { SyncTransport } from './transport.ts';

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
}

export type RemovalCode = 'DEVICE_REVOKED' | 'ORG_OFFBOARDED';
export const isRemovalCode = (code: string): code is RemovalCode => code === 'DEVICE_REVOKED' || code === 'ORG_OFFBOARDED';

export type ForeignOrgMessage = 'pull_page' | 'push_ack' | 'poke';

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

  constructor(options: SyncEngineOptions) {
    this.options = { pollIntervalMs: 30_000, fallbackPollMs: 5_000, pullPageSize: 1_000, backoff: DEFAULT_BACKOFF, ...options };
  }

  status(): SyncStatus {
    const pending = this.options.store.db.open ? this.options.store.pendingCount() : 0;
    return { state: this.state, online: this.online, pending, lastSyncedAt: this.lastSyncedAt, lastError: this.lastError };
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
    return this.exclusive(this.controller?.signal ?? new AbortController().signal);
  }

  async run(signal: AbortSignal): Promise<void> {
    this.loopSignal = signal;
    let failures = 0;
    while (!signal.aborted) {
      this.dirty = false;
      try {
        await this.exclusive(signal);
        failures = 0;
      } catch {
        if (signal.aborted) break;
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
    const unsubscribe = this.options.transport.subscribePokes({
      onPoke: (poke) => {
        if (poke.tenantId === this.options.store.tenantId) this.nudge();
        else this.options.onForeignOrg?.('poke');
      },
      // Changes made while the subscription was being set up sent no poke to us.
      onStarted: () => this.nudge(),
      onEnded: () => {
        ended = true;
        if (this.unsubscribePokes === unsubscribe) this.unsubscribePokes = null;
      },
    });
    if (!ended) this.unsubscribePokes = unsubscribe;
  }

  /** Cycles never overlap: a request while one runs waits, then gets a fresh one. */
  private exclusive(signal: AbortSignal): Promise<void> {
    const next = this.chain.then(() => this.cycle(signal));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async cycle(signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw new AppError('STORE_LOCKED', 'Sync has stopped.');
    this.state = 'syncing';
    try {
      await this.push(signal);
      await this.pull(signal);
      this.state = 'idle';
      this.online = true;
      this.lastError = null;
      this.lastSyncedAt = new Date().toISOString();
      this.ensurePokes();
    } catch (cause) {
      const error = cause instanceof AppError ? cause : new AppError('INTERNAL', 'Sync failed on this workstation.', { cause });
      this.state = error.code === 'OFFLINE' ? 'offline' : 'error';
      this.online = error.code !== 'OFFLINE';
      this.lastError = { code: error.code, message: error.message };
      if (isRemovalCode(error.code)) this.options.onRemoved?.(error.code);
      throw error;
    }
  }

  private async push(signal: AbortSignal): Promise<void> {
    const { store, transport, deviceId } = this.options;
    for (let round = 0; round < MAX_PAGES_PER_CYCLE; round++) {
      const mutations = store.pendingBatch(MAX_PUSH_BATCH);
      if (mutations.length === 0) return;
      const result = await transport.push({ protocolVersion: PROTOCOL_VERSION, deviceId, mutations }, signal);
      assertCompatibleProtocol(result.protocolVersion);
      if (signal.aborted) return;
      // An acknowledgement for another org must not clear this org's outbox.
      if (result.tenantId !== store.tenantId) throw this.foreign('push_ack');
      store.settle(result.results, result.serverHlc);
      const settled = new Set(result.results.map((r) => r.mutationId));
      if (!mutations.some((m) => settled.has(m.mutationId))) return; // no progress: retry next cycle
    }
  }

  private async pull(signal: AbortSignal): Promise<void> {
    const { store, transport, pullPageSize } = this.options;
    for (const domain of SYNCED_DOMAINS) {
      for (let round = 0; round < MAX_PAGES_PER_CYCLE; round++) {
        const cursor = store.cursor(domain);
        const page = await transport.pull({ protocolVersion: PROTOCOL_VERSION, domain, cursor, limit: pullPageSize }, signal);
        assertCompatibleProtocol(page.protocolVersion);
        if (signal.aborted) return;
        if (page.domain !== domain) throw new AppError('INTERNAL', 'The sync server answered for the wrong part of the record.');
        if (page.tenantId !== store.tenantId) throw this.foreign('pull_page');
        store.applyPage(page); // checks the org again against the store's stamp, atomically
        if (!page.hasMore || page.cursor === cursor) break;
      }
    }
  }

  private foreign(what: ForeignOrgMessage): AppError {
    this.options.onForeignOrg?.(what);
    return new AppError('STORE_MISMATCH', 'The sync server sent data for another organization. It was refused; nothing changed on this workstation.');
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }
}
