import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { startTcpRelay, type TcpRelay } from '../../electron/test-support/tcp-relay.ts';
import { startSyncServer, type SyncServerHandle } from '../../sync-server/server.ts';
import { closeWorkstations, openWorkstation, type TestWorkstation } from '../support/workstations.ts';

/**
 * A change the server refuses must not stay on the desk that made it. The store applied it
 * at once (local-first) with a newer clock than the server's values; after the refusal the
 * desk must hold the server's state again, like every other desk of the org, while the
 * refused change stays listed with its reason.
 */
describe('a refused change is rolled back on the desk that made it', () => {
  let server: SyncServerHandle;
  let a: TestWorkstation;
  let b: TestWorkstation;
  let relayA: TcpRelay;

  beforeAll(async () => {
    server = await startSyncServer({ port: 0, database: { kind: 'pglite' }, seedDemo: true });
    relayA = await startTcpRelay(server.url);
    a = await openWorkstation({ url: relayA.url, demo: server.demo }, 'rollback-a', 'northside');
    b = await openWorkstation({ url: server.url, demo: server.demo }, 'rollback-b', 'northside');
    await a.workstation.syncNow();
    await b.workstation.syncNow();
  });
  afterAll(async () => {
    await closeWorkstations(a, b);
    await relayA?.close();
    await server?.close();
  });

  const storeOf = (ws: TestWorkstation) => ws.workstation.store();
  const rejectedOn = (ws: TestWorkstation) => ws.workstation.store().rejected();

  /**
   * A patient desk A still holds but the server no longer has in the org: desk B removed it
   * while A had not synced. A's changes that point at it pass A's own checks and are refused
   * by the server (NOT_FOUND), the way any stale offline edit is.
   */
  async function patientGoneFromServer(): Promise<string> {
    const template = storeOf(b).patients.get(storeOf(b).listPatients()[0]!.id)!;
    const { id } = storeOf(b).patients.create({ ...template, familyName: 'Soontobegone', mrn: `GONE-${id8()}` });
    await b.workstation.syncNow();
    await a.workstation.syncNow();
    relayA.down(); // A works offline (its live sync would otherwise learn of the removal at once)
    storeOf(b).patients.delete(id);
    await b.workstation.syncNow();
    return id;
  }
  const id8 = () => uuidv7().slice(-8);

  it('an edit refused by the server gives way to the server state, and the refusal stays listed', async () => {
    const gone = await patientGoneFromServer();
    const appointment = storeOf(a).listAppointments()[0]!;
    const before = storeOf(a).appointments.get(appointment.id)!;
    storeOf(a).appointments.update(appointment.id, { patientId: gone, reason: 'Moved to a removed patient' });
    expect(storeOf(a).appointments.get(appointment.id)!.reason).toBe('Moved to a removed patient');

    relayA.up();
    await a.workstation.syncNow();

    expect(storeOf(a).appointments.get(appointment.id)).toEqual(before);
    expect(storeOf(a).pendingCount()).toBe(0);
    expect(rejectedOn(a)).toEqual([expect.objectContaining({ entity: 'appointment', entityId: appointment.id, code: 'NOT_FOUND' })]);
    // A later edit of the same record is not held back by the refused one's clock.
    storeOf(b).appointments.update(appointment.id, { reason: 'Edited on desk B' });
    await b.workstation.syncNow();
    await a.workstation.syncNow();
    expect(storeOf(a).appointments.get(appointment.id)!.reason).toBe('Edited on desk B');
    expect(storeOf(a).listAppointments()).toEqual(storeOf(b).listAppointments());
  });

  it('a refused new record is removed from the desk that created it', async () => {
    const gone = await patientGoneFromServer();
    const fields = storeOf(a).appointments.get(storeOf(a).listAppointments()[0]!.id)!;
    const { id } = storeOf(a).appointments.create({ ...fields, patientId: gone, reason: 'For a removed patient' });
    expect(storeOf(a).appointments.get(id)).toBeDefined();

    relayA.up();
    await a.workstation.syncNow();

    expect(storeOf(a).appointments.get(id)).toBeUndefined();
    expect(rejectedOn(a).map((r) => r.entityId)).toContain(id);
    await b.workstation.syncNow();
    expect(storeOf(a).listAppointments()).toEqual(storeOf(b).listAppointments());
    expect(storeOf(a).listPatients()).toEqual(storeOf(b).listPatients());
  });
});
