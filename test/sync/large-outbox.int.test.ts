import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrgStore } from '../../electron/store/org-store.ts';
import { NOTE_MAX_LENGTH } from '../../shared/api/clinical.ts';
import { SYNC_MAX_INPUT_BYTES } from '../../shared/sync/procedures.ts';
import { startSyncServer, type SyncServerHandle } from '../../sync-server/server.ts';
import { closeWorkstations, openWorkstation, type TestWorkstation } from '../support/workstations.ts';

/**
 * An outbox far larger than one request the server reads (SYNC_MAX_INPUT_BYTES): a clinician's
 * backlog of the longest notes, three-byte characters throughout. The engine sends it in
 * several pushes (electron/sync/push-within-bytes.ts) and all of it lands, in one sync, on
 * the server and then at a second desk of the org.
 */
describe('an outbox larger than one push', () => {
  let server: SyncServerHandle;
  let writer: TestWorkstation;
  let reader: TestWorkstation;
  const storeOf = (ws: TestWorkstation): OrgStore => ws.workstation.store();

  beforeAll(async () => {
    server = await startSyncServer({ port: 0, database: { kind: 'pglite' }, seedDemo: true });
    writer = await openWorkstation(server, 'big-outbox-a', 'northside', 'clinician');
    reader = await openWorkstation(server, 'big-outbox-b', 'northside', 'clinician');
    await Promise.all([writer, reader].map((ws) => ws.workstation.syncNow()));
  }, 120_000);

  afterAll(async () => {
    await closeWorkstations(writer, reader);
    await server?.close();
  });

  it('pushes every change in several requests under the limit, and the other desk gets them all', async () => {
    const store = storeOf(writer);
    const clinician = store.db.prepare<[], { user_id: string }>('SELECT user_id FROM local_users').get()!.user_id;
    const patientId = store.listPatients({ limit: 1 })[0]!.id;
    const encounterId = store.encounters.open({ patientId, startedAt: '2026-03-02T09:00:00.000Z' }).id;
    const bodies = Array.from({ length: 100 }, (_, i) => `${i} ${'€'.repeat(NOTE_MAX_LENGTH - 5)}`);
    const ids = bodies.map((body) => store.notes.createDraft(clinician, { encounterId, kind: 'progress', body }).id);
    const outboxBytes = store.pendingBatch(500).reduce((sum, mutation) => sum + Buffer.byteLength(JSON.stringify(mutation)), 0);
    expect(outboxBytes).toBeGreaterThan(5 * SYNC_MAX_INPUT_BYTES);

    await writer.workstation.syncNow();
    expect(store.pendingCount()).toBe(0);
    expect(store.rejected()).toEqual([]);

    await reader.workstation.syncNow();
    const there = storeOf(reader);
    expect(ids.map((id) => there.notes.get(id)?.body)).toEqual(bodies);
  }, 120_000);
});
