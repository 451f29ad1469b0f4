import { errorCodeOf } from '../log.ts';
import { PollingLoop } from '../jobs/polling-loop.ts';
import type { Services } from '../services.ts';
import type { EventBus } from './event-bus.ts';

export interface OutboxRelayOptions {
  batchSize?: number;
  pollMs?: number;
}

/**
 * Moves events from the outbox (every org's, as explicit system access) onto the bus, and
 * marks each once the bus has accepted it. At least once: see Outbox.publishPending.
 */
export class OutboxRelay {
  private readonly services: Services;
  private readonly bus: EventBus;
  private readonly batchSize: number;
  private readonly loop: PollingLoop;

  constructor(services: Services, bus: EventBus, options: OutboxRelayOptions = {}) {
    this.services = services;
    this.bus = bus;
    this.batchSize = options.batchSize ?? 100;
    this.loop = new PollingLoop({
      name: 'outbox_relay',
      pollMs: options.pollMs ?? 1_000,
      wakeup: services.automation.outbox.emitted,
      round: () => this.runOnce(),
      log: services.log,
    });
  }

  /** Publishes one batch; returns how many events went out. */
  async runOnce(): Promise<number> {
    const { published, error } = await this.services.automation.outbox.publishPending(this.batchSize, (event) => this.bus.publish(event));
    if (error !== null) this.services.log({ level: 'warn', event: 'outbox_publish_failed', bus: this.bus.kind, published, error: errorCodeOf(error) });
    return published;
  }

  /** Publishes until nothing is pending (tests and one-off runs). */
  async drain(): Promise<number> {
    let total = 0;
    for (let sent = await this.runOnce(); sent > 0; sent = await this.runOnce()) total += sent;
    return total;
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }
}
