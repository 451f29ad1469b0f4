import { describe, expect, it } from 'vitest';
import { columnOf, entityColumns } from './columns.ts';

describe('entity columns', () => {
  it('names a column as the snake_case of its wire field', () => {
    expect(columnOf('practitionerName')).toBe('practitioner_name');
    expect(columnOf('mrn')).toBe('mrn');
  });

  it('covers every field of each entity in the catalog', () => {
    expect(entityColumns('patient')).toEqual({
      givenName: 'given_name',
      familyName: 'family_name',
      birthDate: 'birth_date',
      sex: 'sex',
      phone: 'phone',
      mrn: 'mrn',
    });
    expect(entityColumns('appointment')).toEqual({
      patientId: 'patient_id',
      startsAt: 'starts_at',
      endsAt: 'ends_at',
      status: 'status',
      reason: 'reason',
      practitionerName: 'practitioner_name',
      location: 'location',
    });
  });
});
