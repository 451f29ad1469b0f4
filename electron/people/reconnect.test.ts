import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors.ts';
import { startReconnect } from './reconnect.ts';
import { createTestClock } from './testing/test-clock.ts';

const BACKOFF = { baseMs: 1_000, maxMs: 8_000 };
const settle = () => new Promise((resolve) => setImmediate(resolve));

function harness(answers: (() => Promise<void>)[]) {
  const clock = createTestClock({ frozen: true });
  const seen: string[] = [];
  const refused: AppError[] = [];
  const handle = startReconnect('typed-password', {
    clock,
    backoff: BACKOFF,
    attempt: (password) => {
      seen.push(password);
      return (answers.shift() ?? (() => Promise.reject(new AppError('OFFLINE', 'away'))))();
    },
    onRefused: (error) => void refused.push(error),
  });
  const step = async (ms: number) => {
    clock.advance(ms);
    await settle();
  };
  return { handle, seen, refused, step };
}

describe('background reconnect of an offline session', () => {
  it('waits, retries with growing delays while the server is away, and stops once it is online', async () => {
    const online = () => Promise.resolve();
    const { seen, step } = harness([() => Promise.reject(new AppError('OFFLINE', 'away')), () => Promise.reject(new AppError('RATE_LIMITED', 'busy')), online]);
    await step(499); // the first try comes after half to all of the base delay
    expect(seen).toEqual([]);
    await step(501);
    expect(seen).toEqual(['typed-password']);
    await step(1_000);
    expect(seen).toHaveLength(2); // after failure 1: ≤ 1 s
    await step(2_000);
    expect(seen).toHaveLength(3); // after failure 2: ≤ 2 s, and this one went online
    await step(60_000);
    expect(seen).toHaveLength(3);
  });

  // ACCOUNT_LOCKED has no retryAfterMs and no wait ends it: only an admin's unlock, so it is final like a wrong password.
  it.each(['INVALID_CREDENTIALS', 'ACCOUNT_LOCKED'] as const)('gives up on %s and reports it once, without retrying', async (code) => {
    const { seen, refused, step } = harness([() => Promise.reject(new AppError(code, 'no'))]);
    await step(1_000);
    await step(60_000);
    expect(seen).toHaveLength(1);
    expect(refused.map((e) => e.code)).toEqual([code]);
  });

  it('stop() drops the password: no attempt after it; tryNow() skips the wait', async () => {
    const a = harness([]);
    a.handle.tryNow();
    await a.step(0);
    expect(a.seen).toHaveLength(1);
    a.handle.stop();
    a.handle.tryNow();
    await a.step(120_000);
    expect(a.seen).toHaveLength(1);
  });
});
