import type { TenantKind } from '../domains/tenant_info/tenants.ts';
import type { Services } from '../services.ts';
import { DEMO_HOURS, DEMO_ROOMS, DEMO_SCHEDULE_FROM, DEMO_WEEKDAYS, demoPractitioners } from './schedule-plan.ts';

/**
 * The demo org's practitioners, rooms and weekly hours, through the same services an admin's
 * procedures use (so the rows reach workstations through the personnel and scheduling feeds).
 * Idempotent: only what is missing is created, so an org seeded before schedules existed
 * gets them on the next start, and a restart adds nothing. Returns how many rows it created.
 */
export async function seedDemoSchedule(services: Services, tenantId: string, kind: TenantKind): Promise<number> {
  let created = 0;
  const staff = await services.personnel.list(tenantId, { includeInactive: true, practitionersOnly: false });
  const staffIds = new Map(staff.map((member) => [member.displayName, member.id]));
  const locations = await services.scheduling.locations.list(tenantId, true);
  const roomIds = new Map(locations.map((location) => [location.name, location.id]));

  for (const name of DEMO_ROOMS) {
    if (roomIds.has(name)) continue;
    roomIds.set(name, (await services.scheduling.locations.create(tenantId, { name, kind: 'room', active: true })).id);
    created += 1;
  }
  for (const practitioner of demoPractitioners(kind)) {
    let practitionerId = staffIds.get(practitioner.displayName);
    if (practitionerId === undefined) {
      const { displayName, jobTitle, jobRoles } = practitioner;
      practitionerId = (await services.personnel.create(tenantId, { displayName, jobTitle, jobRoles, isPractitioner: true, npi: null, active: true })).id;
      created += 1;
    }
    // A practitioner who has any block already was set up (by this seed or an admin): leave their week alone.
    if ((await services.scheduling.schedules.list(tenantId, { practitionerId })).length > 0) continue;
    const locationId = roomIds.get(practitioner.room)!;
    for (const weekday of DEMO_WEEKDAYS) {
      await services.scheduling.schedules.upsert(tenantId, { practitionerId, locationId, weekday, ...DEMO_HOURS, validFrom: DEMO_SCHEDULE_FROM, validTo: null });
      created += 1;
    }
  }
  return created;
}
