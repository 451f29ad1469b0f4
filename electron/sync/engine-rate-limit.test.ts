import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { PullInput } from '../../shared/sync/pull.ts';
import { engineTestKit, quietTransport } from '../test-support/engine-kit.ts';
import type { OrgStore } from '../store/org-store.ts';
import { SyncEngine } from './engine.ts';
import type { SyncStatus } from './sync-status.ts';

/** How the loop answers a server that says "too many requests, come back in N ms". */
const { cleanups, openStore } = engineTestKit();

const WAIT_MS = 400;
/** Backoff far shorter than the server's wait: a retry before WAIT_MS means the wait was not honoured. */
const BACKOFF = { baseMs: 10, maxMs: 40 };

/** The first pull is refused with `refusal`; later pulls answer. Records when each pull arrived and the status at the refusal. */
function refusingOnce(store: OrgStore, refusal: AppError) {
  const pulls: number[] = [];
  let statusAfterRefusal: SyncStatus | undefined;
  let engine: SyncEngine | undefined;
  const quiet = quietTransport(store);
  const transport = quietTransport(store, {
    pull: (input: PullInput, signal?: AbortSignal) => {
      pulls.push(performance.now());
      if (pulls.length === 1) {
        setTimeout(() => (statusAfterRefusal = engine?.status()), 0); // after the refused cycle ended, before any retry
        return Promise.reject(refusal);
      }
      return quiet.pull(input, signal);
    },
  });
  engine = new SyncEngine({ store, transport, deviceId: uuidv7(), backoff: BACKOFF, pollIntervalMs: 60_000, fallbackPollMs: 60_000, checksumIntervalMs: 0 });
  cleanups.push(() => engine.stop());
  return { engine, pulls, status: () => statusAfterRefusal };
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('SyncEngine and RATE_LIMITED', () => {
  it('waits the retryAfterMs the server asked for (not its backoff), stays online and idle meanwhile, and is not hurried by local writes', async () => {
    const store = openStore();
    const { engine, pulls, status } = refusingOnce(store, new AppError('RATE_LIMITED', 'Slow down.', { retryAfterMs: WAIT_MS }));
    engine.start();
    await until(() => status() !== undefined);
    expect(status()).toMatchObject({ state: 'idle', online: true, lastError: { code: 'RATE_LIMITED' } });
    engine.nudge(); // a local write during the wait
    engine.nudge();
    await until(() => pulls.length >= 2);
    expect(pulls[1]! - pulls[0]!).toBeGreaterThanOrEqual(WAIT_MS - 5);
    // Not later than the wait plus its jitter (a quarter of it) and some scheduling slack.
    expect(pulls[1]! - pulls[0]!).toBeLessThan(WAIT_MS * 1.25 + 1_000);
    await until(() => engine.status().lastError === null);
    expect(engine.status()).toMatchObject({ state: 'idle', online: true });
  });

  it('treats RATE_LIMITED without a wait as before: an error, retried on the backoff schedule', async () => {
    const store = openStore();
    const { engine, pulls, status } = refusingOnce(store, new AppError('RATE_LIMITED', 'Try again shortly.'));
    engine.start();
    await until(() => pulls.length >= 2);
    expect(pulls[1]! - pulls[0]!).toBeLessThan(WAIT_MS);
    expect(status()).toMatchObject({ state: 'error', online: true, lastError: { code: 'RATE_LIMITED' } });
  });
});
