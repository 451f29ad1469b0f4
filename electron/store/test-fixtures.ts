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
