import { z } from 'zod';
import { DEFAULT_LIMITS, type LimitOptions } from './limit-options.ts';

const positive = z.coerce.number().positive();
const whole = (min: number) => z.coerce.number().int().min(min);

/** The variables config.ts accepts for back-pressure (docs/scale.md); each overrides one default. */
export const limitsEnvShape = {
  /** "off" turns every limit off (benchmarks that measure the server's ceiling). */
  CLINICSYNC_LIMITS: z.enum(['on', 'off']).default('on'),
  CLINICSYNC_LIMIT_DEVICE_PER_S: positive.optional(),
  CLINICSYNC_LIMIT_DEVICE_BURST: whole(1).optional(),
  CLINICSYNC_LIMIT_TENANT_PER_S: positive.optional(),
  CLINICSYNC_LIMIT_TENANT_BURST: whole(1).optional(),
  CLINICSYNC_LIMIT_TENANT_IN_FLIGHT: whole(1).optional(),
  CLINICSYNC_LIMIT_TENANT_QUEUE: whole(0).optional(),
  CLINICSYNC_LIMIT_TENANT_WAIT_MS: whole(0).optional(),
};

type LimitsEnv = z.output<z.ZodObject<typeof limitsEnvShape>>;

/** The limits the validated environment asks for: the defaults with its overrides, or false for "off". */
export function limitsFromEnv(env: LimitsEnv): LimitOptions | false {
  if (env.CLINICSYNC_LIMITS === 'off') return false;
  const d = DEFAULT_LIMITS;
  return {
    device: { perSecond: env.CLINICSYNC_LIMIT_DEVICE_PER_S ?? d.device.perSecond, burst: env.CLINICSYNC_LIMIT_DEVICE_BURST ?? d.device.burst },
    tenant: { perSecond: env.CLINICSYNC_LIMIT_TENANT_PER_S ?? d.tenant.perSecond, burst: env.CLINICSYNC_LIMIT_TENANT_BURST ?? d.tenant.burst },
    concurrency: {
      inFlight: env.CLINICSYNC_LIMIT_TENANT_IN_FLIGHT ?? d.concurrency.inFlight,
      queue: env.CLINICSYNC_LIMIT_TENANT_QUEUE ?? d.concurrency.queue,
      waitMs: env.CLINICSYNC_LIMIT_TENANT_WAIT_MS ?? d.concurrency.waitMs,
    },
  };
}
