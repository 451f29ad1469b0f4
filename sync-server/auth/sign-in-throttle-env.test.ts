import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';
import { DEFAULT_SIGN_IN_THROTTLE } from './sign-in-throttle-options.ts';

describe('sign-in throttle configuration', () => {
  it('is on with the defaults unless told otherwise', () => {
    expect(loadConfig({}).signInThrottle).toEqual(DEFAULT_SIGN_IN_THROTTLE);
    // NIST SP 800-63B §5.2.2: no more than 100 consecutive failed attempts on one account.
    expect(DEFAULT_SIGN_IN_THROTTLE.lockAfterFailures).toBe(100);
    expect(loadConfig({ CLINICSYNC_SIGNIN_THROTTLE: 'off' }).signInThrottle).toBe(false);
  });

  it('takes each setting from CLINICSYNC_SIGNIN_*, in seconds for times', () => {
    const env = {
      CLINICSYNC_SIGNIN_ACCOUNT_FAILURES: '10',
      CLINICSYNC_SIGNIN_SOURCE_FAILURES: '200',
      CLINICSYNC_SIGNIN_WINDOW_S: '600',
      CLINICSYNC_SIGNIN_LOCK_S: '30',
      CLINICSYNC_SIGNIN_MAX_LOCK_S: '3600',
      CLINICSYNC_SIGNIN_LOCK_AFTER_FAILURES: '50',
    };
    expect(loadConfig(env).signInThrottle).toEqual({ accountFailures: 10, sourceFailures: 200, windowMs: 600_000, firstLockMs: 30_000, maxLockMs: 3_600_000, lockAfterFailures: 50 });
  });

  it('refuses nonsense, naming the variable', () => {
    for (const [name, value] of [['CLINICSYNC_SIGNIN_ACCOUNT_FAILURES', '0'], ['CLINICSYNC_SIGNIN_ACCOUNT_FAILURES', '1000'], ['CLINICSYNC_SIGNIN_WINDOW_S', 'soon'], ['CLINICSYNC_SIGNIN_THROTTLE', 'maybe'], ['CLINICSYNC_SIGNIN_LOCK_AFTER_FAILURES', '101'], ['CLINICSYNC_SIGNIN_LOCK_AFTER_FAILURES', '0']] as const) {
      expect(() => loadConfig({ [name]: value }), `${name}=${value}`).toThrow(new RegExp(name));
    }
    expect(() => loadConfig({ CLINICSYNC_SIGNIN_LOCK_S: '600', CLINICSYNC_SIGNIN_MAX_LOCK_S: '60' })).toThrow(ConfigError);
  });
});
