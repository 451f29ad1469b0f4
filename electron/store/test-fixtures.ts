import { existsSync, readFileSync } from 'node:fs';
import type { PatientFields } from '../../shared/entities/patient.ts';
import type { AppointmentFields } from '../../shared/entities/appointment.ts';

/** Made-up demographics for tests (never real people). */
export function samplePatient(overrides: Partial<PatientFields> = {}): PatientFields {
  return { givenName: 'Ada', familyName: 'Testperson', birthDate: '1980-02-29', sex: 'female', phone: '+1 555-0100', mrn: 'MRN-0001', ...overrides };
}

export function sampleAppointment(patientId: string, overrides: Partial<AppointmentFields> = {}): AppointmentFields {
  return {
    patientId,
    startsAt: '2030-05-01T09:00:00+02:00',
    endsAt: '2030-05-01T09:30:00+02:00',
    status: 'booked',
    reason: 'Check-up',
    practitionerName: 'Dr. Example',
    location: 'Room 1',
    ...overrides,
  };
}

/** Every byte of a store, its WAL/SHM side files and its watermark (absent ones as null). */
export function storeFileBytes(path: string): (Buffer | null)[] {
  return ['', '-wal', '-shm', '.watermark'].map((suffix) => (existsSync(path + suffix) ? readFileSync(path + suffix) : null));
}

/** True when every file is byte-for-byte as in `before` (and absent ones are still absent). */
export function sameStoreFileBytes(path: string, before: readonly (Buffer | null)[]): boolean {
  const after = storeFileBytes(path);
  return after.every((bytes, i) => {
    const previous = before[i] ?? null;
    return previous === null ? bytes === null : bytes !== null && bytes.equals(previous);
  });
}
