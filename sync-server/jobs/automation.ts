import type { EventBus } from '../events/event-bus.ts';
import { EventConsumer, type EventConsumerOptions } from '../events/event-consumer.ts';
import { OutboxRelay, type OutboxRelayOptions } from '../events/outbox-relay.ts';
import type { Services } from '../services.ts';
import { JobRunner, type JobRunnerOptions } from './job-runner.ts';

export interface AutomationOptions {
  runner?: JobRunnerOptions;
  relay?: OutboxRelayOptions;
  consumer?: EventConsumerOptions;
}

/** The server's background work: job runner, outbox relay and event consumer. */
export interface Automation {
  runner: JobRunner;
  relay: OutboxRelay;
  consumer: EventConsumer;
  /** Stops taking new work and waits for the work in hand. */
  stop(): Promise<void>;
}

export async function startAutomation(services: Services, bus: EventBus, options: AutomationOptions = {}): Promise<Automation> {
  const runner = new JobRunner(services, options.runner);
  const relay = new OutboxRelay(services, bus, options.relay);
  const consumer = new EventConsumer(services, options.consumer);
  await consumer.start(bus);
  relay.start();
  runner.start();
  let stopping: Promise<void> | undefined;
  return {
    runner,
    relay,
    consumer,
    stop: () =>
      (stopping ??= (async () => {
        await runner.stop();
        await relay.stop();
        await consumer.stop();
      })()),
  };
}
