import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../support/postgres.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { testEngines } from '../../sync-server/testing/engines.ts';
import { createOrg, startTestServer, type TestServer } from '../../sync-server/testing/harness.ts';
import { refusal } from '../../electron/people/testing/people-desks.ts';
import { applyNetworkPolicy } from '../../electron/policy/apply-network.ts';
import { loadMachinePolicy } from '../../electron/policy/machine-policy.ts';
import { createPolicyDesk } from '../../electron/policy/testing/policy-desk.ts';
import { startConnectProxy, type ConnectProxy } from '../../electron/policy/testing/connect-proxy.ts';
import { startTlsFront, type TlsFront } from '../../electron/policy/testing/tls-front.ts';
import { createThrowawayCa, type ThrowawayCa } from '../../electron/policy/testing/throwaway-ca.ts';

const engines = testEngines(await requirePostgres('test/policy/network-policy (PostgreSQL)'), testPostgresUrl());

/**
 * The policy's proxy and extra CA apply to the workstation's real calls: the sync server
 * sits behind HTTPS with a certificate from a CA made for this test (trusted nowhere), and
 * the only way there is a real CONNECT proxy. Enrollment, sign-in, sync and the poke
 * WebSocket all have to get through. (Process-wide settings: applied and undone here.)
 */
for (const engine of engines) {
  describe.skipIf(!engine.available)(`machine policy network settings: proxy and extra CA (${engine.name})`, () => {
    let server: TestServer;
    let ca: ThrowawayCa;
    let front: TlsFront;
    let proxy: ConnectProxy;
    let org: { code: string; tenantId: string; username: string; password: string };
    const desks: ReturnType<typeof createPolicyDesk>[] = [];

    beforeAll(async () => {
      server = await startTestServer(engine);
      ca = createThrowawayCa();
      front = await startTlsFront(server.url, ca.server);
      proxy = await startConnectProxy();
      const code = `net-${uuidv7().slice(-6)}`;
      org = { code, ...(await createOrg(server, code)) };
    });
    afterAll(async () => {
      for (const desk of desks) await desk.cleanup();
      await proxy?.close();
      await front?.close();
      await server?.stop();
      ca?.remove();
    });

    it('without the policy’s CA the server’s certificate is refused; with it, every call goes through the proxy over TLS', async () => {
      const desk = createPolicyDesk('behind-proxy');
      desks.push(desk);
      const caFile = join(desk.dataDir, 'clinic-root.pem');
      writeFileSync(caFile, ca.caPem);
      const token = (await server.admin.issueEnrollmentToken({ tenantId: org.tenantId })).token;
      const policyJson = { serverUrl: front.url, org: org.code, enrollmentToken: token, proxy: { url: proxy.url }, extraCaCertificates: ['clinic-root.pem'] };
      desk.writePolicy(policyJson);
      const policy = loadMachinePolicy(join(desk.dataDir, 'policy.json'))!;

      // The proxy alone: the tunnel opens, and the TLS handshake fails on the unknown CA.
      const undoProxyOnly = applyNetworkPolicy({ ...policy, extraCaCertificates: [] });
      try {
        const start = desk.start();
        expect((await refusal(start.workstation.caller.session.signIn({ org: org.code, username: org.username, password: org.password }))).code).toBe('OFFLINE');
        start.enrollment.stop();
        expect(await start.enrollment.done).toEqual({ status: 'stopped' });
        await desk.stop(start);
      } finally {
        undoProxyOnly();
      }
      expect(front.refusedHandshakes).toBeGreaterThan(0);
      expect(front.requests).toEqual([]);
      expect(proxy.tunnels.length).toBeGreaterThan(0);

      // The whole policy: proxy and CA.
      const tunnelsBefore = proxy.tunnels.length;
      const connectionsBefore = front.connections;
      const undo = applyNetworkPolicy(policy);
      try {
        const start = desk.start();
        expect(await start.enrollment.done).toMatchObject({ status: 'enrolled', orgCode: org.code });
        expect(await start.workstation.caller.session.signIn({ org: org.code, username: org.username, password: org.password })).toMatchObject({ state: 'signed_in', mode: 'online' });
        await start.workstation.syncNow();
        // The sync engine subscribes to pokes over WSS once a cycle went well.
        await expect.poll(() => front.requests.some((r) => r.endsWith('(upgrade)')), { timeout: 15_000 }).toBe(true);
        await desk.stop(start);
      } finally {
        undo();
      }
      const paths = front.requests.map((r) => r.split(' ')[1]!.split('?')[0]);
      expect(paths).toEqual(expect.arrayContaining(['/trpc/devices.enroll', '/trpc/auth.signIn', '/trpc/sync.pull']));
      // Every TLS connection the server side saw came through a tunnel of the proxy, to the server's host and port.
      const newTunnels = proxy.tunnels.slice(tunnelsBefore);
      expect(newTunnels.length).toBe(front.connections - connectionsBefore);
      expect(new Set(newTunnels)).toEqual(new Set([new URL(front.url).host]));
      expect(proxy.plainRequests).toEqual([]);
    });
  });
}
