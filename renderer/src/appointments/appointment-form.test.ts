import { describe, expect, it } from 'vitest';
import { emptyBooking, validateBooking } from './appointment-form.ts';

const PATIENT = '0190f5a2-0000-7000-8000-000000000001';

describe('validateBooking', () => {
  it('requires a patient', () => {
    const result = validateBooking(emptyBooking('2030-05-01'));
    expect(result.ok ? null : result.errors.patientId).toBe('Choose a patient');
  });

  it('builds ordered ISO instants from the clinic (UTC) date, time and duration', () => {
    const result = validateBooking({ ...emptyBooking('2030-05-01'), patientId: PATIENT, time: '10:15', duration: '45', reason: 'Check-up' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { startsAt, endsAt, status } = result.fields;
    expect(Date.parse(endsAt) - Date.parse(startsAt)).toBe(45 * 60_000);
    expect(startsAt).toBe('2030-05-01T10:15:00.000Z');
    expect(status).toBe('booked');
  });

  it('reports over-long text per field', () => {
    const result = validateBooking({ ...emptyBooking('2030-05-01'), patientId: PATIENT, location: 'x'.repeat(101) });
    expect(result.ok ? null : result.errors.location).toBe('Location is too long');
  });
});
