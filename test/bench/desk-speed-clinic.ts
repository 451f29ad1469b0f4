import { createMemoryBus } from '../../sync-server/bus/memory-bus.ts';
import { silentLogger } from '../../sync-server/log.ts';
import type { SyncServerHandle } from '../../sync-server/server.ts';
import { createServices } from '../../sync-server/services.ts';
import { loadClinic, PRACTITIONERS, type ClinicSize } from './clinic-generator.ts';

/**
 * The clinic the desk speed bench signs into, put on the SERVER (the desk gets it the real
 * way: sign-in, then the initial sync). Patients and past appointments come from the sync
 * bench's generator (set-based SQL); the part a desk needs to show TODAY is made through
 * the server's own admin services, as an admin would: the generator's practitioners as
 * staff, their rooms as locations, a working block every day of the week (so "today"
 * always has columns, whatever weekday the bench runs on), and a full day of appointments
 * booked for today through the desk booking service (conflict checks included).
 */
export interface DeskClinicSize {
  patients: number;
  /** All appointments, today's included. */
  appointments: number;
}

export const DESK_CLINIC_FULL: DeskClinicSize = { patients: 50_000, appointments: 250_000 };
export const DESK_CLINIC_QUICK: DeskClinicSize = { patients: 5_000, appointments: 25_000 };

const DAY_START = '08:00';
const DAY_END = '16:00';
const SLOT_MINUTES = 30;
const SLOTS_PER_DAY = 16; // 08:00-16:00 in 30-minute slots, as the generator books them

export interface LoadedDeskClinic {
  patients: number;
  appointments: number;
  todayAppointments: number;
  today: string;
}

/** One sample patient, for typing realistic searches (never printed: it is PHI-shaped). */
export interface SamplePatient {
  givenName: string;
  familyName: string;
  birthDate: string;
  phone: string;
  mrn: string;
}

export async function loadDeskClinic(server: SyncServerHandle, tenantId: string, size: DeskClinicSize, seed: string): Promise<LoadedDeskClinic> {
  const today = new Date().toISOString().slice(0, 10);
  const todayCount = PRACTITIONERS.length * SLOTS_PER_DAY;
  // Desk-side data only: the clinical entities stay empty (a front desk does not pull them).
  const clinic: ClinicSize = { patients: size.patients, appointments: size.appointments - todayCount, encounters: 0, notes: 0, orders: 0 };
  await loadClinic(server, tenantId, clinic, seed);

  // The server's own services over its databases, as an admin command opens them (the
  // handle does not expose its instance); no desk is connected yet, so no poke is missed.
  const bus = createMemoryBus();
  const { personnel, scheduling } = createServices(server.databases, bus, silentLogger);
  const columns: { practitionerId: string; practitionerName: string; locationId: string }[] = [];
  for (const [k, name] of PRACTITIONERS.entries()) {
    const staff = await personnel.create(tenantId, { displayName: name, jobTitle: 'Physician', isPractitioner: true, npi: null, jobRoles: ['physician'], active: true });
    const room = await scheduling.locations.create(tenantId, { name: `Room ${k + 1}`, kind: 'room', active: true });
    for (let weekday = 1; weekday <= 7; weekday++) {
      await scheduling.schedules.upsert(tenantId, {
        practitionerId: staff.id,
        locationId: room.id,
        weekday,
        startTime: DAY_START,
        endTime: DAY_END,
        slotMinutes: SLOT_MINUTES,
        validFrom: '2021-01-01',
        validTo: null,
      });
    }
    columns.push({ practitionerId: staff.id, practitionerName: name, locationId: room.id });
  }

  const patientIds = await server.databases.domains.master_data.withTenant(tenantId, (sql) =>
    sql.query<{ patient_id: string }>('SELECT patient_id FROM master_data.tenant_patients WHERE tenant_id = $1 ORDER BY md5(mrn) LIMIT $2', [tenantId, todayCount]),
  );
  const nowMs = Date.now();
  let booked = 0;
  for (let slot = 0; slot < SLOTS_PER_DAY; slot++) {
    for (const [k, column] of columns.entries()) {
      const startsAt = new Date(Date.parse(`${today}T${DAY_START}:00Z`) + slot * SLOT_MINUTES * 60_000);
      const endsAt = new Date(startsAt.getTime() + SLOT_MINUTES * 60_000);
      const patientId = patientIds[(slot * columns.length + k) % patientIds.length]!.patient_id;
      const view = await scheduling.appointments.book(tenantId, {
        patientId,
        practitionerId: column.practitionerId,
        locationId: column.locationId,
        startsAt: startsAt.toISOString(),
        endsAt: endsAt.toISOString(),
        reason: 'Follow-up',
        practitionerName: column.practitionerName,
      });
      // The morning so far has been seen: those are checked in, as on a real desk.
      if (startsAt.getTime() < nowMs) await scheduling.appointments.setStatus(tenantId, view.id, 'checked_in');
      booked++;
    }
  }
  await bus.close();
  return { patients: size.patients, appointments: clinic.appointments + booked, todayAppointments: booked, today };
}

/** `count` patients spread over the clinic (deterministic), to build the typed searches from. */
export async function samplePatients(server: SyncServerHandle, tenantId: string, count: number): Promise<SamplePatient[]> {
  const rows = await server.databases.domains.master_data.withTenant(tenantId, (sql) =>
    sql.query<{ given_name: string; family_name: string; birth_date: string; phone: string; mrn: string }>(
      `SELECT p.given_name, p.family_name, p.birth_date::text AS birth_date, p.phone, tp.mrn
       FROM master_data.tenant_patients tp JOIN master_data.patients p ON p.id = tp.patient_id
       WHERE tp.tenant_id = $1 ORDER BY md5(tp.mrn || 'sample') LIMIT $2`,
      [tenantId, count],
    ),
  );
  return rows.map((row) => ({ givenName: row.given_name, familyName: row.family_name, birthDate: row.birth_date, phone: row.phone, mrn: row.mrn }));
}
