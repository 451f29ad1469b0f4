import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../support/postgres.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { testEngines } from '../../sync-server/testing/engines.ts';
import { createOrg, startTestServer, type TestServer } from '../../sync-server/testing/harness.ts';
import { startTcpRelay, type TcpRelay } from '../../electron/test-support/tcp-relay.ts';
import { createPolicyDesk } from '../../electron/policy/testing/policy-desk.ts';

const engines = testEngines(await requirePostgres('test/policy/auto-enroll (PostgreSQL)'), testPostgresUrl());
const MINUTE = 60_000;

/**
 * Issue 8, managed configuration: a workstation whose machine policy names the server, the
 * org and a one-time enrollment token enrolls on its first start with nobody typing
 * anything, once; a server that is away is waited for; a refused token is reported. Real
 * sync server (both engines), real stores and keystores, the real HTTP path through a TCP
 * relay that counts the enrollment calls.
 */
for (const engine of engines) {
  describe.skipIf(!engine.available)(`first start with a machine policy enrolls the workstation (${engine.name})`, () => {
    let server: TestServer;
    let relay: TcpRelay;
    let enrollCalls = 0;
    const desks: ReturnType<typeof createPolicyDesk>[] = [];
    const suffix = uuidv7().slice(-6);
    let org: { code: string; tenantId: string; username: string; password: string };

    beforeAll(async () => {
      server = await startTestServer(engine);
      relay = await startTcpRelay(server.url, (direction, chunk) => {
        if (direction === 'to_server') enrollCalls += chunk.toString('latin1').match(/POST \/trpc\/devices\.enroll/g)?.length ?? 0;
      });
      const code = `pol-${suffix}`;
      org = { code, ...(await createOrg(server, code)) };
    });
    afterAll(async () => {
      for (const desk of desks) await desk.cleanup();
      await relay?.close();
      await server?.stop();
    });

    const desk = (name: string) => {
      const d = createPolicyDesk(name);
      desks.push(d);
      return d;
    };
    const tokenFor = async () => (await server.admin.issueEnrollmentToken({ tenantId: org.tenantId })).token;
    const devicesOf = async (deviceId: string) => (await server.admin.listDevices(org.tenantId)).filter((d) => d.deviceId === deviceId);

    it('enrolls on first start with no user input, applies the stricter idle lock, and does not enroll again on the next start', async () => {
      const d = desk('first-start');
      const token = await tokenFor();
      d.writePolicy({ serverUrl: relay.url, org: org.code.toUpperCase(), enrollmentToken: token, idleLockMinutes: 5 });
      const callsBefore = enrollCalls;

      const first = d.start();
      expect(await first.enrollment.done).toEqual({ status: 'enrolled', tenantId: org.tenantId, orgCode: org.code });
      expect(await devicesOf(first.workstation.deviceId)).toMatchObject([{ enrolledVia: 'token', name: 'first-start', revokedAt: null }]);
      expect(enrollCalls - callsBefore).toBe(1);
      expect(first.logLines.map((l) => JSON.parse(l).event)).toContain('policy_enrolled');
      for (const line of first.logLines) expect(line).not.toContain(token.split('.')[2]);

      // The person signs in as usual (the server address came from the policy); the org's
      // idle lock is 15 minutes, the machine's 5: the screen locks after 5.
      expect(await first.workstation.caller.session.signIn({ org: org.code, username: org.username, password: org.password })).toMatchObject({ state: 'signed_in', mode: 'online' });
      d.clock.advance(4 * MINUTE);
      expect(first.workstation.sessionStatus().state).toBe('signed_in');
      d.clock.advance(1 * MINUTE + 1_000);
      expect(first.workstation.sessionStatus()).toMatchObject({ state: 'locked', lockReason: 'idle' });
      await d.stop(first);

      // Second start, same desk and same policy (token included): nothing is sent.
      const second = d.start();
      expect(await second.enrollment.done).toEqual({ status: 'already_enrolled', tenantId: org.tenantId });
      expect(enrollCalls - callsBefore).toBe(1);
      expect(await devicesOf(second.workstation.deviceId)).toHaveLength(1);
      await d.stop(second);
    });

    it('with the server away at first start, start-up goes on and the enrollment is retried until the server answers', async () => {
      const d = desk('server-away');
      d.writePolicy({ serverUrl: relay.url, org: org.code, enrollmentToken: await tokenFor() });
      relay.down();
      let start: ReturnType<typeof d.start> | undefined;
      try {
        start = d.start();
        // The workstation works while enrollment waits: its local API answers at once.
        expect(start.workstation.sessionStatus()).toMatchObject({ state: 'signed_out', serverUrl: relay.url });
        await expect.poll(() => start!.logLines.filter((l) => l.includes('"policy_enrollment_retry"')).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
        expect(start.logLines.find((l) => l.includes('policy_enrollment_retry'))).toContain('"code":"OFFLINE"');
      } finally {
        relay.up();
      }
      expect(await start!.enrollment.done).toMatchObject({ status: 'enrolled', orgCode: org.code });
      expect(await devicesOf(start!.workstation.deviceId)).toMatchObject([{ enrolledVia: 'token' }]);
    });

    it('a token the server refuses is reported clearly, without the token, and not retried', async () => {
      // Spent by another workstation first.
      const token = await tokenFor();
      const other = desk('spent-by-other');
      other.writePolicy({ serverUrl: relay.url, enrollmentToken: token });
      expect((await other.start().enrollment.done).status).toBe('enrolled');

      const d = desk('refused');
      d.writePolicy({ serverUrl: relay.url, org: org.code, enrollmentToken: token });
      const callsBefore = enrollCalls;
      const start = d.start();
      const outcome = await start.enrollment.done;
      expect(outcome).toEqual({
        status: 'refused',
        code: 'INVALID_CREDENTIALS',
        reason: 'This enrollment token is not valid: it may have been used already, have expired, or be for another organization.',
      });
      const refusedLine = start.logLines.find((l) => l.includes('"policy_enrollment_refused"'));
      expect(JSON.parse(refusedLine!)).toMatchObject({ code: 'INVALID_CREDENTIALS', tenantId: org.tenantId, reason: expect.stringContaining('not valid') });
      for (const line of start.logLines) expect(line).not.toContain(token.split('.')[2]);
      await new Promise((r) => setTimeout(r, 500));
      expect(enrollCalls - callsBefore).toBe(1);
      expect(await devicesOf(start.workstation.deviceId)).toEqual([]);
    });

    it("signed out, the local API offers the policy's org to pre-fill the sign-in form; a person can still sign in to another org", async () => {
      const otherCode = `pol2-${suffix}`;
      const other = { code: otherCode, ...(await createOrg(server, otherCode)) };
      const d = desk('managed-org');
      d.writePolicy({ serverUrl: relay.url, org: org.code.toUpperCase() });
      const start = d.start();
      const session = start.workstation.caller.session;
      expect(await session.status()).toMatchObject({ state: 'signed_out', managedOrg: org.code });
      // The org is only a starting value: a multi-org person signs in to another org here.
      const signedIn = await session.signIn({ org: other.code, username: other.username, password: other.password });
      expect(signedIn).toMatchObject({ state: 'signed_in', org: { code: other.code } });
      expect(signedIn).not.toHaveProperty('managedOrg');
      expect(await session.status()).not.toHaveProperty('managedOrg');
      expect(await session.signOut()).toMatchObject({ state: 'signed_out', managedOrg: org.code });
      await d.stop(start);

      // A policy without an org (and so no policy at all) offers none.
      d.writePolicy({ serverUrl: relay.url });
      const unmanaged = d.start();
      expect(await unmanaged.workstation.caller.session.status()).not.toHaveProperty('managedOrg');
      await d.stop(unmanaged);
    });

    it('an idle lock the machine tightened since the last online sign-in also holds offline', async () => {
      const d = desk('offline-cap');
      d.writePolicy({ serverUrl: relay.url });
      const online = d.start();
      await online.workstation.caller.session.signIn({ org: org.code, username: org.username, password: org.password });
      await d.stop(online);

      d.writePolicy({ serverUrl: 'http://127.0.0.1:9', idleLockMinutes: 2 });
      const offline = d.start();
      expect(await offline.workstation.caller.session.signIn({ org: org.code, username: org.username, password: org.password })).toMatchObject({ state: 'signed_in', mode: 'offline' });
      d.clock.advance(2 * MINUTE + 1_000);
      expect(offline.workstation.sessionStatus()).toMatchObject({ state: 'locked', lockReason: 'idle' });
    });
  });
}
