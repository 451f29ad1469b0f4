import { formatHlc } from '../../shared/hlc.ts';
import { bulkCreateAppointments } from '../domains/scheduling/appointment-bulk.ts';
import { bulkCreatePatients } from '../domains/master_data/patient-bulk.ts';
import type { ServerAdmin } from '../admin/server-admin.ts';
import type { Services } from '../services.ts';
import { DEMO_ORGS, demoUsers, type DemoInfo } from './demo-orgs.ts';
import { generateDemoData } from './generate.ts';
import { seedDemoSchedule } from './seed-schedule.ts';
import { linkDemoClinician } from './seed-staff-link.ts';

/**
 * Creates the two demo orgs with their users, synthetic patients and appointments, and the
 * practitioners, rooms and weekly hours those appointments are booked with (the demo
 * clinician linked to one of them), unless an org with that code exists already
 * (idempotent across restarts).
 */
export async function seedDemo(services: Services, admin: ServerAdmin): Promise<DemoInfo> {
  const today = Math.floor(Date.now() / 86_400_000) * 86_400_000;
  const orgs: DemoInfo['orgs'] = [];
  for (const spec of DEMO_ORGS) {
    const users = demoUsers(spec.code);
    const existing = await admin.findTenantByCode(spec.code);
    if (existing) {
      // Orgs seeded before practitioners and schedules were part of the demo get them now (a no-op afterwards).
      await seedDemoSchedule(services, existing.tenantId, spec.kind);
      await linkDemoClinician(services, existing.tenantId);
      orgs.push({ code: spec.code, tenantId: existing.tenantId, name: existing.name, users });
      continue;
    }
    const started = Date.now();
    const { tenantId } = await admin.createTenant({ code: spec.code, name: spec.name, kind: spec.kind });
    for (const user of users) await admin.createUser({ tenantId, ...user });
    const data = generateDemoData(spec, today);
    const hlc = formatHlc({ ms: Date.now(), counter: 0, node: 'seed' });
    await bulkCreatePatients(services.patients.db, tenantId, data.patients, hlc);
    await bulkCreateAppointments(services.appointments.db, tenantId, data.appointments, hlc);
    const scheduleRows = await seedDemoSchedule(services, tenantId, spec.kind);
    await linkDemoClinician(services, tenantId);
    services.log({
      level: 'info',
      event: 'demo_org_seeded',
      tenantId,
      patients: data.patients.length,
      appointments: data.appointments.length,
      scheduleRows,
      ms: Date.now() - started,
    });
    orgs.push({ code: spec.code, tenantId, name: spec.name, users });
  }
  return { orgs };
}
