import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import { tempDir } from '../../electron/test-support/temp-dir.ts';
import { startSyncServer, type SyncServerHandle } from '../../sync-server/server.ts';
import { demoLogin, openDesk, type Desk } from '../support/sync-desk.ts';

/**
 * The race the pull-before-push cannot close: desk A pulls, desk B pushes an edit of the
 * same field, then A pushes its own (A never saw B's). Last-writer-wins by HLC decides at
 * the server; the value that lost must still land in a conflict log. The server compares
 * each change's base HLC with what it holds and tells A, which logs it, whichever won,
 * also when A only hears the answer on a replay (its first answer lost on the wire).
 */
describe('concurrent edits of one field that never met on a desk are logged from the server’s answer', () => {
  const dir = tempDir('clinicsync-race-');
  let server: SyncServerHandle;
  let a: Desk;
  let b: Desk;
  let patientId: string;

  beforeAll(async () => {
    server = await startSyncServer({ port: 0, database: { kind: 'pglite' }, seedDemo: true });
    a = await openDesk({ url: server.url, dir: dir.path, name: 'race-a', org: demoLogin(server, 'northside') });
    b = await openDesk({ url: server.url, dir: dir.path, name: 'race-b', org: demoLogin(server, 'northside') });
    await a.engine.syncNow();
    await b.engine.syncNow();
    patientId = a.store.listPatients()[0]!.id;
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await server?.close();
    dir.remove();
  });

  /** A's queued changes reach the server without the pull a cycle makes first: the race. */
  async function pushOnly(desk: Desk, { loseFirstAnswer = false } = {}) {
    const input = { protocolVersion: PROTOCOL_VERSION, deviceId: desk.deviceId, mutations: desk.store.pendingBatch(100) };
    const first = await desk.transport.push(input);
    const answer = loseFirstAnswer ? await desk.transport.push(input) : first;
    desk.store.settle(answer.results, answer.serverHlc);
    return answer;
  }
  const phoneConflicts = (desk: Desk) => desk.store.conflicts().filter((c) => c.entityId === patientId && c.field === 'phone');

  it("logs A's own value when B's later edit wins", async () => {
    a.store.patients.update(patientId, { phone: '555-1111' }); // older HLC
    b.store.patients.update(patientId, { phone: '555-2222' }); // newer HLC, pushed first
    await b.engine.syncNow();
    const answer = await pushOnly(a);

    expect(answer.results[0]).toMatchObject({ status: 'applied', conflicts: [{ field: 'phone', winner: 'theirs', theirValue: '555-2222' }] });
    expect(phoneConflicts(a)).toEqual([expect.objectContaining({ losingValue: '555-1111', winningValue: '555-2222', source: 'local' })]);
    await a.engine.syncNow();
    expect(a.store.patients.get(patientId)!.phone).toBe('555-2222');
    expect(phoneConflicts(a)).toHaveLength(1); // the pull that follows does not log it twice
  });

  it("logs B's value when A's later edit wins, also when A's first answer was lost and only the replay is heard", async () => {
    b.store.patients.update(patientId, { phone: '555-3333' }); // older HLC, pushed first
    await b.engine.syncNow();
    a.store.patients.update(patientId, { phone: '555-4444' }); // newer HLC, A has not pulled B's
    const answer = await pushOnly(a, { loseFirstAnswer: true });

    expect(answer.results[0]).toMatchObject({ status: 'duplicate', conflicts: [{ field: 'phone', winner: 'mine', theirValue: '555-3333' }] });
    expect(phoneConflicts(a).at(-1)).toMatchObject({ losingValue: '555-3333', winningValue: '555-4444', source: 'remote' });
    await b.engine.syncNow();
    expect(b.store.patients.get(patientId)!.phone).toBe('555-4444');
  });

  it('reports nothing for a follow-up edit of a value the desk had seen, or for an equal value', async () => {
    await a.engine.syncNow();
    a.store.patients.update(patientId, { phone: '555-5555' });
    const followUp = await pushOnly(a);
    expect(followUp.results[0]).toEqual({ mutationId: expect.any(String), status: 'applied' });

    b.store.patients.update(patientId, { familyName: 'Samevalue' });
    await b.engine.syncNow();
    a.store.patients.update(patientId, { familyName: 'Samevalue' });
    const same = await pushOnly(a);
    expect(same.results[0]).toEqual({ mutationId: expect.any(String), status: 'applied' });
  });
});
