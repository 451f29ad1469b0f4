import { describe, expect, it } from 'vitest';
import { isValidNpi, staffCreateInput, staffUpdateInput } from './personnel.ts';
import { uuidv7 } from '../ids.ts';

describe('NPI check digit', () => {
  it('accepts NPIs whose Luhn digit (over 80840 + the first nine) is right, and nothing else', () => {
    expect(isValidNpi('1234567893')).toBe(true); // the CMS worked example
    expect(isValidNpi('1245319599')).toBe(true);
    for (const bad of ['1234567890', '123456789', '12345678931', '123456789a', '']) expect(isValidNpi(bad)).toBe(false);
  });
});

describe('staff inputs', () => {
  it('give an NPI only to practitioners and name a job role once', () => {
    expect(staffCreateInput.safeParse({ displayName: 'Dr. A', isPractitioner: true, npi: '1234567893' }).success).toBe(true);
    expect(staffCreateInput.safeParse({ displayName: 'Clerk', isPractitioner: false, npi: '1234567893' }).success).toBe(false);
    expect(staffCreateInput.safeParse({ displayName: 'Nurse', isPractitioner: false, jobRoles: ['nurse', 'nurse'] }).success).toBe(false);
    expect(staffCreateInput.parse({ displayName: 'Nurse', isPractitioner: false })).toMatchObject({ jobTitle: '', npi: null, jobRoles: [], active: true });
  });

  it('refuse an update that changes nothing, and unknown keys', () => {
    expect(staffUpdateInput.safeParse({ id: uuidv7() }).success).toBe(false);
    expect(staffUpdateInput.safeParse({ id: uuidv7(), active: false }).success).toBe(true);
    expect(staffUpdateInput.safeParse({ id: uuidv7(), active: false, tenant_id: uuidv7() }).success).toBe(false);
  });
});
