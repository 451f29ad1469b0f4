import type { AppointmentFields } from '../../shared/entities/appointment.ts';
import type { PatientFields } from '../../shared/entities/patient.ts';
import { formatHlc } from '../../shared/hlc.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { bulkCreateAppointments } from '../../sync-server/domains/scheduling/appointment-bulk.ts';
import { bulkCreatePatients } from '../../sync-server/domains/master_data/patient-bulk.ts';
import type { SyncServerHandle } from '../../sync-server/server.ts';

/** Synthetic, PHI-free rows for the sync bench: `patients` patients and 5 appointments each. */
export interface SyncBenchData {
  patients: (PatientFields & { id: string })[];
  appointments: (AppointmentFields & { id: string })[];
}

export const APPOINTMENTS_PER_PATIENT = 5;
/** The bulk seed writes this many rows per server transaction (one JSON array each). */
const SEED_CHUNK = 5_000;

export function syncBenchData(patientCount: number): SyncBenchData {
  const given = ['Ada', 'Ben', 'Chloe', 'Dev', 'Emma', 'Farid', 'Grace', 'Hugo', 'Iris', 'Jon'];
  const patients = Array.from({ length: patientCount }, (_, i) => ({
    id: uuidv7(),
    givenName: given[i % given.length]!,
    familyName: `Syncfam${i % 997}`,
    birthDate: `${1930 + (i % 90)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
    sex: i % 2 === 0 ? ('female' as const) : ('male' as const),
    phone: `+1 555-${String(i % 10_000).padStart(4, '0')}`,
    mrn: `SB-${i}`,
  }));
  const day0 = Date.UTC(2026, 0, 5, 8);
  const appointments = patients.flatMap((patient, p) =>
    Array.from({ length: APPOINTMENTS_PER_PATIENT }, (_, k) => {
      const start = day0 + (p * APPOINTMENTS_PER_PATIENT + k) * 15 * 60_000;
      return {
        id: uuidv7(),
        patientId: patient.id,
        startsAt: new Date(start).toISOString(),
        endsAt: new Date(start + 15 * 60_000).toISOString(),
        status: 'booked' as const,
        reason: 'Follow-up',
        practitionerName: `Dr Bench ${k}`,
        location: `Room ${1 + (p % 9)}`,
      };
    }),
  );
  return { patients, appointments };
}

/**
 * Seeds through the server's bulk path (the one the demo seed uses: set-based INSERTs plus
 * the change-feed rows devices pull from). Not the device push path: the bench measures the
 * download, and pushing 30k rows one mutation batch at a time would only make the setup slow.
 */
export async function seedOrg(server: SyncServerHandle, tenantId: string, data: SyncBenchData): Promise<void> {
  const hlc = formatHlc({ ms: Date.now(), counter: 0, node: 'bench' });
  const { master_data, scheduling } = server.databases.domains;
  for (let from = 0; from < data.patients.length; from += SEED_CHUNK) {
    await bulkCreatePatients(master_data, tenantId, data.patients.slice(from, from + SEED_CHUNK), hlc);
  }
  for (let from = 0; from < data.appointments.length; from += SEED_CHUNK) {
    await bulkCreateAppointments(scheduling, tenantId, data.appointments.slice(from, from + SEED_CHUNK), hlc);
  }
}
