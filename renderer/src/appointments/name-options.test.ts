import { describe, expect, it } from 'vitest';
import { nameOptions } from './name-options.ts';

const staff = [{ name: 'Dr. Able' }, { name: 'Dr. Baker' }, { name: 'Dr. Able' }];

describe('nameOptions', () => {
  it('lists each name once, valued by the name the appointment stores', () => {
    expect(nameOptions(staff, 'Dr. Baker')).toEqual([
      { value: 'Dr. Able', label: 'Dr. Able' },
      { value: 'Dr. Baker', label: 'Dr. Baker' },
    ]);
  });

  it('keeps a current name the list lacks as a marked first choice, so saving never drops it', () => {
    expect(nameOptions(staff, 'Dr. Retired')[0]).toEqual({ value: 'Dr. Retired', label: 'Dr. Retired (not in the list)' });
    expect(nameOptions(staff, 'Dr. Retired')).toHaveLength(3);
  });

  it('shows the current name plainly while the list loads, and nothing extra for an empty value', () => {
    expect(nameOptions(undefined, 'Room 1')).toEqual([{ value: 'Room 1', label: 'Room 1' }]);
    expect(nameOptions(staff, '')).toHaveLength(2);
  });
});
