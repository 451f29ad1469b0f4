import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SYNCED_DOMAINS } from '../../shared/domains.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { samplePatient } from '../../electron/store/test-fixtures.ts';
import { localDigest } from '../../electron/sync/checksum-check.ts';
import type { SyncTransport } from '../../electron/sync/transport.ts';
import { tempDir } from '../../electron/test-support/temp-dir.ts';
import { startSyncServer, type SyncServerHandle } from '../../sync-server/server.ts';
import { demoLogin, openDesk, type Desk } from '../support/sync-desk.ts';

/**
 * Periodic checksum comparison per domain (issue 5): a store that drifted from the server
 * (a row changed or removed behind the engine's back, a row the server never had) is found
 * by the next periodic check, that domain alone is resynced, the digests match again, and
 * the mismatch is reported (status, a PHI-free log event, the server's audit trail).
 * A store that matches triggers nothing.
 */
describe('periodic checksum comparison and targeted resync', () => {
  const dir = tempDir('clinicsync-checksum-');
  let server: SyncServerHandle;
  let desk: Desk;
  const events: { event: string; fields: Record<string, string> }[] = [];
  /** Runs inside the next sync.checksum call of that domain, before the answer is used (a desk edit racing the check). */
  let duringNextCheck: { domain: string; run: () => void } | null = null;

  beforeAll(async () => {
    server = await startSyncServer({ port: 0, database: { kind: 'pglite' }, seedDemo: true });
    desk = await openDesk({
      url: server.url,
      dir: dir.path,
      name: 'desk',
      org: demoLogin(server, 'northside'),
      engine: { log: (event, fields) => events.push({ event, fields }) },
      wrap: (real): SyncTransport => ({
        ...real,
        checksum: async (input, signal) => {
          const answer = await real.checksum!(input, signal);
          const hook = duringNextCheck;
          if (hook?.domain === input.domain) {
            duringNextCheck = null;
            hook.run();
          }
          return answer;
        },
      }),
    });
    await desk.engine.syncNow();
  });
  afterAll(async () => {
    await desk?.close();
    await server?.close();
    dir.remove();
  });

  const serverDigest = async (domain: (typeof SYNCED_DOMAINS)[number]) => (await desk.transport.checksum!({ protocolVersion: 1, domain })).digest;
  const checksumAudit = async () =>
    (await server.admin.listAudit({ tenantId: desk.session.tenantId, action: 'sync.checksum', deviceId: desk.deviceId, limit: 500 })).entries.reverse().map((entry) => entry.detail);

  it('finds matching stores equal and triggers nothing', async () => {
    const reports = await desk.engine.checkChecksumsNow();
    expect(reports.map((r) => r.domain).sort()).toEqual([...SYNCED_DOMAINS].filter((d) => reports.some((r) => r.domain === d)).sort());
    expect(reports.find((r) => r.domain === 'master_data')).toMatchObject({ outcome: 'match', mismatches: 0, removed: 0 });
    expect(reports.find((r) => r.domain === 'scheduling')).toMatchObject({ outcome: 'match', mismatches: 0 });
    for (const report of reports) expect(report).toMatchObject({ outcome: 'match', localRows: report.serverRows });
    expect(reports.find((r) => r.domain === 'master_data')!.localRows).toBeGreaterThan(100);
    expect(events).toEqual([]);
    expect((await checksumAudit()).every((detail) => detail['verdict'] === 'match')).toBe(true);
    for (const domain of ['master_data', 'scheduling'] as const) expect((await localDigest(desk.store, domain)).digest).toBe(await serverDigest(domain));
  });

  it('detects a row changed and a row removed behind the engine, and a row the server never had; resyncs only the drifted domains', async () => {
    const [changed, other] = desk.store.listPatients({ limit: 2 });
    const removedAppointment = desk.store.listAppointments()[0]!;
    const phantom = uuidv7();
    const schedulingCursor = desk.store.cursor('scheduling');
    desk.store.db.prepare('UPDATE patients SET phone = ? WHERE id = ?').run('000-CORRUPT', changed!.id);
    desk.store.db.prepare('DELETE FROM appointments WHERE id = ?').run(removedAppointment.id);
    desk.store.db
      .prepare(`INSERT INTO patients (id, given_name, family_name, birth_date, sex, phone, mrn, version, field_hlc) VALUES (?, 'Ghost', 'Phantomrow', '1970-01-01', 'other', '1', 'GHOST', 3, '{}')`)
      .run(phantom);
    expect((await localDigest(desk.store, 'master_data')).digest).not.toBe(await serverDigest('master_data'));

    // The periodic check (not a manual call) finds it.
    await desk.engine.stop();
    const periodic = await openPeriodic();
    await vi.waitFor(
      () => {
        const reports = periodic.status().checksums;
        expect(reports.find((r) => r.domain === 'master_data')).toMatchObject({ outcome: 'resynced', mismatches: 1, removed: 1 });
        expect(reports.find((r) => r.domain === 'scheduling')).toMatchObject({ outcome: 'resynced', mismatches: 1, removed: 0 });
      },
      { timeout: 20_000, interval: 50 },
    );
    await periodic.stop();
    // Only the drifted domains were resynced.
    for (const report of periodic.status().checksums.filter((r) => r.domain !== 'master_data' && r.domain !== 'scheduling')) {
      expect(report, report.domain).toMatchObject({ outcome: 'match', mismatches: 0 });
    }

    expect(desk.store.patients.get(changed!.id)?.phone).toBe(changed!.phone);
    expect(desk.store.patients.get(other!.id)).toMatchObject({ phone: other!.phone });
    expect(desk.store.patients.get(phantom)).toBeUndefined();
    expect(desk.store.listAppointments().map((a) => a.id)).toContain(removedAppointment.id);
    expect(desk.store.cursor('scheduling')).toBe(schedulingCursor);
    for (const domain of ['master_data', 'scheduling'] as const) expect((await localDigest(desk.store, domain)).digest).toBe(await serverDigest(domain));

    // Reported without PHI, and in the server's audit trail (mismatch, then the match after the resync).
    const mismatchEvents = events.filter((e) => e.event === 'checksum_mismatch');
    expect(mismatchEvents.map((e) => e.fields['domain']).sort()).toEqual(['master_data', 'scheduling']);
    const logged = JSON.stringify(events);
    for (const phi of ['000-CORRUPT', changed!.familyName, changed!.phone, 'Phantomrow', 'Ghost']) expect(logged).not.toContain(phi);
    // (Leaving out this test's own unclaimed calls.)
    const verdicts = (await checksumAudit()).filter((d) => d['domain'] === 'master_data' && d['verdict'] !== 'unclaimed').map((d) => d['verdict']);
    expect(verdicts.filter((v) => v === 'mismatch')).toHaveLength(1);
    expect(verdicts[verdicts.indexOf('mismatch') + 1]).toBe('match');

    // The next periodic check finds nothing more.
    const reports = await desk.engine.checkChecksumsNow();
    expect(reports.find((r) => r.domain === 'master_data')).toMatchObject({ outcome: 'match', mismatches: 1 });
  });

  it('keeps an unsent local edit made while a resync runs, and skips a domain with unsent edits', async () => {
    const [target, drifted] = desk.store.listPatients({ limit: 2 });
    desk.store.db.prepare('UPDATE patients SET mrn = ? WHERE id = ?').run('DRIFT-1', drifted!.id);
    duringNextCheck = { domain: 'master_data', run: () => desk.store.patients.update(target!.id, { phone: '555-0199' }) };
    const [master] = (await desk.engine.checkChecksumsNow()).filter((r) => r.domain === 'master_data');
    // The unsent edit keeps the store different from the server until it is pushed: reported as such.
    expect(master).toMatchObject({ outcome: 'still_different', mismatches: 2 });
    expect(desk.store.patients.get(target!.id)?.phone).toBe('555-0199');
    expect(desk.store.pendingBatch(10).map((m) => m.id)).toEqual([target!.id]);
    expect(desk.store.patients.get(drifted!.id)?.mrn).toBe(drifted!.mrn);

    // While the edit waits in the outbox, master_data is not compared at all.
    const skipped = await desk.engine.checkChecksumsNow();
    expect(skipped.map((r) => r.domain)).not.toContain('master_data');
    await desk.engine.syncNow();
    const after = await desk.engine.checkChecksumsNow();
    expect(after.find((r) => r.domain === 'master_data')).toMatchObject({ outcome: 'match' });
    expect((await serverDigest('master_data'))).toBe((await localDigest(desk.store, 'master_data')).digest);
  });

  /** A second engine on the same store and transport, with the periodic check every 100 ms. */
  async function openPeriodic() {
    const { SyncEngine } = await import('../../electron/sync/engine.ts');
    const engine = new SyncEngine({
      store: desk.store,
      transport: desk.transport,
      deviceId: desk.deviceId,
      pollIntervalMs: 50,
      checksumIntervalMs: 100,
      log: (event, fields) => events.push({ event, fields }),
    });
    engine.start();
    return engine;
  }
});
