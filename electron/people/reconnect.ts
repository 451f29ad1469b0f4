import type { ErrorCode } from '../../shared/errors.ts';
import { AppError } from '../../shared/errors.ts';
import { backoffDelay, type BackoffOptions } from '../sync/backoff.ts';
import type { Clock } from './clock.ts';

/**
 * Worth another try later: the server is away, busy, or had a hiccup. Anything else ends
 * the attempts, ACCOUNT_LOCKED among them: no wait ends that lock, only an administrator
 * of the org unlocking the account.
 */
const RETRYABLE: ReadonlySet<ErrorCode> = new Set(['OFFLINE', 'RATE_LIMITED', 'INTERNAL']);

export interface ReconnectHandle {
  /** Try now instead of waiting for the next attempt ("Sync now" while offline). */
  tryNow(): void;
  /** Stops the attempts and drops the password. */
  stop(): void;
}

export interface ReconnectOptions {
  clock: Clock;
  backoff: BackoffOptions;
  /** One online sign-in with the held password; resolves once the session is online. */
  attempt(password: string): Promise<void>;
  /** The server said no for good (wrong password now, device revoked, …): the attempts are over. */
  onRefused(error: AppError): void;
}

/**
 * Background online sign-in for a session that was unlocked offline (or as emergency
 * access), so that the outbox is pushed as soon as the server can be reached, without
 * asking the person again.
 *
 * It needs the password the person typed: the server has no session for this device, and
 * the verifier cannot sign in. The password is held in this closure only, never written
 * anywhere or logged, and dropped as soon as any of these happens: the session goes
 * online, the server refuses it, the screen locks (idle, manual, emergency access ending),
 * the person signs out, or the workstation closes. Unlocking re-arms it with the password
 * typed to unlock. So a password lives in memory at most as long as the screen stays
 * unlocked, which is no longer than the org's idle-lock time without activity.
 */
export function startReconnect(password: string, options: ReconnectOptions): ReconnectHandle {
  let held: string | null = password;
  let cancelTimer: (() => void) | null = null;
  let running = false;
  let failures = 0;

  const stop = () => {
    held = null;
    cancelTimer?.();
    cancelTimer = null;
  };

  const schedule = (ms: number) => {
    cancelTimer?.();
    cancelTimer = options.clock.setTimer(() => {
      cancelTimer = null;
      void run();
    }, ms);
  };

  const run = async () => {
    if (held === null || running) return;
    running = true;
    try {
      await options.attempt(held);
      stop();
    } catch (cause) {
      const error = cause instanceof AppError ? cause : new AppError('INTERNAL', 'Reconnecting failed on this workstation.', { cause });
      if (held === null) return; // stopped meanwhile
      if (RETRYABLE.has(error.code)) {
        failures += 1;
        schedule(backoffDelay(failures, options.backoff));
      } else {
        stop();
        options.onRefused(error);
      }
    } finally {
      running = false;
    }
  };

  schedule(backoffDelay(1, options.backoff));
  return {
    tryNow() {
      if (held !== null && !running) schedule(0);
    },
    stop,
  };
}
