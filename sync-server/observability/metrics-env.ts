import { isIP } from 'node:net';
import { z } from 'zod';
import type { MetricsOptions } from './observability.ts';

/** The metrics endpoint's environment variables, merged into config.ts's schema. */
export const metricsEnvShape = {
  /** The metrics listener's port; unset: no metrics endpoint (docs/scale.md, "Observability"). */
  CLINICSYNC_METRICS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  CLINICSYNC_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Bearer token a scrape must present; required when the host is not a loopback address. */
  CLINICSYNC_METRICS_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9._-]{16,200}$/, 'must be 16 to 200 letters, digits, ".", "_" or "-"')
    .optional(),
};

type MetricsEnv = { CLINICSYNC_METRICS_PORT?: number | undefined; CLINICSYNC_METRICS_HOST: string; CLINICSYNC_METRICS_TOKEN?: string | undefined };

export class MetricsConfigError extends Error {
  override name = 'MetricsConfigError';
}

/** The metrics options of the parsed environment; an exposed endpoint without a token is refused. */
export function metricsFromEnv(env: MetricsEnv): MetricsOptions {
  if (env.CLINICSYNC_METRICS_PORT === undefined) return {};
  const host = env.CLINICSYNC_METRICS_HOST;
  const token = env.CLINICSYNC_METRICS_TOKEN;
  if (token === undefined && !isLoopback(host)) {
    throw new MetricsConfigError('CLINICSYNC_METRICS_TOKEN: required when CLINICSYNC_METRICS_HOST is not a loopback address');
  }
  return { listen: { host, port: env.CLINICSYNC_METRICS_PORT, ...(token === undefined ? {} : { token }) } };
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}
