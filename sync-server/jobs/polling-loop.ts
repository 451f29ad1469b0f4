import type { Wakeup } from '../domains/process_automation/wakeup.ts';
import { errorCodeOf, type Logger } from '../log.ts';

/**
 * Runs `round` again and again: at once while rounds find work, otherwise after `pollMs`
 * or as soon as `wakeup` is notified. A failing round (database down) is logged and
 * retried at the next poll; the loop itself never dies of it.
 */
export class PollingLoop {
  private readonly options: { name: string; pollMs: number; wakeup: Wakeup; round: () => Promise<number>; log: Logger };
  private controller: AbortController | null = null;
  private running: Promise<void> | null = null;

  constructor(options: PollingLoop['options']) {
    this.options = options;
  }

  start(): void {
    if (this.running) return;
    const controller = new AbortController();
    this.controller = controller;
    this.running = this.run(controller.signal);
  }

  async stop(): Promise<void> {
    this.controller?.abort();
    await this.running;
    this.running = null;
    this.controller = null;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const { name, pollMs, wakeup, round, log } = this.options;
    while (!signal.aborted) {
      let found = 0;
      try {
        found = await round();
      } catch (error) {
        log({ level: 'error', event: `${name}_round_failed`, error: errorCodeOf(error) });
      }
      if (found === 0 && !signal.aborted) await wakeup.wait(pollMs, signal);
    }
  }
}
