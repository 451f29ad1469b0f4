import { describe, expect, it } from 'vitest';
import { DEFAULT_AGENT_CONFIG } from '../../shared/api/configuration.ts';
import { ENTITY_NAMES, isEditedOnline } from '../../shared/entities/catalog.ts';
import { formatHlc } from '../../shared/hlc.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { Change, PullPage } from '../../shared/sync/pull.ts';
import { freshStorePerTest } from '../test-support/fresh-store.ts';
import { listConflicts } from './conflicts.ts';
import { OrgStore } from './org-store.ts';
import { EntityRepository } from './repository.ts';

const openFresh = freshStorePerTest();

let seq = 0;
const upsert = (entity: Change['entity'], id: string, fields: Record<string, unknown>, version = 1): Change => ({
  seq: String(++seq), entity, id, op: 'upsert', fields, fieldHlc: {}, version,
});
const page = (s: OrgStore, domain: PullPage['domain'], changes: Change[]): PullPage => ({
  protocolVersion: 1, tenantId: s.tenantId, domain, changes, cursor: changes.at(-1)?.seq ?? '0', hasMore: false,
  serverHlc: formatHlc({ ms: Date.now(), counter: 0, node: 'server' }),
});

describe('set-up tables (store schema step 4)', () => {
  it('holds pulled set-up rows as they were sent: booleans, lists, documents and nulls included', () => {
    const s = openFresh();
    const room = uuidv7();
    const closet = uuidv7();
    const dr = uuidv7();
    const clerk = uuidv7();
    s.applyPage(page(s, 'scheduling', [
      upsert('location', room, { name: 'Room 1', kind: 'room', active: true }),
      upsert('location', closet, { name: 'Annex', kind: 'clinic', active: false }),
      upsert('practitioner_schedule', uuidv7(), { practitionerId: dr, locationId: room, weekday: 2, startTime: '13:00', endTime: '17:00', slotMinutes: 30, validFrom: '2030-01-01', validTo: null }),
      upsert('practitioner_schedule', uuidv7(), { practitionerId: dr, locationId: room, weekday: 1, startTime: '08:00', endTime: '12:00', slotMinutes: 15, validFrom: '2030-01-01', validTo: '2030-12-31' }),
    ]));
    s.applyPage(page(s, 'personnel', [
      upsert('staff_member', dr, { displayName: 'Dr. Able', jobTitle: 'GP', jobRoles: ['manager', 'physician'], isPractitioner: true, npi: '1234567893', active: true }),
      upsert('staff_member', clerk, { displayName: 'Clerk', jobTitle: '', jobRoles: [], isPractitioner: false, npi: null, active: true }),
    ]));
    s.applyPage(page(s, 'configuration', [
      upsert('practice_profile', s.tenantId, { legalName: 'Able FP', npi: null, addressLine1: '', addressLine2: '', city: '', region: '', postalCode: '', country: 'US', phone: '' }),
      upsert('payer_contract', uuidv7(), { payerName: 'Acme', planName: 'Gold', effectiveFrom: '2030-01-01', effectiveTo: '2030-12-31', feeScheduleRef: 'A-1' }),
      upsert('agent_config', s.tenantId, { codingRules: DEFAULT_AGENT_CONFIG.codingRules, communication: DEFAULT_AGENT_CONFIG.communication }),
    ]));

    const setup = s.setup;
    expect(setup.locations()).toEqual([{ id: room, name: 'Room 1', kind: 'room', active: true }]);
    expect(setup.locations({ includeInactive: true }).map((l) => [l.name, l.active])).toEqual([['Annex', false], ['Room 1', true]]);
    // userId was not sent (as from a server older than the staff-user link): it reads as no link.
    expect(setup.practitioners()).toEqual([{ id: dr, displayName: 'Dr. Able', jobTitle: 'GP', jobRoles: ['manager', 'physician'], isPractitioner: true, npi: '1234567893', active: true, userId: null }]);
    expect(setup.staff().map((m) => m.displayName)).toEqual(['Clerk', 'Dr. Able']);
    expect(setup.schedules({ practitionerId: dr }).map((b) => [b.weekday, b.startTime, b.validTo])).toEqual([[1, '08:00', '2030-12-31'], [2, '13:00', null]]);
    expect(setup.schedules({ locationId: room, weekday: 2 })).toHaveLength(1);
    expect(setup.schedules({ locationId: closet })).toEqual([]);
    expect(setup.practiceProfile()).toMatchObject({ id: s.tenantId, legalName: 'Able FP', npi: null });
    expect(setup.payerContracts({ activeOn: '2030-06-30' })).toHaveLength(1);
    expect(setup.payerContracts({ activeOn: '2031-01-01' })).toEqual([]);
    expect(setup.agentConfig()).toEqual({ id: s.tenantId, codingRules: DEFAULT_AGENT_CONFIG.codingRules, communication: DEFAULT_AGENT_CONFIG.communication });
    // The schedule lookups the desk makes use the indexes (practitioner / location / day).
    const plan = s.db.prepare("EXPLAIN QUERY PLAN SELECT * FROM practitioner_schedules WHERE location_id = 'x' AND weekday = 2").all();
    expect(JSON.stringify(plan)).toContain('practitioner_schedules_location');
  });

  it('replaces a row with the newer server version, logging no conflict (nothing local to lose)', () => {
    const s = openFresh();
    const room = uuidv7();
    s.applyPage(page(s, 'scheduling', [upsert('location', room, { name: 'Room 1', kind: 'room', active: true })]));
    s.applyPage(page(s, 'scheduling', [upsert('location', room, { name: 'Room 1A', kind: 'room', active: false }, 2)]));
    expect(s.setup.locations({ includeInactive: true })).toEqual([{ id: room, name: 'Room 1A', kind: 'room', active: false }]);
    expect(listConflicts(s.db)).toEqual([]);
    expect(s.pendingCount()).toBe(0);
  });

  it('lists open booking conflicts in slot order, resolved ones only when asked', () => {
    const s = openFresh();
    const conflict = (startsAt: string, status: 'open' | 'resolved') =>
      upsert('booking_conflict', uuidv7(), {
        firstAppointmentId: uuidv7(), secondAppointmentId: uuidv7(), practitionerId: null, practitionerName: 'Dr. Able',
        startsAt, endsAt: '2030-03-04T12:00:00.000Z', status, resolution: status === 'open' ? null : 'rescheduled',
      });
    const late = conflict('2030-03-04T11:00:00.000Z', 'open');
    const early = conflict('2030-03-04T09:00:00+01:00', 'open');
    const done = conflict('2030-03-04T07:00:00.000Z', 'resolved');
    s.applyPage(page(s, 'scheduling', [late, early, done]));
    expect(s.setup.bookingConflicts().map((c) => c.id)).toEqual([early.id, late.id]);
    expect(s.setup.bookingConflicts({ status: 'all' }).map((c) => c.id)).toEqual([done.id, early.id, late.id]);
    expect(s.setup.bookingConflicts({ status: 'resolved' })).toEqual([expect.objectContaining({ id: done.id, resolution: 'rescheduled' })]);
  });

  it('keeps no repository for set-up data, so no change of it can be queued', () => {
    const s = openFresh();
    for (const entity of ENTITY_NAMES.filter(isEditedOnline)) {
      expect(() => new EntityRepository({ db: s.db, clock: s.clock, entity, noun: entity })).toThrow(/edited online only/);
    }
    expect(() => new EntityRepository({ db: s.db, clock: s.clock, entity: 'patient', noun: 'patient' })).not.toThrow();
  });
});
