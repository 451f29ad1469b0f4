import { describe, expect, it } from 'vitest';
import { addUtcDays, clinicInstant, clinicTime, dayLabel, mondayOf, rangeStart, step, utcToday } from './schedule-dates.ts';

describe('schedule dates (UTC clinic days)', () => {
  it('steps days and weeks across month and year ends', () => {
    expect(addUtcDays('2030-12-31', 1)).toBe('2031-01-01');
    expect(addUtcDays('2030-03-01', -1)).toBe('2030-02-28');
    expect(step('week', '2030-12-30', 1)).toBe('2031-01-06');
    expect(step('day', '2030-12-30', -1)).toBe('2030-12-29');
  });

  it('starts a week on its Monday', () => {
    expect(mondayOf('2026-12-06')).toBe('2026-11-30'); // a Sunday
    expect(mondayOf('2026-12-07')).toBe('2026-12-07');
    expect(rangeStart('week', '2026-12-10')).toBe('2026-12-07');
    expect(rangeStart('day', '2026-12-10')).toBe('2026-12-10');
  });

  it('reads instants on the UTC clock, whatever offset they carry', () => {
    expect(clinicTime('2030-05-01T10:15:00+02:00')).toBe('08:15');
    expect(clinicInstant('2030-05-01', '09:30')).toBe('2030-05-01T09:30:00.000Z');
    expect(utcToday(new Date('2030-05-01T23:59:00-05:00'))).toBe('2030-05-02');
    expect(dayLabel('2026-12-07')).toBe('Monday, 7 December 2026');
    expect(dayLabel('2026-12-07', 'short')).toBe('Mon 7 Dec');
  });
});
