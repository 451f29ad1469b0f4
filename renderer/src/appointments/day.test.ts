import { describe, expect, it } from 'vitest';
import { addDays, localDayOf } from './day.ts';

describe('day helpers', () => {
  it('steps across month and year ends', () => {
    expect(addDays('2030-12-31', 1)).toBe('2031-01-01');
    expect(addDays('2030-03-01', -1)).toBe('2030-02-28');
  });

  it('places an instant on its local calendar day', () => {
    const local = new Date(2030, 4, 1, 23, 30);
    expect(localDayOf(local.toISOString())).toBe('2030-05-01');
  });
});
