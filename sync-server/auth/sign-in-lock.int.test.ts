import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../test/support/postgres.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { Role } from '../../shared/sync/auth.ts';
import { SYNC_API_PATH } from '../../shared/sync/procedures.ts';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import { auditQuerySchema } from '../audit/audit-read.ts';
import { AuditTrail } from '../audit/audit-trail.ts';
import { createMemoryBus } from '../bus/memory-bus.ts';
import type { LogEvent } from '../log.ts';
import type { SyncServerHandle } from '../server.ts';
import { createServices, type Services } from '../services.ts';
import { testEngines } from '../testing/engines.ts';
import { signedIn, type SyncClient } from '../testing/harness.ts';
import { runCliInProcess } from '../testing/run-cli.ts';
import { answerOf, signInAnswer, startThrottledServers, type SignInAnswer, type ThrottledServers } from '../testing/sign-in-servers.ts';
import { verifyPassword } from './passwords.ts';
import { passwordSignIn } from './password-sign-in.ts';
import { accountSubject } from './sign-in-throttle.ts';
import { DEFAULT_SIGN_IN_THROTTLE, type SignInThrottleOptions } from './sign-in-throttle-options.ts';

const engines = testEngines(await requirePostgres('sync-server/auth/sign-in-lock (PostgreSQL)'), testPostgresUrl());

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
let clock = Date.UTC(2031, 0, 1);
/**
 * Three failures lock an account for a while; seven in a row lock it until an admin unlocks
 * it (the production default, 100, has its own case). The per-address counter is out of the
 * way; the clock is the test's.
 */
const OPTIONS: SignInThrottleOptions = { accountFailures: 3, sourceFailures: 10_000, windowMs: 15 * MINUTE, firstLockMs: MINUTE, maxLockMs: 4 * MINUTE, lockAfterFailures: 7, now: () => clock };
const N = OPTIONS.lockAfterFailures;
/** Long enough for every timed lock and window to be forgotten. */
const quiet = (options: SignInThrottleOptions) => 2 * options.windowMs + options.maxLockMs;

const LOCKED_MESSAGE = 'This account is locked after too many failed sign-in attempts. An administrator of your organization must unlock it before you can sign in.';
/** Its own code, not RATE_LIMITED: there is no wait to come back after (403, no retryAfterMs, no Retry-After). */
const LOCKED = { ok: false, code: 'ACCOUNT_LOCKED', status: 403, retryAfterMs: undefined, message: LOCKED_MESSAGE };

interface Login {
  org: string;
  username: string;
  password: string;
}

for (const engine of engines) {
  describe.skipIf(!engine.available)(`sign-in lock after failures in a row (${engine.name})`, () => {
    let servers: ThrottledServers;
    let server: SyncServerHandle;
    /** A second server process on the same database (PostgreSQL only). */
    let second: SyncServerHandle | null = null;
    const logs: LogEvent[] = [];
    const suffix = uuidv7().slice(-6);
    const orgs = { one: { code: `lock-one-${suffix}`, tenantId: '' }, two: { code: `lock-two-${suffix}`, tenantId: '' } };
    const admins = {} as { one: SyncClient; oneIt: SyncClient; two: SyncClient };

    /** A new member of the org (a fresh login, so no case inherits another's count). */
    async function member(org: { code: string; tenantId: string }, role: Role = 'front_desk'): Promise<Login & { userId: string }> {
      const username = `lockee-${uuidv7().slice(-10)}`;
      const password = `pw-${uuidv7()}`;
      const { userId } = await server.admin.createUser({ tenantId: org.tenantId, username, password, displayName: 'Lockee', role });
      return { org: org.code, username, password, userId };
    }
    async function adminOf(org: { code: string; tenantId: string }, role: Role): Promise<SyncClient> {
      const login = await member(org, role);
      return (await signedIn(server, { code: login.org, username: login.username, password: login.password })).client;
    }

    beforeAll(async () => {
      servers = await startThrottledServers(engine, OPTIONS, logs);
      ({ server, second } = servers);
      for (const org of Object.values(orgs)) org.tenantId = (await server.admin.createTenant({ code: org.code, name: `Lock clinic ${org.code}` })).tenantId;
      admins.one = await adminOf(orgs.one, 'org_admin');
      admins.oneIt = await adminOf(orgs.one, 'it_admin');
      admins.two = await adminOf(orgs.two, 'org_admin');
    });
    afterAll(() => servers?.close());
    beforeEach(() => {
      clock += quiet(OPTIONS);
    });

    const signIn = (who: Login, url = server.url) => signInAnswer(url, { org: who.org, username: who.username, password: who.password });
    const wrong = (who: Login, url = server.url) => signIn({ ...who, password: `wrong-${uuidv7()}` }, url);
    /** `n` wrong passwords in a row, spread over quiet windows so no timed lock is ever met: each one is checked and fails. */
    async function failInARow(n: number, who: Login): Promise<void> {
      for (let i = 0; i < n; i++) {
        if (i % OPTIONS.accountFailures === 0) clock += quiet(OPTIONS);
        expect((await wrong(who)).code, `failure ${i + 1}`).toBe('INVALID_CREDENTIALS');
      }
      clock += quiet(OPTIONS);
    }
    /**
     * `n` wrong passwords in a row on each login, in step, with no quiet window between them,
     * as a guesser sends them: after every accountFailures-th the timed lock is met (its
     * answer kept) and waited out, well within the window. Each login's answers, to compare
     * an unknown login's with a member's.
     */
    async function failInARowWithoutRest(n: number, ...logins: Login[]): Promise<SignInAnswer[][]> {
      const answers = logins.map((): SignInAnswer[] => []);
      for (let i = 0; i < n; i++) {
        if (i > 0 && i % OPTIONS.accountFailures === 0) {
          for (const [j, who] of logins.entries()) answers[j]!.push(await signIn(who));
          clock += OPTIONS.maxLockMs;
        }
        for (const [j, who] of logins.entries()) answers[j]!.push(await wrong(who));
      }
      return answers;
    }
    /** The account counters of these logins still in the table, by login. */
    async function countersOf(logins: Record<string, Login>): Promise<Record<string, { failuresInARow: number; locked: boolean }>> {
      const nameOf = new Map(Object.entries(logins).map(([name, who]) => [accountSubject(who.org, who.username), name]));
      const rows = await server.databases.inspect('tenant_info', (sql) =>
        sql.query<{ subject: string; failuresInARow: number; locked: boolean }>(
          `SELECT subject, failures_in_a_row AS "failuresInARow", locked_at_ms IS NOT NULL AS locked FROM tenant_info.sign_in_throttle
           WHERE kind = 'account' AND subject = ANY($1::text[])`,
          [[...nameOf.keys()]],
        ),
      );
      return Object.fromEntries(rows.map((row) => [nameOf.get(row.subject)!, { failuresInARow: row.failuresInARow, locked: row.locked }]));
    }
    const trail = (tenantId: string, action: string, limit = 1) => servers.other.audit.list(tenantId, auditQuerySchema.parse({ action, limit }));

    it('in production, checks the 100th wrong password in a row, then refuses even the right one without hashing it', async () => {
      expect(DEFAULT_SIGN_IN_THROTTLE.lockAfterFailures).toBe(100);
      const production = { ...DEFAULT_SIGN_IN_THROTTLE, now: () => clock };
      const prod: Services = createServices(server.databases, createMemoryBus(), () => undefined, PROTOCOL_VERSION, null, false, production);
      const who = await member(orgs.one);
      let verified = 0;
      const counting = (password: string, stored: string) => {
        verified++;
        return verifyPassword(password, stored);
      };
      // The router's path for a wrong password: the throttle admits, the check fails, the attempt ends 'failed'.
      const failOnce = async (verify: (password: string, stored: string) => Promise<boolean>) => {
        const attempt = await passwordSignIn(prod, { org: who.org, username: who.username, password: 'not-it' }, null, new AuditTrail(), verify);
        expect(attempt.account).toBeNull();
        await attempt.attempt.end('failed');
      };
      for (let i = 0; i < 99; i++) {
        if (i % production.accountFailures === 0) clock += quiet(production);
        await failOnce(async () => false); // no scrypt for the first 99: the count is the point
      }
      clock += quiet(production);
      await failOnce(counting); // the 100th is still admitted and checked
      expect(verified).toBe(1);
      await expect(passwordSignIn(prod, who, null, new AuditTrail(), counting)).rejects.toMatchObject({ code: 'ACCOUNT_LOCKED', message: LOCKED_MESSAGE, retryAfterMs: undefined });
      expect(verified).toBe(1);
      // The lock is in the row, whatever limit the process that reads it has (the API server's is 7), and it does not wear off.
      clock += 365 * DAY;
      expect(await signIn(who)).toEqual(LOCKED);
    });

    it('counts failures in a row across any number of quiet windows; only a right password starts again', async () => {
      const who = await member(orgs.one);
      await failInARow(N - 1, who);
      expect(await signIn(who)).toEqual({ ok: true });
      await failInARow(N - 1, who); // the right password reset the count: still not locked
      clock += 30 * DAY; // windows pass and quiet counters are purged: not this one
      expect((await wrong(who)).code).toBe('INVALID_CREDENTIALS'); // the Nth in a row: checked, and it locks
      expect(await signIn(who)).toEqual(LOCKED);
      expect(await signIn({ ...who, username: ` ${who.username.toUpperCase()} ` })).toEqual(LOCKED); // the same login typed differently
    });

    it('counts and locks unknown logins and unknown orgs exactly like real ones, with the same answers', async () => {
      const who = await member(orgs.one);
      const unknownLogin = { ...who, username: `nobody-${uuidv7().slice(-10)}` };
      const unknownOrg = { ...who, org: `no-such-${suffix}` };
      const [failing] = await failInARowWithoutRest(N, who);
      const real = [...failing!, await signIn(who)];
      expect(real.filter((answer) => answer.code === 'RATE_LIMITED').length).toBeGreaterThan(0); // the timed locks were met on the way
      expect(real.at(-1)).toEqual(LOCKED);
      for (const login of [unknownLogin, unknownOrg]) {
        const [answers] = await failInARowWithoutRest(N, login);
        expect([...answers!, await signIn(login)]).toEqual(real);
      }
    });

    it("forgets an unknown login's or org's failures in a row and lock a quiet window after; a member's are kept, locked and listed", async () => {
      const who = await member(orgs.one);
      const short = await member(orgs.one); // one failure short of the lock
      const logins = {
        who,
        short,
        unknownLogin: { ...who, username: `nobody-${uuidv7().slice(-10)}` },
        unknownOrg: { ...who, org: `no-such-${uuidv7().slice(-10)}` },
        unknownShort: { ...who, username: `nobody-${uuidv7().slice(-10)}` },
      };
      await failInARowWithoutRest(N - 1, ...Object.values(logins));
      clock += OPTIONS.maxLockMs; // any timed lock the last failures met has run out; the window has not
      for (const login of [who, logins.unknownLogin, logins.unknownOrg]) expect((await wrong(login)).code).toBe('INVALID_CREDENTIALS'); // the Nth in a row
      const locked = { failuresInARow: N, locked: true };
      const counting = { failuresInARow: N - 1, locked: false };
      expect(await countersOf(logins)).toEqual({ who: locked, short: counting, unknownLogin: locked, unknownOrg: locked, unknownShort: counting });

      clock += 30 * DAY;
      expect(await signIn(who)).toEqual(LOCKED); // this sign-in runs the purge first
      expect(await countersOf(logins)).toEqual({ who: locked, short: counting });
      const { users } = await admins.one.admin.users.list.query();
      expect(users.find((user) => user.userId === who.userId)).toMatchObject({ locked: true });
      expect(users.find((user) => user.userId === short.userId)).toMatchObject({ locked: false });
      // A member's count goes on; an unknown login's starts again, and nothing locks it.
      expect((await wrong(short)).code).toBe('INVALID_CREDENTIALS');
      expect(await signIn(short)).toEqual(LOCKED);
      for (const login of [logins.unknownLogin, logins.unknownOrg, logins.unknownShort]) {
        expect((await wrong(login)).code).toBe('INVALID_CREDENTIALS');
        expect((await signIn(login)).code).toBe('INVALID_CREDENTIALS');
      }
    });

    it('answers the lock over HTTP with 403 and no Retry-After, audited as a refused sign-in', async () => {
      const who = await member(orgs.one);
      await failInARow(N, who);
      const raw = await fetch(`${server.url}${SYNC_API_PATH}/auth.signIn`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ protocolVersion: PROTOCOL_VERSION, org: who.org, username: who.username, password: who.password, deviceId: uuidv7() }),
      });
      expect(raw.status).toBe(403);
      expect(raw.headers.get('retry-after')).toBeNull();
      const body = (await raw.json()) as { error?: { message?: string; data?: Record<string, unknown> } };
      expect(body.error?.message).toBe(LOCKED_MESSAGE);
      expect(body.error?.data).toMatchObject({ appCode: 'ACCOUNT_LOCKED', httpStatus: 403 });
      expect(body.error?.data).not.toHaveProperty('retryAfterMs');
      const [refused] = (await trail(orgs.one.tenantId, 'auth.signIn')).entries;
      expect(refused).toMatchObject({ outcome: 'refused', errorCode: 'ACCOUNT_LOCKED', detail: { throttled: 'locked' } });
    });

    it('lets only one guess of a parallel burst past the last attempt before the lock', async () => {
      const who = await member(orgs.one);
      await failInARow(N - 1, who);
      const answers = await Promise.all(Array.from({ length: 10 }, () => wrong(who)));
      expect(answers.filter((a) => a.code === 'INVALID_CREDENTIALS')).toHaveLength(1);
      // The others wait for that one (RATE_LIMITED, a short wait) or, once it has locked, meet the lock.
      expect(answers.every((a) => a.code === 'INVALID_CREDENTIALS' || a.code === 'RATE_LIMITED' || a.code === 'ACCOUNT_LOCKED')).toBe(true);
      expect(await signIn(who)).toEqual(LOCKED);
    });

    it('is unlocked by an admin of the org: the right password signs in again; the lock and the unlock are audited without the login', async () => {
      logs.length = 0;
      const who = await member(orgs.one);
      await failInARow(N, who);
      expect(await signIn(who)).toEqual(LOCKED);
      expect(await admins.one.admin.users.unlock.mutate({ userId: who.userId })).toEqual({ ok: true, wasLocked: true });
      expect(await signIn(who)).toEqual({ ok: true });
      expect(await admins.one.admin.users.unlock.mutate({ userId: who.userId })).toEqual({ ok: true, wasLocked: false });

      const [locked] = (await trail(orgs.one.tenantId, 'event:auth.account_locked')).entries;
      expect(locked).toMatchObject({ kind: 'event', outcome: 'ok', actorUserId: null, entity: 'user', ids: [who.userId], detail: { failuresInARow: N } });
      const counter = locked!.detail.counter;
      expect(counter).toMatch(/^[0-9a-f]{12}$/);
      const [again, unlocked] = (await trail(orgs.one.tenantId, 'admin.users.unlock', 2)).entries;
      expect(unlocked).toMatchObject({ outcome: 'ok', ids: [who.userId], detail: { wasLocked: true, failuresInARow: N, counter } });
      expect(unlocked!.actorUserId).toBeTruthy();
      expect(again).toMatchObject({ outcome: 'ok', detail: { wasLocked: false, failuresInARow: 0, counter } });
      const signIns = (await trail(orgs.one.tenantId, 'auth.signIn', 5)).entries;
      expect(signIns.filter((entry) => entry.detail.accountLocked === true)).toHaveLength(1);
      expect(signIns.filter((entry) => entry.detail.throttled === 'locked')).toHaveLength(1);

      expect(logs).toContainEqual(expect.objectContaining({ level: 'warn', event: 'sign_in_account_locked', tenantId: orgs.one.tenantId, counter, failuresInARow: N }));
      expect(logs).toContainEqual(expect.objectContaining({ event: 'sign_in_unlocked', tenantId: orgs.one.tenantId, userId: who.userId, wasLocked: true, counter }));
      const everything = JSON.stringify([locked, unlocked, again, signIns, logs]);
      expect(everything).not.toContain(who.username);
      expect(everything).not.toContain(who.password);
    });

    it("cannot be unlocked by another org's admin, who is answered as for an unknown user", async () => {
      const who = await member(orgs.one);
      await failInARow(N, who);
      const cross = await answerOf(admins.two.admin.users.unlock.mutate({ userId: who.userId }));
      const unknown = await answerOf(admins.two.admin.users.unlock.mutate({ userId: uuidv7() }));
      expect(cross).toMatchObject({ ok: false, code: 'NOT_FOUND' });
      expect(cross).toEqual(unknown);
      expect(await signIn(who)).toEqual(LOCKED);
      // The unlock of the same login in another org leaves this org's lock alone.
      const twin = await server.admin.createUser({ tenantId: orgs.two.tenantId, username: who.username, password: `pw-${uuidv7()}`, displayName: 'Twin', role: 'front_desk' });
      expect(await admins.two.admin.users.unlock.mutate({ userId: twin.userId })).toEqual({ ok: true, wasLocked: false });
      expect(await signIn(who)).toEqual(LOCKED);
    });

    it("is not the org admin's to lift for an IT admin (whose role they cannot assign); an IT admin can", async () => {
      const tech = await member(orgs.one, 'it_admin');
      await failInARow(N, tech);
      expect(await answerOf(admins.one.admin.users.unlock.mutate({ userId: tech.userId }))).toMatchObject({ code: 'FORBIDDEN' });
      expect(await signIn(tech)).toEqual(LOCKED);
      expect(await admins.oneIt.admin.users.unlock.mutate({ userId: tech.userId })).toEqual({ ok: true, wasLocked: true });
      expect(await signIn(tech)).toEqual({ ok: true });
    });

    it.runIf(engine.name === 'postgres')('counts failures in a row across server processes on the same database', async () => {
      const who = await member(orgs.one);
      await failInARow(N - 1, who);
      expect((await wrong(who, second!.url)).code).toBe('INVALID_CREDENTIALS'); // the Nth, on the other process
      expect(await signIn(who)).toEqual(LOCKED);
      expect(await signIn(who, second!.url)).toEqual(LOCKED);
    });

    // PostgreSQL only: the CLI opens the deployment itself, which an in-memory PGlite of this process cannot share.
    it.runIf(engine.name === 'postgres')('is unlocked by an operator with `clinicsync-server user unlock`, audited as admin:user.unlock', async () => {
      const who = await member(orgs.one);
      await failInARow(N, who);
      const { db } = servers;
      if (db.options.kind !== 'postgres') throw new Error('a PostgreSQL deployment was expected');
      const dbArgs = ['--database-url', new URL(`/${db.options.databasePrefix}`, db.options.adminUrl).toString()];
      const run = await runCliInProcess(['user', 'unlock', '--tenant', orgs.one.code, '--username', ` ${who.username.toUpperCase()}`, '--json', ...dbArgs]);
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({ tenantId: orgs.one.tenantId, userId: who.userId, wasLocked: true });
      expect(await signIn(who)).toEqual({ ok: true });
      const [entry] = (await trail(orgs.one.tenantId, 'admin:user.unlock')).entries;
      expect(entry).toMatchObject({ kind: 'admin', outcome: 'ok', ids: [who.userId], detail: { wasLocked: true, failuresInARow: N, via: 'cli' } });
      expect(JSON.stringify(entry)).not.toContain(who.username);
      const unknown = await runCliInProcess(['user', 'unlock', '--tenant', orgs.one.code, '--username', 'nobody-at-all', ...dbArgs]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/no user with that login/);
    });
  });
}
