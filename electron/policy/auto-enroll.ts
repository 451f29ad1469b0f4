import { AppError, type ErrorCode } from '../../shared/errors.ts';
import { backoffDelay, type BackoffOptions } from '../sync/backoff.ts';
import type { MachinePolicy } from './machine-policy.ts';

/** What auto-enrollment needs from the workstation (electron/workstation.ts). */
export interface EnrollingWorkstation {
  enroll(input: { token: string }): Promise<{ orgCode: string; orgName: string }>;
  isEnrolledIn(tenantId: string): Promise<boolean>;
}

export type AutoEnrollOutcome =
  | { status: 'no_token' }
  | { status: 'already_enrolled'; tenantId: string }
  | { status: 'enrolled'; tenantId: string; orgCode: string }
  /** The server (or the token's shape) said no: retrying the same token cannot help. */
  | { status: 'refused'; code: ErrorCode; reason: string }
  | { status: 'stopped' };

export interface AutoEnrollment {
  /** Settles once: enrolled, skipped, refused, or stopped. Never rejects. */
  readonly done: Promise<AutoEnrollOutcome>;
  /** Ends the retries (workstation shutdown). */
  stop(): void;
}

export interface AutoEnrollOptions {
  workstation: EnrollingWorkstation;
  policy: Pick<MachinePolicy, 'enrollmentToken' | 'org'> | null;
  /** Event names and non-secret fields only: the token never reaches the log. */
  log(event: string, fields: Record<string, string>): void;
  /** Waits between attempts while the server cannot be reached (default 5 s doubling to 5 min). */
  backoff?: BackoffOptions;
}

/** Failures that say nothing about the token: the server was away or had a problem. */
const TRY_AGAIN: ReadonlySet<ErrorCode> = new Set(['OFFLINE', 'INTERNAL', 'RATE_LIMITED']);
const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 5_000, maxMs: 300_000 };

/** `ce1.<tenantId>.<secret>`: the org the token was issued for (the schema checked the shape). */
const tokenTenant = (token: string) => token.split('.')[1] ?? '';

/**
 * First start with a policy: enrolls this workstation in the policy's org with the policy's
 * one-time token, without anyone typing a server address or token. It runs beside start-up,
 * never in its way: the app opens while this waits for the server. Already enrolled in the
 * token's org: nothing to do (the token is spent after its first use, so it is never sent
 * twice). The server away: tried again with backoff. The token refused: logged with the
 * server's reason, not retried until the next start (IT issues a new token).
 */
export function startAutoEnroll(options: AutoEnrollOptions): AutoEnrollment {
  const { workstation, policy, log } = options;
  const token = policy?.enrollmentToken;
  if (!token) return { done: Promise.resolve({ status: 'no_token' }), stop: () => undefined };

  const tenantId = tokenTenant(token);
  const controller = new AbortController();
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      controller.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });

  async function run(): Promise<AutoEnrollOutcome> {
    if (await workstation.isEnrolledIn(tenantId)) {
      log('policy_enrollment_skipped', { tenantId, reason: 'already_enrolled' });
      return { status: 'already_enrolled', tenantId };
    }
    for (let failures = 1; ; failures++) {
      if (controller.signal.aborted) return { status: 'stopped' };
      try {
        const enrolled = await workstation.enroll({ token: token! });
        log('policy_enrolled', { tenantId, orgCode: enrolled.orgCode });
        if (policy?.org !== undefined && policy.org !== enrolled.orgCode) {
          log('policy_org_mismatch', { tenantId, policyOrg: policy.org, enrolledOrg: enrolled.orgCode });
        }
        return { status: 'enrolled', tenantId, orgCode: enrolled.orgCode };
      } catch (error) {
        const code: ErrorCode = error instanceof AppError ? error.code : 'INTERNAL';
        const reason = error instanceof AppError ? error.message : 'The enrollment failed on this workstation.';
        if (!TRY_AGAIN.has(code)) {
          log('policy_enrollment_refused', { tenantId, code, reason });
          return { status: 'refused', code, reason };
        }
        const delay = backoffDelay(failures, options.backoff ?? DEFAULT_BACKOFF);
        log('policy_enrollment_retry', { tenantId, code, retryInMs: String(delay) });
        await wait(delay);
      }
    }
  }

  const done = run().catch((error: unknown): AutoEnrollOutcome => {
    // Only a local failure lands here (the enrollment state could not be read).
    const code: ErrorCode = error instanceof AppError ? error.code : 'INTERNAL';
    log('policy_enrollment_refused', { tenantId, code, reason: 'This workstation could not check its enrollment.' });
    return { status: 'refused', code, reason: 'This workstation could not check its enrollment.' };
  });
  return { done, stop: () => controller.abort() };
}
