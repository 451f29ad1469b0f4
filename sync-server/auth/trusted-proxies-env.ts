import { z } from 'zod';
import { trustedProxies, TrustedProxiesError } from './trusted-proxies.ts';

/**
 * CLINICSYNC_TRUSTED_PROXIES: the load balancers' addresses and ranges, comma-separated
 * (`10.0.0.0/8, 192.168.1.5, fd00::/8`). Unset or empty: no proxy is trusted. Each entry is
 * checked here, so a malformed one stops the start naming the variable and the entry.
 */
export const trustedProxiesEnvShape = {
  CLINICSYNC_TRUSTED_PROXIES: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const entries = (value ?? '')
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry.length > 0);
      try {
        trustedProxies(entries);
      } catch (error) {
        if (!(error instanceof TrustedProxiesError)) throw error;
        ctx.addIssue({ code: 'custom', message: error.message });
        return z.NEVER;
      }
      return entries;
    }),
};
