import type { OrgStore } from '../store/org-store.ts';
import type { SyncTransport } from '../sync/transport.ts';
import type { SyncLink } from './active-session.ts';
import type { Clock } from './clock.ts';
import { BREAK_GLASS_UPLOAD_BATCH, markBreakGlassUploaded, pendingBreakGlass } from './break-glass-log.ts';

/**
 * Sends this org's not-yet-uploaded emergency unlocks to the server, a batch at a time,
 * and marks each batch once the server has stored it (the server is idempotent by entry
 * id, so a batch whose answer was lost is simply sent again). Returns how many were sent;
 * a failure (offline, procedure missing) rejects and leaves the rest pending.
 */
export async function uploadPendingBreakGlass(options: {
  store: OrgStore;
  transport: SyncTransport;
  deviceId: string;
  now: () => number;
  signal?: AbortSignal;
}): Promise<number> {
  const { store, transport, deviceId, now, signal } = options;
  let sent = 0;
  for (;;) {
    if (signal?.aborted || !store.db.open) return sent;
    const entries = pendingBreakGlass(store.db, BREAK_GLASS_UPLOAD_BATCH);
    if (entries.length === 0) return sent;
    await transport.uploadBreakGlass({ deviceId, entries }, signal);
    if (!store.db.open) return sent;
    markBreakGlassUploaded(store, entries.map((entry) => entry.id), now());
    sent += entries.length;
  }
}

export interface BreakGlassUploaderOptions {
  store: OrgStore;
  link: SyncLink;
  deviceId: string;
  clock: Clock;
  /** How often the engine's status is looked at for a new good sync. */
  checkEveryMs: number;
}

/**
 * Uploads pending emergency unlocks after good sync cycles of an online session: whenever
 * the engine reports a newer successful sync, and when the workstation ran a cycle itself.
 * (The sync engine has no "cycle succeeded" hook; it reports through its status, which
 * this checks every few seconds, cheaply: one indexed query only when a new sync happened.)
 * Failures are quiet: the entries stay pending and go with a later cycle.
 */
export class BreakGlassUploader {
  private readonly options: BreakGlassUploaderOptions;
  private cancelTimer: (() => void) | null = null;
  private inFlight: Promise<void> | null = null;
  private lastSeenSync: string | null = null;
  private readonly controller = new AbortController();

  constructor(options: BreakGlassUploaderOptions) {
    this.options = options;
  }

  start(): void {
    this.schedule();
  }

  /** A sync cycle just succeeded: upload now (waits for an upload already under way). */
  afterGoodCycle(): Promise<void> {
    if (this.controller.signal.aborted) return Promise.resolve();
    this.inFlight ??= uploadPendingBreakGlass({
      store: this.options.store,
      transport: this.options.link.transport,
      deviceId: this.options.deviceId,
      now: () => this.options.clock.now(),
      signal: this.controller.signal,
    })
      .then(() => undefined, () => undefined)
      .finally(() => {
        this.inFlight = null;
      });
    return this.inFlight;
  }

  async stop(): Promise<void> {
    this.controller.abort();
    this.cancelTimer?.();
    this.cancelTimer = null;
    await this.inFlight;
  }

  private schedule(): void {
    this.cancelTimer = this.options.clock.setTimer(() => {
      this.cancelTimer = null;
      if (this.controller.signal.aborted) return;
      const status = this.options.link.engine.status();
      if (status.online && status.lastError === null && status.lastSyncedAt !== null && status.lastSyncedAt !== this.lastSeenSync) {
        this.lastSeenSync = status.lastSyncedAt;
        void this.afterGoodCycle();
      }
      this.schedule();
    }, this.options.checkEveryMs);
  }
}
