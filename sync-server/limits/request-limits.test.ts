import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors.ts';
import type { LogEvent } from '../log.ts';
import { REFUSAL_LOG_INTERVAL_MS } from './refusal-log.ts';
import { DEVICE_LIMITED, MIN_RETRY_AFTER_MS, RequestLimits, TENANT_BUSY, TENANT_LIMITED } from './request-limits.ts';

const ORG_A = 'org-a';
const ORG_B = 'org-b';

function limits(overrides: Partial<ConstructorParameters<typeof RequestLimits>[0]> = {}) {
  const c = { now: 5_000_000 };
  const logged: LogEvent[] = [];
  const limiter = new RequestLimits(
    { device: { perSecond: 2, burst: 2 }, tenant: { perSecond: 3, burst: 3 }, concurrency: { inFlight: 10, queue: 0, waitMs: 100 }, ...overrides },
    (event) => logged.push(event),
    () => c.now,
  );
  return { limiter, c, logged };
}

async function refusal(call: Promise<unknown>): Promise<AppError> {
  const error = await call.then(() => null, (e: unknown) => e);
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describe('RequestLimits', () => {
  it('refuses a device over its rate with RATE_LIMITED, a sentence and retryAfterMs; the org’s other devices go on', async () => {
    const { limiter } = limits({ device: { perSecond: 0.5, burst: 2 } });
    (await limiter.admit({ tenantId: ORG_A, deviceId: 'd1' }))();
    (await limiter.admit({ tenantId: ORG_A, deviceId: 'd1' }))();
    const error = await refusal(limiter.admit({ tenantId: ORG_A, deviceId: 'd1' }));
    expect(error).toMatchObject({ code: 'RATE_LIMITED', message: DEVICE_LIMITED, retryAfterMs: 2_000 }); // the bucket's own wait
    (await limiter.admit({ tenantId: ORG_A, deviceId: 'd2' }))();
  });

  it('refuses the org over its rate across devices, without charging the refused device', async () => {
    const { limiter, c } = limits();
    for (const deviceId of ['d1', 'd2', 'd3']) (await limiter.admit({ tenantId: ORG_A, deviceId }))();
    const error = await refusal(limiter.admit({ tenantId: ORG_A, deviceId: 'd4' }));
    expect(error).toMatchObject({ code: 'RATE_LIMITED', message: TENANT_LIMITED, retryAfterMs: MIN_RETRY_AFTER_MS }); // the bucket's 334 ms, raised to the floor
    // d4's token was given back: once the org has a token again, d4 still has its whole burst.
    (await limiter.admit({ tenantId: ORG_B, deviceId: 'other-org-device' }))(); // another org is not affected
    c.now += 1_000;
    (await limiter.admit({ tenantId: ORG_A, deviceId: 'd4' }))();
    (await limiter.admit({ tenantId: ORG_A, deviceId: 'd4' }))();
  });

  it('tells the devices of an org refused together to come back one token apart, from the floor on', async () => {
    const { limiter, c } = limits();
    for (const deviceId of ['d1', 'd2', 'd3']) (await limiter.admit({ tenantId: ORG_A, deviceId }))();
    const waits: unknown[] = [];
    for (const deviceId of ['d4', 'd5', 'd6', 'd7']) waits.push((await refusal(limiter.admit({ tenantId: ORG_A, deviceId }))).retryAfterMs);
    expect(waits).toEqual([1_000, 1_334, 1_667, 2_000]); // 3/s: a third of a second apart
    // Each back at its time is admitted: they do not all meet one token and three refusals.
    for (const [deviceId, wait] of [['d4', 1_000], ['d5', 1_334], ['d6', 1_667], ['d7', 2_000]] as const) {
      c.now = 5_000_000 + wait;
      (await limiter.admit({ tenantId: ORG_A, deviceId }))();
    }
  });

  it('refuses a request beyond the org’s slots and queue as busy, and frees slots for the org when calls end', async () => {
    const { limiter } = limits({ device: { perSecond: 100, burst: 100 }, tenant: { perSecond: 100, burst: 100 }, concurrency: { inFlight: 2, queue: 0, waitMs: 250 } });
    const a = await limiter.admit({ tenantId: ORG_A, deviceId: 'd1' });
    await limiter.admit({ tenantId: ORG_A, deviceId: 'd2' });
    expect(await refusal(limiter.admit({ tenantId: ORG_A, deviceId: 'd3' }))).toMatchObject({ code: 'RATE_LIMITED', message: TENANT_BUSY, retryAfterMs: MIN_RETRY_AFTER_MS });
    (await limiter.admit({ tenantId: ORG_B, deviceId: 'b1' }))(); // the other org has its own slots
    a();
    (await limiter.admit({ tenantId: ORG_A, deviceId: 'd3' }))();
  });

  it('lets a subscription through on the rates without taking a slot', async () => {
    const { limiter } = limits({ concurrency: { inFlight: 1, queue: 0, waitMs: 100 } });
    await limiter.admit({ tenantId: ORG_A, deviceId: 'd1' }, false);
    await limiter.admit({ tenantId: ORG_A, deviceId: 'd2' }, false);
    expect(limiter.footprint().busyTenants).toBe(0);
    (await limiter.admit({ tenantId: ORG_A, deviceId: 'd3' }))();
  });

  it('logs the first refusal of an org at once and counts the rest into its next warning (no log flood, ids only)', async () => {
    const { limiter, c, logged } = limits();
    for (let i = 0; i < 2; i++) (await limiter.admit({ tenantId: ORG_A, deviceId: 'd1' }))();
    for (let i = 0; i < 50; i++) await refusal(limiter.admit({ tenantId: ORG_A, deviceId: 'd1' }));
    expect(logged).toEqual([{ level: 'warn', event: 'rate_limited', tenantId: ORG_A, deviceId: 'd1', limit: 'device', retryAfterMs: MIN_RETRY_AFTER_MS, suppressed: 0 }]);
    c.now += REFUSAL_LOG_INTERVAL_MS;
    for (let i = 0; i < 2; i++) (await limiter.admit({ tenantId: ORG_A, deviceId: 'd1' }))();
    await refusal(limiter.admit({ tenantId: ORG_A, deviceId: 'd1' }));
    expect(logged).toHaveLength(2);
    expect(logged[1]).toMatchObject({ event: 'rate_limited', suppressed: 49 });
  });
});
