import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openServerCore, type ServerCore } from '../server.ts';
import { DEMO_ROOMS, DEMO_WEEKDAYS, demoPractitioners } from './schedule-plan.ts';
import { seedDemo } from './seed.ts';
import { DEMO_LINKED_LOGIN, DEMO_LINKED_PRACTITIONER } from './seed-staff-link.ts';

/**
 * The demo seed's practitioners, rooms and weekly hours, and the demo clinician's link to one
 * practitioner, read back through the services; seeding again adds (and bumps) nothing.
 */
describe('demo seed: practitioners, rooms and weekly hours', () => {
  let core: ServerCore;

  beforeAll(async () => {
    core = await openServerCore({ database: { kind: 'pglite' } });
  });
  afterAll(async () => {
    await core?.close();
  });

  async function snapshot(tenantId: string) {
    const { personnel, scheduling } = core.services;
    return {
      staff: await personnel.list(tenantId, { includeInactive: true, practitionersOnly: false }),
      locations: await scheduling.locations.list(tenantId, true),
      schedules: await scheduling.schedules.list(tenantId, {}),
    };
  }

  it('seeds each demo org once, with one practitioner per name the appointments use', async () => {
    const first = await seedDemo(core.services, core.admin);
    for (const org of first.orgs) {
      const { staff, locations, schedules } = await snapshot(org.tenantId);
      const expected = demoPractitioners(org.code === 'lakeview' ? 'veterinary' : 'human');
      expect(staff.filter((s) => s.isPractitioner).map((s) => s.displayName).sort()).toEqual(expected.map((p) => p.displayName).sort());
      expect(locations.map((l) => l.name).sort()).toEqual([...DEMO_ROOMS]);
      expect(schedules).toHaveLength(expected.length * DEMO_WEEKDAYS.length);
      const alpha = staff.find((s) => s.displayName === 'Dr. Demo Alpha')!;
      expect(schedules.filter((s) => s.practitionerId === alpha.id).map((s) => [s.weekday, s.startTime, s.endTime, s.slotMinutes])).toEqual(
        DEMO_WEEKDAYS.map((weekday) => [weekday, '08:00', '17:00', 30]),
      );
      const clinician = await core.services.accounts.memberByLogin(org.tenantId, DEMO_LINKED_LOGIN);
      expect(staff.filter((s) => s.userId !== null).map((s) => [s.displayName, s.userId])).toEqual([[DEMO_LINKED_PRACTITIONER, clinician!.userId]]);
    }
    const before = await Promise.all(first.orgs.map((org) => snapshot(org.tenantId)));
    const again = await seedDemo(core.services, core.admin);
    expect(again.orgs.map((org) => org.tenantId)).toEqual(first.orgs.map((org) => org.tenantId));
    expect(await Promise.all(first.orgs.map((org) => snapshot(org.tenantId)))).toEqual(before);
  });
});
