import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNCED_DOMAINS } from '../../shared/domains.ts';
import type { Mutation, MutationResult } from '../../shared/sync/mutation.ts';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import { SyncEngine } from '../sync/engine.ts';
import { createSyncTransport, type SyncTransport } from '../sync/transport.ts';
import { freePort, signInDemoFrontDesk, startSyncServerProcess, syncServerAvailable, type SyncServerProcess } from '../test-support/sync-server-process.ts';
import { tempDir } from '../test-support/temp-dir.ts';
import { OrgStore, type OrgStoreOptions } from './org-store.ts';
import { samplePatient } from './test-fixtures.ts';

const ORG = 'northside';
const available = syncServerAvailable();
if (!available) console.warn('SKIPPED electron/store/restored-copy.int.test.ts: sync-server/main.ts is not there yet');

interface Desk {
  options: OrgStoreOptions;
  transport: SyncTransport;
  store: OrgStore;
  engine: SyncEngine;
}

describe.skipIf(!available)('a restored store copy, recovered against the real sync server', () => {
  const dir = tempDir('clinicsync-restored-');
  let server: SyncServerProcess;
  const desks: Desk[] = [];

  beforeAll(async () => {
    server = await startSyncServerProcess({ port: await freePort(), dataDir: join(dir.path, 'server') });
  });
  afterAll(async () => {
    for (const desk of desks) {
      await desk.engine.stop();
      await desk.transport.close();
      desk.store.close();
    }
    await server?.stop();
    dir.remove();
  });

  async function signedInDesk(name: string): Promise<Desk> {
    const { session, deviceId } = await signInDemoFrontDesk(server, ORG, name);
    const options = { path: join(dir.path, name, `${session.tenantId}.db`), key: randomBytes(32), tenantId: session.tenantId, deviceId };
    const transport = createSyncTransport(server.url, { tenantId: session.tenantId, token: session.token });
    const store = OrgStore.open(options);
    const desk = { options, transport, store, engine: new SyncEngine({ store, transport, deviceId }) };
    desks.push(desk);
    return desk;
  }

  /** The desk's store replaced by `store` (the old one closed); a fresh engine on the new one. */
  function useStore(desk: Desk, store: OrgStore): void {
    desk.store.close();
    desk.store = store;
    desk.engine = new SyncEngine({ store, transport: desk.transport, deviceId: desk.options.deviceId });
  }

  /** Pushes exactly these mutations (not the whole outbox) and settles their results. */
  async function pushOnly(desk: Desk, mutations: Mutation[]): Promise<MutationResult[]> {
    const result = await desk.transport.push({ protocolVersion: PROTOCOL_VERSION, deviceId: desk.options.deviceId, mutations });
    desk.store.settle(result.results, result.serverHlc);
    return result.results;
  }

  const pendingFor = (desk: Desk, entityId: string) => desk.store.pendingBatch(500).filter((m) => m.id === entityId);
  const versionOf = (store: OrgStore, id: string) => (store.db.prepare('SELECT version FROM patients WHERE id = ?').get(id) as { version: number | null } | undefined)?.version;
  const everyPatient = (store: OrgStore) => store.listPatients({ limit: 1000 }).sort((a, b) => a.id.localeCompare(b.id));

  it('pushes every unacked change of the copy exactly once and brings the copy back to the server’s rows', async () => {
    const a = await signedInDesk('desk-a');
    const b = await signedInDesk('desk-b');
    await a.engine.syncNow();

    // Before the backup: two patients the server has, two it does not have yet.
    const early = a.store.patients.create(samplePatient({ givenName: 'Early', familyName: 'Restorecase', mrn: 'RC-1' }));
    const doomed = a.store.patients.create(samplePatient({ givenName: 'Doomed', familyName: 'Restorecase', mrn: 'RC-2' }));
    await a.engine.syncNow();
    const sentLater = a.store.patients.create(samplePatient({ givenName: 'Sentlater', familyName: 'Restorecase', mrn: 'RC-3' }));
    const neverSent = a.store.patients.create(samplePatient({ givenName: 'Neversent', familyName: 'Restorecase', mrn: 'RC-4' }));
    a.store.close();
    expect(existsSync(`${a.options.path}-wal`)).toBe(false);
    const backup = join(dir.path, 'backup.db');
    copyFileSync(a.options.path, backup);

    // After the backup, on the live store: one of the two is sent, then edited and sent;
    // another patient is deleted; the other desk adds one. The copy knows none of this.
    useStore(a, OrgStore.open(a.options));
    expect((await pushOnly(a, pendingFor(a, sentLater.id))).map((r) => r.status)).toEqual(['applied']);
    a.store.patients.update(sentLater.id, { phone: '+1 555-0142' });
    a.store.patients.update(early.id, { phone: '+1 555-0143' });
    a.store.patients.delete(doomed.id);
    for (const id of [sentLater.id, early.id, doomed.id]) expect((await pushOnly(a, pendingFor(a, id))).map((r) => r.status)).toEqual(['applied']);
    expect(a.store.pendingBatch(500).map((m) => m.id)).toEqual([neverSent.id]);
    const other = b.store.patients.create(samplePatient({ givenName: 'Otherdesk', familyName: 'Restorecase', mrn: 'RC-5' }));
    await b.engine.syncNow();
    const serverVersionOfSentLater = versionOf(b.store, sentLater.id);
    expect(serverVersionOfSentLater).toEqual(expect.any(Number));
    a.store.close();

    // The backup is put back over the live store.
    copyFileSync(backup, a.options.path);
    expect(() => OrgStore.open(a.options)).toThrow(expect.objectContaining({ reason: 'restored' }));
    const { store, recovery } = OrgStore.openRestoredCopy(a.options);
    useStore(a, store);
    expect(recovery).toMatchObject({ outboxKept: 2, pendingKept: 2, rejectedKept: 0, cursorsReset: SYNCED_DOMAINS.length, clockAdvanced: true });
    const madeOnCopy = a.store.patients.create(samplePatient({ givenName: 'Madeoncopy', familyName: 'Restorecase', mrn: 'RC-6' }));

    // One sync. The push is made by hand only to read the server's answers; the pull is the engine's.
    const answers = await pushOnly(a, a.store.pendingBatch(500));
    expect(answers.map((r) => r.status)).toEqual(['duplicate', 'applied', 'applied']); // sentLater, neverSent, madeOnCopy in outbox order
    await a.engine.syncNow();
    await b.engine.syncNow();

    expect(a.store.pendingCount()).toBe(0);
    expect(a.store.rejected()).toEqual([]);
    // The copy holds the server's rows again: the lost edits, the deletion, the other desk's patient.
    expect(everyPatient(a.store)).toEqual(everyPatient(b.store));
    const restored = new Map(everyPatient(a.store).map((p) => [p.id, p]));
    expect(restored.get(sentLater.id)?.phone).toBe('+1 555-0142');
    expect(restored.get(early.id)?.phone).toBe('+1 555-0143');
    expect(restored.has(doomed.id)).toBe(false);
    expect(restored.get(other.id)?.givenName).toBe('Otherdesk');
    // Exactly once: the replayed create changed nothing on the server (same version), and
    // each unacked change is there once.
    expect(versionOf(b.store, sentLater.id)).toBe(serverVersionOfSentLater);
    expect(b.store.listPatients({ search: 'Restorecase', limit: 1000 }).map((p) => p.givenName).sort()).toEqual([
      'Early',
      'Madeoncopy',
      'Neversent',
      'Otherdesk',
      'Sentlater',
    ]);
    expect(restored.get(madeOnCopy.id)).toMatchObject({ givenName: 'Madeoncopy', pending: false });

    // And the next open is a normal one.
    a.store.close();
    useStore(a, OrgStore.open(a.options));
    expect(a.store.openReport).toMatchObject({ watermark: 'verified', recovery: null });
  });
});
