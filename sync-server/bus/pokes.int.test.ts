import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../test/support/postgres.ts';
import type { Poke } from '../../shared/sync/poke.ts';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { requireNats, testNatsUrl } from '../../test/support/nats.ts';
import { testEngines, freshDatabase, type TestDatabase } from '../testing/engines.ts';
import { closeClientSockets, createOrg, patientFields, signedIn, startTestServer, type SyncClient, type TestServer } from '../testing/harness.ts';
import { startSyncServer, type SyncServerHandle } from '../server.ts';
import { POKE_WINDOW_MS } from './poke-coalescing.ts';

const engines = testEngines(await requirePostgres('sync-server/bus/pokes (PostgreSQL)'), testPostgresUrl());
const natsAvailable = await requireNats('sync-server/bus/pokes (NATS between two servers)');

/** Subscribes to pokes; resolves once the server has confirmed the subscription. */
async function listen(client: SyncClient): Promise<{ pokes: Poke[]; stop(): void }> {
  const pokes: Poke[] = [];
  let stop = () => {};
  await new Promise<void>((resolve, reject) => {
    const sub = client.sync.pokes.subscribe({ protocolVersion: PROTOCOL_VERSION }, { onStarted: () => resolve(), onData: (poke) => pokes.push(poke), onError: reject });
    stop = () => sub.unsubscribe();
  });
  return { pokes, stop };
}

async function waitFor(check: () => boolean, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

for (const engine of engines) {
  describe.skipIf(!engine.available)(`pokes over WebSocket, in-process bus (${engine.name})`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(engine);
    });
    afterAll(() => server?.stop());

    it('reach every subscriber of the pushing org, and no other org', async () => {
      const orgA = await createOrg(server, 'poke-a');
      const orgB = await createOrg(server, 'poke-b');
      const a1 = await signedIn(server, { code: 'poke-a', ...orgA });
      const a2 = await signedIn(server, { code: 'poke-a', ...orgA });
      const b1 = await signedIn(server, { code: 'poke-b', ...orgB });
      const [la1, la2, lb1] = await Promise.all([listen(a1.client), listen(a2.client), listen(b1.client)]);

      await a1.device.push(a1.device.mutation('patient', uuidv7(), patientFields()));
      await waitFor(() => la1.pokes.length > 0 && la2.pokes.length > 0);
      await settle();
      expect(la1.pokes).toEqual([{ tenantId: orgA.tenantId, domain: 'master_data' }]);
      expect(la2.pokes).toEqual([{ tenantId: orgA.tenantId, domain: 'master_data' }]);
      expect(lb1.pokes).toEqual([]);

      // B's subscription was live all along: its own push pokes it.
      await b1.device.push(b1.device.mutation('patient', uuidv7(), patientFields()));
      await waitFor(() => lb1.pokes.length > 0);
      await settle();
      expect(lb1.pokes).toEqual([{ tenantId: orgB.tenantId, domain: 'master_data' }]);
      expect(la1.pokes).toHaveLength(1);
      for (const l of [la1, la2, lb1]) l.stop();
    });

    it('a burst of pushes pokes each desk once at once and once after the burst, and the desk then pulls every change', async () => {
      const org = await createOrg(server, 'poke-burst');
      const pusher = await signedIn(server, { code: 'poke-burst', ...org });
      const desk = await signedIn(server, { code: 'poke-burst', ...org });
      const heard: { at: number }[] = [];
      const listener = await listen(desk.client);
      const started = Date.now();
      const ids: string[] = [];
      let lastSentAt = 0;
      for (let i = 0; i < 6; i++) {
        const id = uuidv7();
        ids.push(id);
        lastSentAt = Date.now();
        await pusher.device.push(pusher.device.mutation('patient', id, patientFields()));
      }
      const elapsed = Date.now() - started;
      const seen = () => listener.pokes.length;
      // Noted as they arrive: the trailing poke must come after the last push was sent.
      let noted = 0;
      await waitFor(() => {
        while (noted < seen()) heard[noted++] = { at: Date.now() };
        return Date.now() - lastSentAt > POKE_WINDOW_MS + 300;
      });
      expect(listener.pokes.every((poke) => poke.tenantId === org.tenantId && poke.domain === 'master_data')).toBe(true);
      // One window per POKE_WINDOW_MS at most, plus the first poke; six pushes inside one window: exactly two.
      expect(listener.pokes.length).toBeGreaterThanOrEqual(elapsed < POKE_WINDOW_MS ? 2 : 1);
      expect(listener.pokes.length).toBeLessThanOrEqual(Math.floor(elapsed / POKE_WINDOW_MS) + 2);
      if (elapsed < POKE_WINDOW_MS) expect(listener.pokes).toHaveLength(2);
      expect(heard.at(-1)!.at).toBeGreaterThanOrEqual(lastSentAt);
      // What the last poke announced is there to pull: every patient of the burst.
      const { changes } = await desk.device.pullAll('master_data');
      const pulled = new Set(changes.map((change) => change.id));
      for (const id of ids) expect(pulled.has(id)).toBe(true);
      listener.stop();
    });
  });

  describe.skipIf(!engine.available)(`pokes with the window set to 0 (${engine.name})`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(engine, { pokeWindowMs: 0 });
    });
    afterAll(() => server?.stop());

    it('pokes a desk once per push, however close together', async () => {
      const org = await createOrg(server, 'poke-every');
      const pusher = await signedIn(server, { code: 'poke-every', ...org });
      const listener = await listen((await signedIn(server, { code: 'poke-every', ...org })).client);
      for (let i = 0; i < 4; i++) await pusher.device.push(pusher.device.mutation('patient', uuidv7(), patientFields()));
      await waitFor(() => listener.pokes.length >= 4);
      await settle();
      expect(listener.pokes).toHaveLength(4);
      listener.stop();
    });
  });

  describe.skipIf(!engine.available || !natsAvailable)(`pokes across two servers over NATS (${engine.name})`, () => {
    const databases: TestDatabase[] = [];
    const servers: SyncServerHandle[] = [];

    afterAll(async () => {
      await closeClientSockets();
      for (const server of servers) await server.close();
      for (const db of databases) await db.drop();
    });

    it('a push on server 1 pokes a subscriber of that org on server 2, and only that org', async () => {
      const bus = { kind: 'nats' as const, servers: testNatsUrl() };
      // PostgreSQL: two replicas on one deployment. PGlite cannot be shared between
      // processes, so each server has its own instance holding the same org ids.
      const first = await freshDatabase(engine);
      const second = engine.name === 'postgres' ? first : await freshDatabase(engine);
      databases.push(...new Set([first, second]));
      const s1 = await startSyncServer({ port: 0, database: first.options, bus });
      servers.push(s1);
      const s2 = await startSyncServer({ port: 0, database: second.options, bus });
      servers.push(s2);

      const code = (name: string) => `${name}-${uuidv7().slice(-8)}`;
      const orgs = [{ code: code('nats-a') }, { code: code('nats-b') }].map((org) => ({ ...org, tenantId: uuidv7(), username: 'frontdesk', password: `pw-${org.code}` }));
      for (const server of engine.name === 'postgres' ? [s1] : [s1, s2]) {
        for (const org of orgs) {
          await server.admin.createTenant({ code: org.code, name: org.code, tenantId: org.tenantId });
          await server.admin.createUser({ tenantId: org.tenantId, username: org.username, password: org.password, displayName: 'Desk', role: 'front_desk' });
        }
      }
      const [orgA, orgB] = orgs as [(typeof orgs)[number], (typeof orgs)[number]];
      const pusher = await signedIn(s1, orgA);
      const listenerA = await listen((await signedIn(s2, orgA)).client);
      const listenerB = await listen((await signedIn(s2, orgB)).client);

      await pusher.device.push(pusher.device.mutation('patient', uuidv7(), patientFields()));
      await waitFor(() => listenerA.pokes.length > 0);
      await settle();
      expect(listenerA.pokes).toEqual([{ tenantId: orgA.tenantId, domain: 'master_data' }]);
      expect(listenerB.pokes).toEqual([]);
      listenerA.stop();
      listenerB.stop();
    });
  });
}
