import { describe, expect, it } from 'vitest';
import { formatHlc } from '../../shared/hlc.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { freshStorePerTest } from '../test-support/fresh-store.ts';
import { refusal, storeOnlyCaller } from '../test-support/local-api-caller.ts';
import type { OrgStore } from '../store/org-store.ts';

const openFresh = freshStorePerTest();

/**
 * The schedule procedures on a real encrypted store. Only the store reaches them: the rest of
 * the backend (sessions, sync) is not theirs, and the session gate is covered for every
 * procedure by electron/people/offline-access.int.test.ts.
 */
const callerOn = (store: OrgStore) => storeOnlyCaller(store);

function storeWithAble() {
  const s = openFresh();
  const able = uuidv7();
  const room = uuidv7();
  const fields = { practitionerId: able, locationId: room, weekday: 1, startTime: '09:00', endTime: '10:00', slotMinutes: 20, validFrom: '2030-01-01', validTo: null };
  const changes = [
    { seq: '1', entity: 'staff_member', id: able, op: 'upsert', fields: { displayName: 'Dr. Able', jobTitle: '', jobRoles: [], isPractitioner: true, npi: null, active: true }, fieldHlc: {}, version: 1 },
    { seq: '2', entity: 'location', id: room, op: 'upsert', fields: { name: 'Room 1', kind: 'room', active: true }, fieldHlc: {}, version: 1 },
    { seq: '3', entity: 'practitioner_schedule', id: uuidv7(), op: 'upsert', fields, fieldHlc: {}, version: 1 },
  ] as const;
  for (const change of changes) {
    const domain = change.entity === 'staff_member' ? 'personnel' : 'scheduling';
    s.applyPage({ protocolVersion: 1, tenantId: s.tenantId, domain, changes: [change], cursor: change.seq, hasMore: false, serverHlc: formatHlc({ ms: Date.now(), counter: 0, node: 'server' }) });
  }
  return { s, able, room };
}

describe('local API: schedule.day and schedule.week', () => {
  it('answers a day and a week with free slots, filtered by practitioner and location', async () => {
    const { s, able, room } = storeWithAble();
    const caller = callerOn(s);
    const day = await caller.schedule.day({ date: '2030-05-06', practitionerId: able, locationId: room });
    expect(day).toMatchObject({ from: '2030-05-06', to: '2030-05-06', timeZone: 'UTC' });
    expect(day.columns[0]?.freeSlots.map((slot) => slot.start)).toEqual(['09:00', '09:20', '09:40']);
    const week = await caller.schedule.week({ weekStart: '2030-05-06' });
    expect(week.to).toBe('2030-05-12');
    expect(week.columns.flatMap((c) => c.freeSlots)).toHaveLength(3);
    // A week from Tuesday reaches the next Monday.
    const fromTuesday = await caller.schedule.week({ weekStart: '2030-05-07', locationId: room });
    expect(fromTuesday.columns.flatMap((c) => c.freeSlots.map((slot) => slot.startsAt))).toEqual(['2030-05-13T09:00:00.000Z', '2030-05-13T09:20:00.000Z', '2030-05-13T09:40:00.000Z']);
  });

  it('refuses bad input with per-field messages, and unknown ids as NOT_FOUND', async () => {
    const { s, able } = storeWithAble();
    const caller = callerOn(s);
    expect(await refusal(caller.schedule.day({ date: '2030-02-30' }))).toMatchObject({ code: 'VALIDATION', fieldErrors: { date: 'must be a real calendar date' } });
    expect(await refusal(caller.schedule.day({ date: '06/05/2030', practitionerId: 'able' }))).toMatchObject({
      code: 'VALIDATION',
      fieldErrors: { date: 'must be a date (YYYY-MM-DD)', practitionerId: 'must be a lower-case UUID' },
    });
    expect(await refusal(caller.schedule.week({ date: '2030-05-06' } as never))).toMatchObject({ code: 'VALIDATION', fieldErrors: { weekStart: expect.any(String) } });
    expect(await refusal(caller.schedule.day({ date: '2030-05-06', practitionerId: uuidv7() }))).toEqual({
      code: 'NOT_FOUND', message: 'No such practitioner on this workstation (it may not have synced yet).',
    });
    expect(await refusal(caller.schedule.week({ weekStart: '2030-05-06', practitionerId: able, locationId: uuidv7() }))).toMatchObject({ code: 'NOT_FOUND' });
  });
});
