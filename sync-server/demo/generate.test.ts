import { describe, expect, it } from 'vitest';
import { appointmentFieldsSchema, appointmentTimesAreOrdered } from '../../shared/entities/appointment.ts';
import { patientFieldsSchema } from '../../shared/entities/patient.ts';
import { isId } from '../../shared/ids.ts';
import { DEMO_ORGS } from './demo-orgs.ts';
import { generateDemoData } from './generate.ts';
import { DEMO_HOURS, DEMO_ROOMS, demoPractitioners } from './schedule-plan.ts';

describe('demo data', () => {
  const today = Date.UTC(2026, 5, 1);

  it('is deterministic, valid and internally consistent', () => {
    for (const spec of DEMO_ORGS) {
      const a = generateDemoData(spec, today);
      expect(generateDemoData(spec, today)).toEqual(a);
      expect(a.patients).toHaveLength(300);
      expect(a.appointments).toHaveLength(200);
      const ids = new Set(a.patients.map((p) => p.id));
      expect(ids.size).toBe(300);
      for (const p of a.patients) {
        expect(isId(p.id)).toBe(true);
        expect(patientFieldsSchema.safeParse(p).success).toBe(true);
      }
      for (const appt of a.appointments) {
        expect(ids.has(appt.patientId)).toBe(true);
        expect(appointmentFieldsSchema.safeParse(appt).success).toBe(true);
        expect(appointmentTimesAreOrdered(appt)).toBe(true);
      }
    }
  });

  it('gives the two orgs different patients', () => {
    const [a, b] = DEMO_ORGS.map((spec) => generateDemoData(spec, today));
    const idsA = new Set(a!.patients.map((p) => p.id));
    expect(b!.patients.some((p) => idsA.has(p.id))).toBe(false);
  });

  it('gives every practitioner and room the appointments name a schedule covering their hours', () => {
    for (const spec of DEMO_ORGS) {
      const practitioners = demoPractitioners(spec.kind);
      const names = new Set(practitioners.map((p) => p.displayName));
      expect(names.size).toBe(practitioners.length);
      for (const p of practitioners) expect(DEMO_ROOMS).toContain(p.room);
      for (const appt of generateDemoData(spec, today).appointments) {
        expect(names.has(appt.practitionerName)).toBe(true);
        expect(DEMO_ROOMS).toContain(appt.location);
        const start = appt.startsAt.slice(11, 16);
        const end = appt.endsAt.slice(11, 16);
        expect(start >= DEMO_HOURS.startTime && end <= DEMO_HOURS.endTime).toBe(true);
      }
    }
  });
});
