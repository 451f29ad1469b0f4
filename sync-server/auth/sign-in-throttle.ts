import { createHash } from 'node:crypto';
import { UNATTRIBUTED_TENANT_ID } from '../audit/audit-trail.ts';
import type { DomainDb } from '../db/domain-db.ts';
import type { Sql } from '../db/sql.ts';
import { normalizeLogin } from '../domains/tenant_info/accounts.ts';
import { errorCodeOf, type Logger } from '../log.ts';
import { MAX_FAILURES_IN_A_ROW, type SignInThrottleOptions } from './sign-in-throttle-options.ts';
import { admit, failed, forgetAt, freshCounter, released, type CounterState, type ThrottleRule } from './throttle-state.ts';

export type ThrottleScope = 'account' | 'source';

/** Who an attempt is about, before anything is checked. */
export interface SignInClaim {
  /** The org the code names, when it exists (its counter is then the org's row). */
  tenantId: string | null;
  /** The org code as typed (normalised by the input schema, as the directory looks it up). */
  org: string;
  username: string;
  /** sourceKey() of the caller's address; null skips the per-source counter. */
  source: string | null;
}

/** How an admitted attempt ended: a password failure, a right password, or neither (the org has left, an error). */
export type AttemptOutcome = 'failed' | 'passed' | 'void';

export interface AttemptEnded {
  /**
   * This failure was the account counter's lockAfterFailures-th in a row: the (org, login)
   * is now refused until an administrator of the org unlocks it. `counter` is the hash
   * prefix the logs name it by.
   */
  accountLocked: { counter: string; failuresInARow: number } | null;
}

export interface SignInAttempt {
  /** Records the outcome once; later calls do nothing (and report no lock). */
  end(outcome: AttemptOutcome): Promise<AttemptEnded>;
}

/** A refusal for a while (`account`, `source`), or for good until an admin unlocks the account (`locked`). */
export type Refusal = { scope: ThrottleScope; retryAfterMs: number } | { scope: 'locked' };

export type Admitted = { ok: true; attempt: SignInAttempt } | ({ ok: false } & Refusal);

export const NOTHING_LOCKED: AttemptEnded = { accountLocked: null };

interface CounterKey {
  tenantId: string;
  kind: ThrottleScope;
  subject: string;
}

interface CounterRow extends CounterState {
  tenantId: string;
  kind: ThrottleScope;
  subject: string;
}

/** Expired rows are deleted at most this often per process (and only when someone signs in). */
const PURGE_EVERY_MS = 60_000;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The account counter's subject: the org code as the directory looks it up, and the normalised login. Never stored in clear. */
export const accountSubject = (orgCode: string, login: string): string => sha256(`${orgCode}\u0000${normalizeLogin(login)}`);

/** What logs and audit entries call a counter: a prefix of its hash, enough to match repeated events, never the login. */
export const counterName = (subject: string): string => subject.slice(0, 12);

/**
 * Throttles password guessing at sign-in (HIPAA §164.312(d); NIST SP 800-63B throttling):
 * failed attempts are counted per (org, login) and per client address; at a counter's limit
 * further attempts are refused for a growing time (throttle-state.ts) BEFORE the password
 * is hashed, so a locked-out guesser learns nothing and costs no scrypt. Unknown orgs and
 * logins are counted exactly like real ones, so the lock reveals nothing about who exists.
 *
 * The counters live in tenant_info.sign_in_throttle (migration 006), not in memory: the
 * server runs as several processes, and a guesser spreading attempts over them must meet
 * the same counter. Each step is one short transaction that locks the counters' rows
 * (FOR UPDATE, always in key order), so two processes never lose each other's counts.
 * The in-memory TokenBuckets of sync-server/limits/ are per process and count requests,
 * not failures, so they are not used here.
 *
 * The account counter also counts failures in a row, which neither the window nor a quiet
 * spell resets, only a right password (migration 008). At lockAfterFailures (100, NIST SP
 * 800-63B §5.2.2) the (org, login) is refused, right password or not and before any
 * hashing, until an administrator of the org unlocks it (sign-in-locks.ts). This lives on
 * the same hashed (org, login) row, not on the account, on purpose: an unknown login or org
 * is counted, locked and refused by the very same statements as a real one, so no answer
 * tells who exists, and nothing about the account is read before the password check.
 * The price: a login guessed before it existed carries its count into an account created
 * later with it (an unlock clears it).
 *
 * Failures in a row and a lock until unlocked are kept only on a member's row (migration
 * 009): the statement that records a failure, after the password check, notes whether the
 * login is a member of the org, and the purge forgets any other row like a quiet counter, a
 * window after its last failure or timed lock. Otherwise every mistyped or sprayed login
 * would stay for good, and the table would grow without bound. What this tells: an unknown
 * login's count and lock end after a quiet window where a member's hold; learning that
 * takes lockAfterFailures failures on the login, which lock it if it is a member (audited,
 * and shown to the org's admins).
 */
export class SignInThrottle {
  private readonly db: DomainDb;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly rules: Record<ThrottleScope, ThrottleRule>;
  private lastPurge = Number.NEGATIVE_INFINITY;

  constructor(db: DomainDb, options: SignInThrottleOptions, log: Logger) {
    if (!(options.accountFailures >= 1 && options.sourceFailures >= 1 && options.windowMs > 0 && options.firstLockMs > 0 && options.maxLockMs >= options.firstLockMs)) {
      throw new Error('the sign-in throttle needs limits of at least 1, a window and a first lock no longer than the longest');
    }
    if (!(Number.isInteger(options.lockAfterFailures) && options.lockAfterFailures >= 1 && options.lockAfterFailures <= MAX_FAILURES_IN_A_ROW)) {
      throw new Error(`the sign-in throttle locks an account after 1 to ${MAX_FAILURES_IN_A_ROW} failures in a row`);
    }
    this.db = db;
    this.log = log;
    this.now = options.now ?? Date.now;
    const timing = { windowMs: options.windowMs, firstLockMs: options.firstLockMs, maxLockMs: options.maxLockMs };
    this.rules = {
      account: { ...timing, maxFailures: options.accountFailures, lockAfterFailures: options.lockAfterFailures },
      source: { ...timing, maxFailures: options.sourceFailures, lockAfterFailures: null },
    };
  }

  /** The counters an attempt is charged to: its account, and its source when known. */
  keysOf(claim: SignInClaim): CounterKey[] {
    const keys: CounterKey[] = [{ tenantId: claim.tenantId ?? UNATTRIBUTED_TENANT_ID, kind: 'account', subject: accountSubject(claim.org, claim.username) }];
    if (claim.source) keys.push({ tenantId: UNATTRIBUTED_TENANT_ID, kind: 'source', subject: sha256(claim.source) });
    return keys;
  }

  /**
   * Admits an attempt (counted as pending on every counter until it ends) or refuses it,
   * changing nothing, when any of its counters is locked or full. An account locked until
   * unlocked is reported first, then the account's timed refusal, then the source's.
   */
  async begin(claim: SignInClaim): Promise<Admitted> {
    await this.purgeNowAndThen();
    const keys = this.keysOf(claim);
    const now = this.now();
    const answer = await this.db.system('sign-in: count the attempt', async (sql): Promise<Admitted> => {
      const rows = await lockCounters(sql, keys, now, this.rules);
      const refusals: Refusal[] = [];
      const admitted: CounterRow[] = [];
      for (const row of rows) {
        const step = admit(row, now, this.rules[row.kind]);
        if (step.ok) admitted.push({ ...row, ...step.state });
        else refusals.push('locked' in step ? { scope: 'locked' } : { scope: row.kind, retryAfterMs: step.retryAfterMs });
      }
      const refusal = refusals.find((r) => r.scope === 'locked') ?? refusals.find((r) => r.scope === 'account') ?? refusals[0];
      if (refusal) return { ok: false, ...refusal };
      for (const row of admitted) await writeCounter(sql, row, this.rules[row.kind]);
      return { ok: true, attempt: this.attempt(keys, normalizeLogin(claim.username)) };
    });
    return answer;
  }

  /** `login`: normalizeLogin()'s, as memberships keep it; held only until the attempt ends, never stored. */
  private attempt(keys: CounterKey[], login: string): SignInAttempt {
    let ended = false;
    return {
      end: async (outcome) => {
        if (ended) return NOTHING_LOCKED;
        ended = true;
        return this.end(keys, login, outcome);
      },
    };
  }

  /**
   * A failure counts on every counter (and may lock it); a right password clears the
   * account's counter (its failures in a row too) and gives the source its pending attempt
   * back; 'void' only gives the pending attempt back.
   */
  private async end(keys: CounterKey[], login: string, outcome: AttemptOutcome): Promise<AttemptEnded> {
    const now = this.now();
    const { locks, accountLocked } = await this.db.system('sign-in: record the attempt', async (sql) => {
      const locked: { row: CounterRow; lockedForMs: number }[] = [];
      let lockedForGood: CounterRow | null = null;
      for (const row of await lockCounters(sql, keys, now, this.rules)) {
        const rule = this.rules[row.kind];
        if (outcome === 'passed' && row.kind === 'account') {
          await sql.execute('DELETE FROM tenant_info.sign_in_throttle WHERE tenant_id = $1 AND kind = $2 AND subject = $3', [row.tenantId, row.kind, row.subject]);
        } else if (outcome === 'failed') {
          const step = failed(row, now, rule);
          await writeCounter(sql, { ...row, ...step.state }, rule, row.kind === 'account' ? login : null);
          if (step.lockedForMs !== null) locked.push({ row: { ...row, ...step.state }, lockedForMs: step.lockedForMs });
          if (step.lockedUntilUnlocked) lockedForGood = { ...row, ...step.state };
        } else {
          await writeCounter(sql, { ...row, ...released(row, now, rule) }, rule);
        }
      }
      return { locks: locked, accountLocked: lockedForGood };
    });
    for (const { row, lockedForMs } of locks) {
      // Never the login or the address: the counter's hash prefix lets operators match repeated locks.
      this.log({
        level: 'warn',
        event: 'sign_in_locked',
        scope: row.kind,
        counter: counterName(row.subject),
        lockedForMs,
        lockouts: row.lockouts,
        ...(row.tenantId !== UNATTRIBUTED_TENANT_ID ? { tenantId: row.tenantId } : {}),
      });
    }
    if (!accountLocked) return NOTHING_LOCKED;
    const counter = counterName(accountLocked.subject);
    this.log({
      level: 'warn',
      event: 'sign_in_account_locked',
      counter,
      failuresInARow: accountLocked.failuresInARow,
      ...(accountLocked.tenantId !== UNATTRIBUTED_TENANT_ID ? { tenantId: accountLocked.tenantId } : {}),
    });
    return { accountLocked: { counter, failuresInARow: accountLocked.failuresInARow } };
  }

  /** Deletes counters that say nothing a fresh one would not; a failure here never fails a sign-in. */
  private async purgeNowAndThen(): Promise<void> {
    const now = this.now();
    if (now - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = now;
    try {
      // A member's failures in a row and admin-only lock are kept: only a right password or an
      // unlock ends those. Another login's are forgotten with its window (the predicate is the index's).
      await this.db.system('sign-in: forget quiet attempt counters', (sql) =>
        sql.execute(
          'DELETE FROM tenant_info.sign_in_throttle WHERE forget_at_ms <= $1 AND ((failures_in_a_row = 0 AND locked_at_ms IS NULL) OR NOT login_is_member)',
          [now],
        ),
      );
    } catch (error) {
      this.log({ level: 'warn', event: 'sign_in_throttle_purge_failed', error: errorCodeOf(error) });
    }
  }
}

const COLUMNS = `tenant_id::text AS "tenantId", kind, subject, failures, pending, window_started_ms::float8 AS "windowStartedMs",
  last_failure_ms::float8 AS "lastFailureMs", locked_until_ms::float8 AS "lockedUntilMs", lockouts,
  failures_in_a_row AS "failuresInARow", locked_at_ms::float8 AS "lockedAtMs"`;

/** The counters' rows, created fresh where missing, locked until the transaction ends (in key order: no deadlock between processes). */
async function lockCounters(sql: Sql, keys: readonly CounterKey[], now: number, rules: Record<ThrottleScope, ThrottleRule>): Promise<CounterRow[]> {
  // The order PostgreSQL's ORDER BY below gives too (lower-case hex, ASCII kinds).
  const order = (key: CounterKey) => `${key.tenantId}|${key.kind}|${key.subject}`;
  const sorted = [...keys].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  // A counter deleted between the insert and the lock (a sign-in that passed, a purge) is created again.
  for (let round = 0; ; round++) {
    const rows = await insertAndLock(sql, sorted, now, rules);
    if (rows.length === sorted.length || round === 2) return rows;
  }
}

async function insertAndLock(sql: Sql, sorted: readonly CounterKey[], now: number, rules: Record<ThrottleScope, ThrottleRule>): Promise<CounterRow[]> {
  const params: unknown[] = [];
  const values = sorted.map((key) => {
    params.push(key.tenantId, key.kind, key.subject, now, forgetAt(freshCounter(now), rules[key.kind]));
    const n = params.length;
    return `($${n - 4}::uuid, $${n - 3}, $${n - 2}, 0, 0, $${n - 1}, NULL, NULL, 0, $${n})`;
  });
  await sql.execute(
    `INSERT INTO tenant_info.sign_in_throttle (tenant_id, kind, subject, failures, pending, window_started_ms, last_failure_ms, locked_until_ms, lockouts, forget_at_ms)
     VALUES ${values.join(', ')} ON CONFLICT DO NOTHING`,
    params,
  );
  const match = sorted.map((_, i) => `($${3 * i + 1}::uuid, $${3 * i + 2}, $${3 * i + 3})`).join(', ');
  return sql.query<CounterRow>(
    `SELECT ${COLUMNS} FROM tenant_info.sign_in_throttle WHERE (tenant_id, kind, subject) IN (${match}) ORDER BY tenant_id, kind, subject FOR UPDATE`,
    sorted.flatMap((key) => [key.tenantId, key.kind, key.subject]),
  );
}

/**
 * Writes the counter. With `failedLogin` (an account counter's failure) the same statement
 * notes whether that login is a member of the row's org, which decides whether the purge
 * keeps its failures in a row: looked up only here, after the password check, and never
 * answered. An unknown org's counter (the nil tenant) matches no membership.
 */
async function writeCounter(sql: Sql, row: CounterRow, rule: ThrottleRule, failedLogin: string | null = null): Promise<void> {
  const params = [
    row.tenantId, row.kind, row.subject, row.failures, row.pending, row.windowStartedMs, row.lastFailureMs, row.lockedUntilMs, row.lockouts, forgetAt(row, rule),
    row.failuresInARow, row.lockedAtMs,
  ];
  const member = failedLogin !== null ? ', login_is_member = EXISTS (SELECT 1 FROM tenant_info.memberships m WHERE m.tenant_id = $1 AND m.login = $13)' : '';
  await sql.execute(
    `UPDATE tenant_info.sign_in_throttle
     SET failures = $4, pending = $5, window_started_ms = $6, last_failure_ms = $7, locked_until_ms = $8, lockouts = $9, forget_at_ms = $10,
       failures_in_a_row = $11, locked_at_ms = $12${member}
     WHERE tenant_id = $1 AND kind = $2 AND subject = $3`,
    failedLogin !== null ? [...params, failedLogin] : params,
  );
}
