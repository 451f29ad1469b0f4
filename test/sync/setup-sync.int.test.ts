import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_AGENT_CONFIG } from '../../shared/api/configuration.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { startTcpRelay, type TcpRelay } from '../../electron/test-support/tcp-relay.ts';
import { startSyncServer, type SyncServerHandle } from '../../sync-server/server.ts';
import { closeClientSockets, signedIn, type SyncClient } from '../../sync-server/testing/harness.ts';
import { closeWorkstations, openWorkstation, type TestWorkstation } from '../support/workstations.ts';

/**
 * Issue 5: the org's set-up reaches its workstations (and no other org's), read-only, and
 * a slot double-booked on two desks while offline becomes a conflict both desks see.
 * Real server (PGlite), real workstations with their encrypted stores, real HTTP; the two
 * desks are taken offline by relays in front of the server.
 */
const TAX_DIGITS = '907531864';
const NPI_PERSON = '1234567893';

describe('set-up sync across tiers', () => {
  let server: SyncServerHandle;
  let relayA1: TcpRelay;
  let relayA2: TcpRelay;
  let a1: TestWorkstation;
  let a2: TestWorkstation;
  let b1: TestWorkstation;
  let admin: SyncClient;
  const tag = uuidv7().replace(/[^a-f]/g, '').slice(0, 8);
  const doctorName = `Dr. Setup ${tag}`;
  let roomId: string;
  let doctorId: string;

  const store = (ws: TestWorkstation) => ws.workstation.store();

  beforeAll(async () => {
    server = await startSyncServer({ port: 0, database: { kind: 'pglite' }, seedDemo: true });
    [relayA1, relayA2] = await Promise.all([startTcpRelay(server.url), startTcpRelay(server.url)]);
    a1 = await openWorkstation({ url: relayA1.url, demo: server.demo }, 'a1', 'northside');
    a2 = await openWorkstation({ url: relayA2.url, demo: server.demo }, 'a2', 'northside');
    b1 = await openWorkstation(server, 'b1', 'lakeview');
    const northside = server.demo!.orgs.find((org) => org.code === 'northside')!;
    const orgAdmin = northside.users.find((user) => user.username === 'admin')!;
    admin = (await signedIn(server, { code: 'northside', username: 'admin', password: orgAdmin.password })).client;

    roomId = (await admin.scheduling.locations.create.mutate({ name: `Room ${tag}`, kind: 'room' })).id;
    doctorId = (await admin.personnel.staff.create.mutate({ displayName: doctorName, isPractitioner: true, npi: NPI_PERSON, jobRoles: ['physician'] })).id;
    await admin.scheduling.schedules.upsert.mutate({ practitionerId: doctorId, locationId: roomId, weekday: 3, startTime: '09:00', endTime: '13:00', slotMinutes: 20, validFrom: '2030-01-01' });
    await admin.configuration.profile.update.mutate({
      legalName: `Northside ${tag}`, npi: null, taxId: TAX_DIGITS, addressLine1: '2 Side St', addressLine2: '', city: 'Northtown', region: 'NY',
      postalCode: '10001', country: 'US', phone: '555-0111',
    });
    await admin.configuration.payerContracts.upsert.mutate({ payerName: `Payer ${tag}`, planName: 'Silver', effectiveFrom: '2030-01-01', feeScheduleRef: 'FS-1' });
    await admin.configuration.agent.update.mutate({ ...DEFAULT_AGENT_CONFIG, communication: { ...DEFAULT_AGENT_CONFIG.communication, language: 'es' } });
    await Promise.all([a1, a2, b1].map((ws) => ws.workstation.syncNow()));
  });

  afterAll(async () => {
    await closeWorkstations(a1, a2, b1);
    await Promise.all([relayA1, relayA2].map((relay) => relay?.close()));
    await closeClientSockets();
    await server?.close();
  });

  it("puts the admin's set-up on the org's workstation, read-only, and none of it on another org's", async () => {
    const setup = store(a1).setup;
    expect(setup.locations().find((l) => l.id === roomId)).toEqual({ id: roomId, name: `Room ${tag}`, kind: 'room', active: true });
    expect(setup.practitioners().find((p) => p.id === doctorId)).toMatchObject({ displayName: doctorName, npi: NPI_PERSON, jobRoles: ['physician'], isPractitioner: true });
    const wednesday = setup.schedules({ locationId: roomId, weekday: 3 });
    expect(wednesday).toEqual([expect.objectContaining({ practitionerId: doctorId, startTime: '09:00', endTime: '13:00', slotMinutes: 20, validTo: null })]);
    expect(setup.schedules({ practitionerId: doctorId, weekday: 4 })).toEqual([]);
    expect(setup.practiceProfile()).toMatchObject({ legalName: `Northside ${tag}`, city: 'Northtown' });
    expect(setup.payerContracts({ activeOn: '2030-06-01' }).map((c) => c.payerName)).toContain(`Payer ${tag}`);
    expect(setup.payerContracts({ activeOn: '2029-06-01' }).map((c) => c.payerName)).not.toContain(`Payer ${tag}`);
    expect(setup.agentConfig()?.communication.language).toBe('es');

    // The Tax ID is nowhere in the store: no column for it, and its digits in no row of any set-up table.
    const db = store(a1).db;
    const tables = ['locations', 'practitioner_schedules', 'staff_members', 'practice_profile', 'payer_contracts', 'agent_config', 'booking_conflicts'];
    for (const table of tables) {
      expect(JSON.stringify(db.prepare(`SELECT * FROM ${table}`).all())).not.toContain(TAX_DIGITS);
    }
    expect((db.prepare('PRAGMA table_info(practice_profile)').all() as { name: string }[]).map((c) => c.name)).not.toContain('tax_id');
    // Read-only: nothing about set-up was queued for the server.
    expect(store(a1).pendingBatch(1000).filter((m) => m.entity !== 'patient' && m.entity !== 'appointment')).toEqual([]);

    const other = store(b1).setup;
    expect(other.locations({ includeInactive: true }).map((l) => l.id)).not.toContain(roomId);
    expect(other.staff({ includeInactive: true }).map((s) => s.id)).not.toContain(doctorId);
    expect(other.schedules().map((s) => s.practitionerId)).not.toContain(doctorId);
    expect(other.practiceProfile()?.legalName ?? '').not.toContain(tag);
    expect(other.payerContracts().map((c) => c.payerName)).not.toContain(`Payer ${tag}`);
  });

  it('brings a later admin change to the workstation on its next sync', async () => {
    await admin.scheduling.locations.update.mutate({ id: roomId, name: `Room ${tag} (east)`, active: false });
    await a2.workstation.syncNow();
    expect(store(a2).setup.locations().map((l) => l.id)).not.toContain(roomId);
    expect(store(a2).setup.locations({ includeInactive: true }).find((l) => l.id === roomId)).toMatchObject({ name: `Room ${tag} (east)`, active: false });
  });

  it('turns a slot double-booked on two offline desks into a conflict both desks see, and clears it when one moves', async () => {
    const patientId = store(a1).listPatients({ limit: 1 })[0]!.id;
    const booking = (startsAt: string, endsAt: string) => ({ patientId, startsAt, endsAt, status: 'booked' as const, reason: 'Review', practitionerName: doctorName, location: `Room ${tag}` });

    relayA1.down();
    relayA2.down();
    const first = await a1.workstation.caller.appointments.create(booking('2030-04-03T10:00:00.000Z', '2030-04-03T10:40:00.000Z'));
    const second = await a2.workstation.caller.appointments.create(booking('2030-04-03T10:20:00.000Z', '2030-04-03T11:00:00.000Z'));
    await expect(a1.workstation.syncNow()).rejects.toMatchObject({ code: 'OFFLINE' });
    expect(store(a1).pendingCount()).toBeGreaterThan(0);
    expect(store(a1).setup.bookingConflicts()).toEqual([]);

    relayA1.up();
    relayA2.up();
    await a1.workstation.syncNow();
    await a2.workstation.syncNow();
    await a1.workstation.syncNow();
    for (const ws of [a1, a2]) {
      expect(store(ws).pendingCount()).toBe(0);
      // Both bookings kept.
      expect(store(ws).listAppointments().filter((a) => a.id === first.id || a.id === second.id)).toHaveLength(2);
      expect(store(ws).setup.bookingConflicts()).toEqual([
        expect.objectContaining({
          firstAppointmentId: first.id, secondAppointmentId: second.id, practitionerName: doctorName,
          startsAt: '2030-04-03T10:20:00.000Z', endsAt: '2030-04-03T10:40:00.000Z', status: 'open', resolution: null,
        }),
      ]);
    }
    await b1.workstation.syncNow();
    expect(store(b1).setup.bookingConflicts({ status: 'all' })).toEqual([]);

    // Desk 2 moves its patient to a free slot: once both have synced, neither lists an open conflict.
    store(a2).appointments.update(second.id, { startsAt: '2030-04-03T11:00:00.000Z', endsAt: '2030-04-03T11:40:00.000Z' });
    await a2.workstation.syncNow();
    await a1.workstation.syncNow();
    expect(store(a1).setup.bookingConflicts()).toEqual([]);
    expect(store(a1).setup.bookingConflicts({ status: 'all' })).toEqual([expect.objectContaining({ status: 'resolved', resolution: 'rescheduled' })]);
  });
});
