import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { startSyncServer, type SyncServerHandle } from '../server.ts';
import { appointmentFields, closeClientSockets, createOrg, patientFields, signedIn } from '../testing/harness.ts';

/**
 * PGlite on disk: a dedicated org gets its own instance in its own folder
 * (<data-dir>/tenants/<id>), found again after a restart through the placement directory,
 * and removed when the org goes back to the shared databases.
 */
describe('dedicated placement in a PGlite folder, across a restart', () => {
  const root = mkdtempSync(join(tmpdir(), 'clinicsync-placement-'));
  const dataDir = join(root, 'server');
  let server: SyncServerHandle | undefined;
  let org: { tenantId: string; username: string; password: string };
  const appointmentIds = [uuidv7(), uuidv7(), uuidv7()];
  const start = () => startSyncServer({ port: 0, database: { kind: 'pglite', dataDir } });
  /** The org's appointments in the SHARED scheduling database (owner-level count, not routed). */
  const sharedAppointments = async (s: SyncServerHandle) => {
    const rows = await s.databases.inspect('scheduling', (sql) =>
      sql.query<{ n: number }>('SELECT count(*)::int AS n FROM scheduling.appointments WHERE tenant_id = $1', [org.tenantId]),
    );
    return rows[0]?.n;
  };
  const signIn = (s: SyncServerHandle) => signedIn(s, { code: 'folder-a', username: org.username, password: org.password });

  beforeAll(async () => {
    server = await start();
    org = await createOrg(server, 'folder-a');
    await createOrg(server, 'folder-b');
    const { device } = await signIn(server);
    const patientId = uuidv7();
    await device.push(device.mutation('patient', patientId, patientFields()));
    for (const id of appointmentIds) await device.push(device.mutation('appointment', id, appointmentFields(patientId)));
  });
  afterAll(async () => {
    await closeClientSockets();
    await server?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('set-tier dedicated moves the data into the org folder, which serves it after a restart', async () => {
    const result = await server!.admin.setTier({ tenantId: org.tenantId, tier: 'dedicated' });
    const folder = join(dataDir, 'tenants', org.tenantId);
    expect(result).toMatchObject({ tier: 'dedicated', previousTier: 'shared', placement: 'dedicated', moved: true, location: `dedicated PGlite folder ${folder}` });
    expect(result.tables.find((t) => t.domain === 'scheduling' && t.table === 'appointments')?.rows).toBe(3);
    expect(existsSync(join(folder, 'PG_VERSION'))).toBe(true);

    await closeClientSockets();
    await server!.close();
    server = await start();
    const { device } = await signIn(server);
    const appointmentsOf = (changes: readonly { entity: string; id: string }[]) => changes.filter((c) => c.entity === 'appointment').map((c) => c.id).sort();
    expect(appointmentsOf((await device.pullAll('scheduling')).changes)).toEqual([...appointmentIds].sort());
    expect(await sharedAppointments(server)).toBe(0);
  });

  it('set-tier shared moves the data back and deletes the org folder', async () => {
    const result = await server!.admin.setTier({ tenantId: org.tenantId, tier: 'shared' });
    expect(result).toMatchObject({ tier: 'shared', previousTier: 'dedicated', placement: 'shared', moved: true, rowsMoved: expect.any(Number) });
    expect(existsSync(join(dataDir, 'tenants', org.tenantId))).toBe(false);
    const { device } = await signIn(server!);
    expect((await device.pullAll('scheduling')).changes.filter((c) => c.entity === 'appointment')).toHaveLength(3);
    expect(await sharedAppointments(server!)).toBe(3);
  });
});
