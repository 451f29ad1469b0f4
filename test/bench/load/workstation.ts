import { createSyncTransport, type SyncTransport } from '../../../electron/sync/transport.ts';
import { SYNCED_DOMAINS, type SyncedDomain } from '../../../shared/domains.ts';
import { HybridClock } from '../../../shared/hlc.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import { PROTOCOL_VERSION } from '../../../shared/sync/version.ts';
import { patientFields } from '../../../sync-server/testing/harness.ts';
import type { DeviceSession } from './provision.ts';
import type { Outcome } from './stats.ts';

/** What a simulated workstation does when poked: pull at once (the sync engine's behaviour) or note it for a later catch-up. */
export type PokeReaction = 'pull' | 'defer';

export type OpKind = 'connect' | 'push' | 'pull' | 'pokePull';

export type Recorder = (kind: OpKind, latencyMs: number, outcome: Outcome) => void;

const SUBSCRIBE_TIMEOUT_MS = 30_000;

/**
 * One simulated workstation: the workstation's own sync transport (electron/sync/transport.ts:
 * the tRPC WebSocket subscription for pokes; pushes and pulls over that socket once the
 * subscription is up, one HTTP request each without one), driven
 * the way electron/sync/engine.ts drives it, without the encrypted store: a first cycle
 * pulls every domain from the start; a poke marks its domain, and one cycle at a time
 * pulls the marked domains from the device's cursors until the feed has no more.
 */
export class SimulatedWorkstation {
  readonly device: DeviceSession;
  private readonly transport: SyncTransport;
  private readonly clock: HybridClock;
  private readonly cursors = new Map<SyncedDomain, string>(SYNCED_DOMAINS.map((domain) => [domain, '0']));
  private readonly poked = new Set<SyncedDomain>();
  private cycle: Promise<void> | null = null;
  private nextPull = 0;
  private pushes = 0;
  reaction: PokeReaction = 'pull';
  /** The poke subscription is live. */
  connected = false;
  pokes = 0;
  /** Where its operations are counted (the probe points a listening desk at each run's tally). */
  recordOp: Recorder;
  private unsubscribe: (() => void) | null = null;

  constructor(serverUrl: string, device: DeviceSession, recordOp: Recorder, options: { subscribe: boolean } = { subscribe: true }) {
    this.device = device;
    this.recordOp = recordOp;
    this.transport = createSyncTransport(serverUrl, { tenantId: device.tenantId, token: device.token });
    this.clock = new HybridClock(`load-${device.deviceId.slice(-12)}`);
    if (!options.subscribe) this.connected = true;
  }

  /** Subscribes to pokes, waits until the server holds the subscription, then runs the first (full) cycle. */
  async connect(): Promise<void> {
    const started = performance.now();
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(codeError('SUBSCRIBE_TIMEOUT')), SUBSCRIBE_TIMEOUT_MS);
        this.unsubscribe = this.transport.subscribePokes({
          onPoke: (poke) => this.onPoke(poke.domain),
          onStarted: () => {
            clearTimeout(timer);
            this.connected = true;
            resolve();
          },
          onEnded: () => {
            clearTimeout(timer);
            this.connected = false;
            this.unsubscribe = null;
            reject(codeError('SUBSCRIPTION_ENDED')); // no-op once started
          },
        });
      });
      for (const domain of SYNCED_DOMAINS) await this.pullToEnd(domain, null);
      this.recordOp('connect', performance.now() - started, { ok: true });
    } catch (error) {
      this.recordOp('connect', performance.now() - started, { ok: false, code: codeOf(error) });
      throw error;
    }
  }

  /** One small push: a new patient (one mutation), as a front desk registers one. */
  async push(): Promise<void> {
    const started = performance.now();
    const n = this.pushes++;
    let outcome: Outcome;
    try {
      const result = await this.transport.push({
        protocolVersion: PROTOCOL_VERSION,
        deviceId: this.device.deviceId,
        mutations: [{ mutationId: uuidv7(), entity: 'patient', id: uuidv7(), op: 'upsert', fields: patientFields({ mrn: `L${this.device.deviceId.slice(-8)}-${n}` }), hlc: this.clock.tick(), baseVersion: null }],
      });
      const answer = result.results[0];
      outcome = answer && (answer.status === 'applied' || answer.status === 'duplicate') ? { ok: true } : { ok: false, code: `rejected:${answer?.code ?? 'none'}` };
    } catch (error) {
      outcome = { ok: false, code: codeOf(error) };
    }
    this.recordOp('push', performance.now() - started, outcome);
  }

  /** One pull request of the next domain in turn, from this device's cursor (a poll). */
  async pull(): Promise<void> {
    const domain = SYNCED_DOMAINS[this.nextPull++ % SYNCED_DOMAINS.length]!;
    await this.pullPage(domain, 'pull').catch(() => undefined);
  }

  /** Pulls what pokes marked while the reaction was 'defer' (one cycle). */
  catchUp(): Promise<void> {
    return this.runCycle();
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    await this.transport.close();
  }

  private onPoke(domain: SyncedDomain): void {
    this.pokes += 1;
    this.poked.add(domain);
    if (this.reaction === 'pull') void this.runCycle();
  }

  /** Cycles never overlap: pokes arriving during one are pulled by the next, as in the engine. */
  private runCycle(): Promise<void> {
    if (this.cycle) return this.cycle;
    this.cycle = (async () => {
      while (this.poked.size > 0) {
        const domains = [...this.poked];
        this.poked.clear();
        for (const domain of domains) await this.pullToEnd(domain, 'pokePull').catch(() => undefined);
      }
    })().finally(() => (this.cycle = null));
    return this.cycle;
  }

  private async pullToEnd(domain: SyncedDomain, kind: OpKind | null): Promise<void> {
    while (await this.pullPage(domain, kind));
  }

  /** One page; true when the feed has more. `kind` null: not recorded (part of connect). */
  private async pullPage(domain: SyncedDomain, kind: OpKind | null): Promise<boolean> {
    const started = performance.now();
    try {
      const page = await this.transport.pull({ protocolVersion: PROTOCOL_VERSION, domain, cursor: this.cursors.get(domain)! });
      if (page.tenantId !== this.device.tenantId) throw codeError('FOREIGN_ORG_PAGE');
      this.cursors.set(domain, page.cursor);
      if (kind) this.recordOp(kind, performance.now() - started, { ok: true });
      return page.hasMore;
    } catch (error) {
      if (kind) this.recordOp(kind, performance.now() - started, { ok: false, code: codeOf(error) });
      throw error;
    }
  }
}

function codeError(code: string): Error & { code: string } {
  return Object.assign(new Error(code), { code });
}

/** The AppError code a transport failure carries (the transport turns every failure into one). */
export function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'UNKNOWN';
}
