import type { AppointmentFields } from '../../shared/entities/appointment.ts';
import type { PatientFields } from '../../shared/entities/patient.ts';
import { DEMO_APPOINTMENTS_PER_ORG, DEMO_PATIENTS_PER_ORG, type DemoOrgSpec } from './demo-orgs.ts';
import { FAKE_FAMILY_NAMES, FAKE_GIVEN_NAMES, FAKE_PET_NAMES, FAKE_PRACTITIONERS, VISIT_REASONS_HUMAN, VISIT_REASONS_VET } from './fake-names.ts';
import { createPrng, pick, seededUuidV7 } from './prng.ts';

export interface DemoData {
  patients: (PatientFields & { id: string })[];
  appointments: (AppointmentFields & { id: string })[];
}

const DAY_MS = 86_400_000;
const SEXES = ['female', 'male', 'other', 'unknown'] as const;

/**
 * Deterministic synthetic data for one demo org: the same seed gives the same patients
 * on every machine. Appointments fall on the 30 days from `today` (UTC midnight), in
 * half-hour slots between 08:00 and 17:00.
 */
export function generateDemoData(spec: DemoOrgSpec, today: number): DemoData {
  const random = createPrng(spec.seed);
  const base = Date.UTC(2026, 0, 1) + spec.seed % 1000;
  const vet = spec.kind === 'veterinary';
  const patients = Array.from({ length: DEMO_PATIENTS_PER_ORG }, (_, i): PatientFields & { id: string } => {
    const age = vet ? 1 + Math.floor(random() * 15) : Math.floor(random() * 90);
    const birth = new Date(Date.UTC(2025 - age, Math.floor(random() * 12), 1 + Math.floor(random() * 28)));
    const [petGiven] = vet ? pick(random, FAKE_PET_NAMES).split(' ', 1) : [];
    return {
      id: seededUuidV7(random, base + i),
      givenName: vet ? `${petGiven} ${pick(random, FAKE_GIVEN_NAMES)}` : pick(random, FAKE_GIVEN_NAMES),
      familyName: pick(random, FAKE_FAMILY_NAMES),
      birthDate: birth.toISOString().slice(0, 10),
      sex: pick(random, SEXES),
      phone: `555-01${String(Math.floor(random() * 100)).padStart(2, '0')}`,
      mrn: `${spec.mrnPrefix}-${String(i + 1).padStart(6, '0')}`,
    };
  });
  const appointments = Array.from({ length: DEMO_APPOINTMENTS_PER_ORG }, (_, i): AppointmentFields & { id: string } => {
    const day = today + Math.floor(random() * 30) * DAY_MS;
    const start = day + (8 * 60 + 30 * Math.floor(random() * 18)) * 60_000;
    const roll = random();
    return {
      id: seededUuidV7(random, base + DEMO_PATIENTS_PER_ORG + i),
      patientId: pick(random, patients).id,
      startsAt: new Date(start).toISOString(),
      endsAt: new Date(start + 30 * 60_000).toISOString(),
      status: roll < 0.85 ? 'booked' : roll < 0.92 ? 'checked_in' : roll < 0.97 ? 'cancelled' : 'no_show',
      reason: pick(random, vet ? VISIT_REASONS_VET : VISIT_REASONS_HUMAN),
      practitionerName: pick(random, FAKE_PRACTITIONERS),
      location: `Room ${1 + Math.floor(random() * 4)}`,
    };
  });
  return { patients, appointments };
}
