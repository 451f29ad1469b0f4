import { describe, expect, it } from 'vitest';
import { appointmentListInput, appointmentRescheduleInput, locationListInput, scheduleUpsertInput } from './scheduling.ts';

const id = '01890a5d-ac96-774b-bcce-b302099a8057';
const block = { practitionerId: id, locationId: id, weekday: 1, startTime: '08:00', endTime: '12:00', slotMinutes: 15, validFrom: '2030-01-01' };

describe('scheduling.* inputs', () => {
  it('checks a schedule block is a real, ordered, slot-sized interval', () => {
    expect(scheduleUpsertInput.parse(block).validTo).toBeNull();
    for (const wrong of [{ endTime: '08:00' }, { startTime: '24:00' }, { slotMinutes: 300 }, { startTime: '11:50' }, { weekday: 0 }, { validTo: '2029-12-31' }, { extra: 1 }]) {
      expect(scheduleUpsertInput.safeParse({ ...block, ...wrong }).success, JSON.stringify(wrong)).toBe(false);
    }
  });

  it('bounds appointment windows and durations', () => {
    expect(appointmentListInput.parse({ from: '2030-01-01T00:00:00Z', to: '2030-01-08T00:00:00Z' }).limit).toBe(200);
    expect(appointmentListInput.safeParse({ from: '2030-01-01T00:00:00Z', to: '2030-12-01T00:00:00Z' }).success).toBe(false);
    expect(appointmentListInput.safeParse({ from: '2030-01-02T00:00:00Z', to: '2030-01-01T00:00:00Z' }).success).toBe(false);
    expect(appointmentRescheduleInput.safeParse({ id, startsAt: '2030-01-01T08:00:00Z', endsAt: '2030-01-01T23:00:00Z' }).success).toBe(false);
    expect(appointmentRescheduleInput.safeParse({ id, startsAt: 'tomorrow', endsAt: '2030-01-01T09:00:00Z' }).success).toBe(false);
  });

  it('accepts a missing list input and refuses unknown keys', () => {
    expect(locationListInput.parse(undefined)).toEqual({ includeInactive: false });
    expect(locationListInput.safeParse({ includeInactive: true, tenantId: id }).success).toBe(false);
  });
});
