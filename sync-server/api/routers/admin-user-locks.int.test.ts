import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../../test/support/postgres.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { ListedUser } from '../../../shared/api/admin.ts';
import type { LogEvent } from '../../log.ts';
import { samplesOf, scrape } from '../../observability/testing/prometheus-text.ts';
import type { SignInThrottleOptions } from '../../auth/sign-in-throttle-options.ts';
import { testEngines } from '../../testing/engines.ts';
import { signedIn, startTestServer, type SyncClient, type TestServer } from '../../testing/harness.ts';
import { signInAnswer } from '../../testing/sign-in-servers.ts';

const engines = testEngines(await requirePostgres('sync-server/api/routers/admin-user-locks (PostgreSQL)'), testPostgresUrl());

let clock = Date.UTC(2032, 2, 1);
/**
 * Three wrong passwords in a row lock a login until an admin unlocks it; the windowed
 * counters are out of the way (no timed lock ever meets these few failures), so each wrong
 * password is checked and counted. The clock is the test's, so the lock's time is known.
 */
const OPTIONS: SignInThrottleOptions = { accountFailures: 10_000, sourceFailures: 10_000, windowMs: 60_000, firstLockMs: 60_000, maxLockMs: 60_000, lockAfterFailures: 3, now: () => clock };
const N = OPTIONS.lockAfterFailures;

interface Login {
  org: string;
  username: string;
  password: string;
  userId: string;
}

for (const engine of engines) {
  describe.skipIf(!engine.available)(`admin.users.list shows who the sign-in throttle locked (${engine.name})`, () => {
    let server: TestServer;
    const logs: LogEvent[] = [];
    const suffix = uuidv7().slice(-6);
    const orgs = { one: { code: `ulk-one-${suffix}`, tenantId: '' }, two: { code: `ulk-two-${suffix}`, tenantId: '' } };
    const admins = {} as { one: SyncClient; two: SyncClient };

    async function member(org: { code: string; tenantId: string }, username = `lockee-${uuidv7().slice(-10)}`, role: 'front_desk' | 'org_admin' = 'front_desk'): Promise<Login> {
      const password = `pw-${uuidv7()}`;
      const { userId } = await server.admin.createUser({ tenantId: org.tenantId, username, password, displayName: 'Lockee', role });
      return { org: org.code, username, password, userId };
    }
    /** `n` wrong passwords in a row, one clock tick apart; returns the clock at the last one. */
    async function fail(n: number, who: Login): Promise<number> {
      for (let i = 0; i < n; i++) {
        clock += 1_000;
        expect((await signInAnswer(server.url, { ...who, password: `wrong-${uuidv7()}` })).code, `failure ${i + 1}`).toBe('INVALID_CREDENTIALS');
      }
      return clock;
    }
    const listed = async (admin: SyncClient, who: Login): Promise<ListedUser | undefined> =>
      (await admin.admin.users.list.query()).users.find((user) => user.userId === who.userId);

    beforeAll(async () => {
      server = await startTestServer(engine, { signInThrottle: OPTIONS, metrics: { listen: { host: '127.0.0.1', port: 0 } }, log: (event) => logs.push(event) });
      for (const org of Object.values(orgs)) org.tenantId = (await server.admin.createTenant({ code: org.code, name: `Unlock clinic ${org.code}` })).tenantId;
      for (const key of ['one', 'two'] as const) {
        const admin = await member(orgs[key], `admin-${suffix}`, 'org_admin');
        admins[key] = (await signedIn(server, { code: admin.org, username: admin.username, password: admin.password })).client;
      }
    });
    afterAll(() => server?.stop());

    it('shows a member locked by failed sign-ins, with the time of the lock, until an admin unlocks them', async () => {
      const who = await member(orgs.one);
      const lockedAt = await fail(N, who);
      expect((await signInAnswer(server.url, who)).code).toBe('ACCOUNT_LOCKED');
      const { users } = await admins.one.admin.users.list.query();
      expect(users.find((user) => user.userId === who.userId)).toMatchObject({ login: who.username, locked: true, lockedAt: new Date(lockedAt).toISOString() });
      // Everyone else in the org is listed as not locked.
      const others = users.filter((user) => user.userId !== who.userId);
      expect(others.length).toBeGreaterThan(0);
      expect(others.every((user) => user.locked === false && user.lockedAt === null)).toBe(true);

      expect(await admins.one.admin.users.unlock.mutate({ userId: who.userId })).toEqual({ ok: true, wasLocked: true });
      expect(await listed(admins.one, who)).toMatchObject({ locked: false, lockedAt: null });
      expect(JSON.stringify(logs)).not.toContain(who.username);
    });

    it('shows a member with failures short of the lock as not locked', async () => {
      const who = await member(orgs.one);
      await fail(N - 1, who);
      expect(await listed(admins.one, who)).toMatchObject({ locked: false, lockedAt: null });
      await fail(1, who); // the same counter: one more failure locks it, so the failures before were counted
      expect(await listed(admins.one, who)).toMatchObject({ locked: true, lockedAt: new Date(clock).toISOString() });
    });

    it("does not show a member as locked when another org's member with the same login is locked", async () => {
      const here = await member(orgs.one);
      const twin = await member(orgs.two, here.username);
      await fail(N, twin); // guessed against the other org's code
      expect((await signInAnswer(server.url, twin)).code).toBe('ACCOUNT_LOCKED');
      expect(await listed(admins.two, twin)).toMatchObject({ locked: true });
      expect(await listed(admins.one, here)).toMatchObject({ login: here.username, locked: false, lockedAt: null });
      expect(await signInAnswer(server.url, here)).toEqual({ ok: true });
    });

    /** tenant_info statements one admin.users.list spends, from the server's own counter. */
    async function statementsOfList(): Promise<number> {
      const total = async () => samplesOf(await scrape(server.metricsUrl!), 'clinicsync_db_statements_total').filter((s) => s.labels.domain === 'tenant_info').reduce((sum, s) => sum + s.value, 0);
      const before = await total();
      await admins.one.admin.users.list.query();
      return (await total()) - before;
    }

    /**
     * Request entry (1), the members (one read in the org's context: 3 counted round trips)
     * and their locks (one read in the org's context for the whole list: 3), whatever the
     * size of the list: a read per member would grow with it.
     */
    const LIST_STATEMENTS = 7;

    it(`reads the locks of the whole list in one query, ${LIST_STATEMENTS} statements however many members are listed or locked`, async () => {
      await statementsOfList(); // warm
      const few = await statementsOfList();
      expect(few).toBe(LIST_STATEMENTS);
      for (let i = 0; i < 3; i++) await fail(N, await member(orgs.one));
      expect((await admins.one.admin.users.list.query()).users.filter((user) => user.locked).length).toBeGreaterThanOrEqual(3);
      expect(await statementsOfList()).toBe(few);
    });
  });
}
