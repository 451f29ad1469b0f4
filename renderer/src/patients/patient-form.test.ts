import { describe, expect, it } from 'vitest';
import { EMPTY_PATIENT, validatePatient } from './patient-form.ts';

describe('validatePatient', () => {
  it('gives one readable message per invalid field', () => {
    const result = validatePatient({ ...EMPTY_PATIENT, phone: 'abc' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual({
      givenName: 'Given name is required',
      familyName: 'Family name is required',
      birthDate: 'Date of birth is required',
      sex: 'Choose a sex',
      phone: 'Phone may hold digits, spaces and + ( ) - . only',
    });
  });

  it('accepts a complete patient and trims names', () => {
    const result = validatePatient({ givenName: ' Ada ', familyName: 'Lovelace', birthDate: '1985-12-10', sex: 'female', phone: '', mrn: 'NS-1' });
    expect(result).toEqual({ ok: true, fields: { givenName: 'Ada', familyName: 'Lovelace', birthDate: '1985-12-10', sex: 'female', phone: '', mrn: 'NS-1' } });
  });

  it('rejects a birth date in the future', () => {
    const result = validatePatient({ givenName: 'A', familyName: 'B', birthDate: '2999-01-01', sex: 'other', phone: '', mrn: '' });
    expect(result.ok ? null : result.errors.birthDate).toBe('Date of birth cannot be in the future');
  });
});
