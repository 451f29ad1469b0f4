import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRPCClientError } from '@trpc/client';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import { samplePatient } from '../../electron/store/test-fixtures.ts';
import { signInToServer } from '../../electron/sync/transport.ts';
import { tempDir } from '../../electron/test-support/temp-dir.ts';
import { startSyncServer, type SyncServerHandle } from '../../sync-server/server.ts';
import { closeClientSockets, syncClient } from '../../sync-server/testing/harness.ts';
import { demoLogin, openDesk, type Desk } from '../support/sync-desk.ts';

/**
 * Protocol versioning over real HTTP and WebSocket. The server speaks S = PROTOCOL_VERSION + 1
 * (injected, as a server upgraded ahead of its workstations would); workstations speak
 * S - 1 and S + 1 (neighbours: they keep syncing) and S - 2 and S + 2 (too far: "update
 * required", PROTOCOL_UNSUPPORTED, with the workstation's data and outbox untouched).
 */
const S = PROTOCOL_VERSION + 1;

describe('sync protocol versions (server one ahead of this build)', () => {
  const dir = tempDir('clinicsync-protocol-');
  let server: SyncServerHandle;
  const desks: Desk[] = [];

  beforeAll(async () => {
    server = await startSyncServer({ port: 0, database: { kind: 'pglite' }, seedDemo: true, protocolVersion: S });
  });
  afterAll(async () => {
    for (const desk of desks) await desk.close();
    await closeClientSockets();
    await server?.close();
    dir.remove();
  });

  const desk = async (name: string, protocolVersion: number, signInVersion = protocolVersion) => {
    const opened = await openDesk({ url: server.url, dir: dir.path, name, org: demoLogin(server, 'northside'), protocolVersion, signInVersion });
    desks.push(opened);
    return opened;
  };

  it('reports its own version on health', async () => {
    expect(await syncClient(server.url).health.query()).toEqual({ status: 'ok', protocolVersion: S });
  });

  it('keeps syncing with a workstation one version behind and one ahead, both ways', async () => {
    const behind = await desk('behind', S - 1);
    const ahead = await desk('ahead', S + 1);
    const fromBehind = behind.store.patients.create(samplePatient({ familyName: 'Behindson', mrn: 'PV-1' }));
    const fromAhead = ahead.store.patients.create(samplePatient({ familyName: 'Aheadson', mrn: 'PV-2' }));
    await behind.engine.syncNow();
    await ahead.engine.syncNow();
    await behind.engine.syncNow();
    for (const d of [behind, ahead]) {
      expect(d.engine.status()).toMatchObject({ state: 'idle', online: true, pending: 0, lastError: null });
      const ids = d.store.listPatients({ limit: 1000 }).map((p) => p.id);
      expect(ids).toEqual(expect.arrayContaining([fromBehind.id, fromAhead.id]));
      expect(ids.length).toBeGreaterThan(100); // the demo org's patients came down too
    }
  });

  for (const [label, version, older] of [
    ['two versions behind', S - 2, 'This workstation'],
    ['two versions ahead', S + 2, 'The sync server'],
  ] as const) {
    it(`refuses a workstation ${label} with "update required", keeping its data and outbox`, async () => {
      // The session was opened before the gap (e.g. the server was upgraded meanwhile).
      const d = await desk(`gap-${version}`, version, S);
      const kept = d.store.patients.create(samplePatient({ familyName: 'Keptdata', mrn: `PV-K${version}` }));
      const before = { pending: d.store.pendingCount(), cursors: ['master_data', 'scheduling'].map((domain) => d.store.cursor(domain as 'master_data')) };

      const refused = await d.engine.syncNow().catch((error: unknown) => error);
      expect(refused).toMatchObject({ code: 'PROTOCOL_UNSUPPORTED' });
      expect((refused as Error).message).toMatch(/^Update required: /);
      expect((refused as Error).message).toContain(older);

      expect(d.engine.status()).toMatchObject({ state: 'error', pending: before.pending, lastError: { code: 'PROTOCOL_UNSUPPORTED' } });
      expect(d.engine.status().lastError?.message).toMatch(/Local data is kept/);
      expect(d.store.pendingCount()).toBe(1);
      expect(d.store.pendingBatch(10).map((m) => m.id)).toEqual([kept.id]);
      expect(d.store.patients.get(kept.id)).toMatchObject({ familyName: 'Keptdata' });
      expect(['master_data', 'scheduling'].map((domain) => d.store.cursor(domain as 'master_data'))).toEqual(before.cursors);

      // Signing in with that version is refused the same way.
      await expect(signInToServer(server.url, { protocolVersion: version, ...signInOf(d) })).rejects.toMatchObject({ code: 'PROTOCOL_UNSUPPORTED' });

      // So is the live subscription (WebSocket), with the same code.
      const client = syncClient(server.url, { tenantId: d.session.tenantId, token: d.session.token });
      const code = await new Promise<unknown>((resolve) => {
        const sub = client.sync.pokes.subscribe(
          { protocolVersion: version },
          { onError: (error) => resolve(error instanceof TRPCClientError ? (error.data as { appCode?: string } | undefined)?.appCode : error), onStarted: () => resolve('started') },
        );
        setTimeout(() => sub.unsubscribe(), 15_000);
      });
      expect(code).toBe('PROTOCOL_UNSUPPORTED');
    });
  }

  function signInOf(d: Desk) {
    const login = demoLogin(server, 'northside');
    return { org: login.code, username: login.username, password: login.password, deviceId: d.deviceId };
  }
});
