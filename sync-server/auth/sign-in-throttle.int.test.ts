import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../test/support/postgres.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { auditQuerySchema } from '../audit/audit-read.ts';
import { AuditTrail } from '../audit/audit-trail.ts';
import type { LogEvent } from '../log.ts';
import type { SyncServerHandle } from '../server.ts';
import type { Services } from '../services.ts';
import { testEngines } from '../testing/engines.ts';
import { createOrg } from '../testing/harness.ts';
import { signInAnswer, startThrottledServers, type SignInAnswer as Answer, type ThrottledServers } from '../testing/sign-in-servers.ts';
import { verifyPassword } from './passwords.ts';
import { passwordSignIn } from './password-sign-in.ts';
import type { SignInThrottleOptions } from './sign-in-throttle-options.ts';

const engines = testEngines(await requirePostgres('sync-server/auth/sign-in-throttle (PostgreSQL)'), testPostgresUrl());

const MINUTE = 60_000;
let clock = Date.UTC(2030, 0, 1);
/** Small limits so each case is a handful of calls; the clock is the test's. The lock after failures in a row is sign-in-lock.int.test.ts's. */
const OPTIONS: SignInThrottleOptions = { accountFailures: 3, sourceFailures: 20, windowMs: 15 * MINUTE, firstLockMs: MINUTE, maxLockMs: 4 * MINUTE, lockAfterFailures: 100, now: () => clock };

for (const engine of engines) {
  describe.skipIf(!engine.available)(`sign-in throttle (${engine.name})`, () => {
    let servers: ThrottledServers;
    let server: SyncServerHandle;
    /** A second server process on the same database (PostgreSQL); on PGlite, whose database one process owns, a second set of services on it. */
    let second: SyncServerHandle | null = null;
    let other: Services;
    const logs: LogEvent[] = [];
    let one: { tenantId: string; username: string; password: string };
    let two: { tenantId: string; username: string; password: string };

    beforeAll(async () => {
      servers = await startThrottledServers(engine, OPTIONS, logs);
      ({ server, second, other } = servers);
      one = await createOrg(server, 'clinic-one');
      two = await createOrg(server, 'clinic-two');
    });
    afterAll(() => servers?.close());
    // Every case starts with all counters quiet for longer than a window (forgotten).
    beforeEach(() => {
      clock += 2 * OPTIONS.windowMs + OPTIONS.maxLockMs;
    });

    const signIn = (overrides: { org?: string; username?: string; password?: string } = {}, url = server.url): Promise<Answer> =>
      signInAnswer(url, { org: 'clinic-one', username: one.username, password: one.password, ...overrides });
    const wrong = (overrides: { org?: string; username?: string } = {}) => signIn({ ...overrides, password: `wrong-${uuidv7()}` });
    async function failTimes(n: number, overrides: { org?: string; username?: string } = {}): Promise<void> {
      for (let i = 0; i < n; i++) expect((await wrong(overrides)).code).toBe('INVALID_CREDENTIALS');
    }

    it('refuses the right password after N wrong ones, without hashing it, and says when to come back', async () => {
      await failTimes(OPTIONS.accountFailures);
      let verified = 0;
      const counting = (password: string, stored: string) => {
        verified++;
        return verifyPassword(password, stored);
      };
      // Another instance on the same database meets the same lock, and never runs the verifier.
      await expect(passwordSignIn(other, { org: 'clinic-one', username: one.username, password: one.password }, '198.51.100.7', new AuditTrail(), counting)).rejects.toMatchObject({
        code: 'RATE_LIMITED',
        retryAfterMs: MINUTE,
      });
      expect(verified).toBe(0);
      const refused = await signIn();
      expect(refused).toEqual({ ok: false, code: 'RATE_LIMITED', status: 429, retryAfterMs: MINUTE, message: 'Too many sign-in attempts for this account. Try again in 1 minute.' });
      // The same login typed differently is the same account.
      expect((await signIn({ username: ` ${one.username.toUpperCase()} ` })).code).toBe('RATE_LIMITED');
      // The control: the counting verifier does run when the account is not locked.
      const control = await passwordSignIn(other, { org: 'clinic-two', username: two.username, password: two.password }, '198.51.100.7', new AuditTrail(), counting);
      await control.attempt.end('passed');
      expect(verified).toBe(1);
    });

    it('lets the lock run out on the clock, then locks for twice as long, up to the cap', async () => {
      await failTimes(OPTIONS.accountFailures);
      clock += MINUTE - 1;
      expect((await signIn()).retryAfterMs).toBe(1);
      clock += 1;
      await failTimes(OPTIONS.accountFailures);
      expect(await signIn()).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 2 * MINUTE, message: expect.stringContaining('Try again in 2 minutes.') });
      for (const lock of [4, 4]) {
        clock += lock * MINUTE; // the previous lock (2, then 4 = the cap) has run out
        await failTimes(OPTIONS.accountFailures);
        expect((await signIn()).retryAfterMs).toBe(lock * MINUTE);
      }
      clock += 4 * MINUTE;
      expect(await signIn()).toEqual({ ok: true });
    });

    it('starts again from zero after a successful sign-in', async () => {
      await failTimes(OPTIONS.accountFailures - 1);
      expect(await signIn()).toEqual({ ok: true });
      await failTimes(OPTIONS.accountFailures - 1);
      expect(await signIn()).toEqual({ ok: true });
    });

    it('counts unknown users and unknown orgs exactly like real ones, and refuses them with the same answer', async () => {
      await failTimes(OPTIONS.accountFailures);
      const real = await signIn();
      await failTimes(OPTIONS.accountFailures, { username: 'nobody-here' });
      const unknownUser = await signIn({ username: 'nobody-here' });
      await failTimes(OPTIONS.accountFailures, { org: 'no-such-org' });
      const unknownOrg = await signIn({ org: 'no-such-org' });
      expect(real.code).toBe('RATE_LIMITED');
      expect(unknownUser).toEqual(real);
      expect(unknownOrg).toEqual(real);
    });

    it("keeps another org's same username on its own counter", async () => {
      await failTimes(OPTIONS.accountFailures);
      expect((await signIn()).code).toBe('RATE_LIMITED');
      expect(two.username).toBe(one.username);
      expect(await signIn({ org: 'clinic-two', password: two.password })).toEqual({ ok: true });
    });

    it('caps one address spraying many accounts, not another address', async () => {
      for (let i = 0; i < OPTIONS.sourceFailures; i++) expect((await wrong({ username: `user-${i}` })).code).toBe('INVALID_CREDENTIALS');
      const refused = await signIn({ username: 'user-fresh' });
      expect(refused).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: MINUTE, message: 'Too many sign-in attempts from this network. Try again in 1 minute.' });
      expect((await signIn()).code).toBe('RATE_LIMITED'); // the right password too, from this address
      const elsewhere = await passwordSignIn(other, { org: 'clinic-one', username: one.username, password: one.password }, '203.0.113.9', new AuditTrail());
      expect(elsewhere.account?.accountId).toBeTruthy();
      await elsewhere.attempt.end('passed');
    });

    it('lets no more than N guesses of a parallel burst reach the password check', async () => {
      const answers = await Promise.all(Array.from({ length: 10 }, () => wrong()));
      expect(answers.filter((a) => a.code === 'INVALID_CREDENTIALS').length).toBeLessThanOrEqual(OPTIONS.accountFailures);
      expect(answers.filter((a) => a.code === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(10 - OPTIONS.accountFailures);
      expect(answers.every((a) => a.code === 'INVALID_CREDENTIALS' || a.code === 'RATE_LIMITED')).toBe(true);
    });

    it('audits each refused attempt in the org chain and logs the lock without the login', async () => {
      logs.length = 0;
      await failTimes(OPTIONS.accountFailures);
      await signIn();
      const page = await other.audit.list(one.tenantId, auditQuerySchema.parse({ action: 'auth.signIn', limit: 5 }));
      const [latest, lastFailure] = page.entries;
      expect(latest).toMatchObject({ errorCode: 'RATE_LIMITED', outcome: 'refused', actorUserId: null, detail: { throttled: 'account' } });
      expect(lastFailure).toMatchObject({ errorCode: 'INVALID_CREDENTIALS', outcome: 'refused' });
      const locked = logs.filter((event) => event.event === 'sign_in_locked');
      expect(locked).toEqual([expect.objectContaining({ level: 'warn', scope: 'account', tenantId: one.tenantId, lockedForMs: MINUTE, lockouts: 1 })]);
      expect(logs.some((event) => event.event === 'sign_in_refused' && event.reason === 'throttled')).toBe(true);
      expect(JSON.stringify(logs)).not.toContain(one.username);
    });

    it.runIf(engine.name === 'postgres')('shares the counters between two server processes on the same database', async () => {
      await failTimes(OPTIONS.accountFailures - 1);
      expect((await signIn({ password: 'wrong-on-the-second' }, second!.url)).code).toBe('INVALID_CREDENTIALS'); // the Nth failure, on the other process
      expect((await signIn()).code).toBe('RATE_LIMITED');
      clock += MINUTE;
      await failTimes(OPTIONS.accountFailures - 1);
      expect(await signIn({}, second!.url)).toEqual({ ok: true });
      await failTimes(OPTIONS.accountFailures - 1); // the second's success reset the counter the first uses
      expect(await signIn()).toEqual({ ok: true });
    });
  });
}
