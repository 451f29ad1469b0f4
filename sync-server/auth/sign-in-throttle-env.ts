import { z } from 'zod';
import { DEFAULT_SIGN_IN_THROTTLE, MAX_FAILURES_IN_A_ROW, type SignInThrottleOptions } from './sign-in-throttle-options.ts';

const whole = z.coerce.number().int().min(1);

/** The variables config.ts accepts for the sign-in throttle; each overrides one default. */
export const signInThrottleEnvShape = {
  /** "off" turns the throttle off (load benchmarks that sign in thousands of times); never in production. */
  CLINICSYNC_SIGNIN_THROTTLE: z.enum(['on', 'off']).default('on'),
  CLINICSYNC_SIGNIN_ACCOUNT_FAILURES: whole.max(100).optional(),
  CLINICSYNC_SIGNIN_SOURCE_FAILURES: whole.max(100_000).optional(),
  CLINICSYNC_SIGNIN_WINDOW_S: whole.max(86_400).optional(),
  CLINICSYNC_SIGNIN_LOCK_S: whole.max(86_400).optional(),
  CLINICSYNC_SIGNIN_MAX_LOCK_S: whole.max(86_400).optional(),
  CLINICSYNC_SIGNIN_LOCK_AFTER_FAILURES: whole.max(MAX_FAILURES_IN_A_ROW).optional(),
};

type SignInThrottleEnv = z.output<z.ZodObject<typeof signInThrottleEnvShape>>;

export class SignInThrottleConfigError extends Error {
  override name = 'SignInThrottleConfigError';
}

/** The throttle the validated environment asks for: the defaults with its overrides, or false for "off". */
export function signInThrottleFromEnv(env: SignInThrottleEnv): SignInThrottleOptions | false {
  if (env.CLINICSYNC_SIGNIN_THROTTLE === 'off') return false;
  const d = DEFAULT_SIGN_IN_THROTTLE;
  const seconds = (value: number | undefined, fallback: number) => (value === undefined ? fallback : value * 1000);
  const options: SignInThrottleOptions = {
    accountFailures: env.CLINICSYNC_SIGNIN_ACCOUNT_FAILURES ?? d.accountFailures,
    sourceFailures: env.CLINICSYNC_SIGNIN_SOURCE_FAILURES ?? d.sourceFailures,
    windowMs: seconds(env.CLINICSYNC_SIGNIN_WINDOW_S, d.windowMs),
    firstLockMs: seconds(env.CLINICSYNC_SIGNIN_LOCK_S, d.firstLockMs),
    maxLockMs: seconds(env.CLINICSYNC_SIGNIN_MAX_LOCK_S, d.maxLockMs),
    lockAfterFailures: env.CLINICSYNC_SIGNIN_LOCK_AFTER_FAILURES ?? d.lockAfterFailures,
  };
  if (options.maxLockMs < options.firstLockMs) throw new SignInThrottleConfigError('CLINICSYNC_SIGNIN_MAX_LOCK_S: must not be shorter than CLINICSYNC_SIGNIN_LOCK_S');
  return options;
}
