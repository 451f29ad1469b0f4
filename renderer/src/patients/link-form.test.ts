import { describe, expect, it } from 'vitest';
import { EMPTY_LINK, validateLink } from './link-form.ts';

describe('validateLink', () => {
  it('says what is missing for a code, in the desk’s words', () => {
    const result = validateLink('code', EMPTY_LINK);
    expect(result.ok ? null : result.errors).toEqual({ code: 'Link code is required', birthDate: 'Date of birth is required' });
  });

  it('accepts a code typed loosely and sends it normalized, without the identifier fields', () => {
    const result = validateLink('code', { ...EMPTY_LINK, code: 'abcd-efgh-jkmn-pq10', birthDate: '1931-02-14', mrn: 'LV-1', givenName: 'ignored' });
    expect(result).toEqual({ ok: true, evidence: { by: 'code', code: 'ABCDEFGHJKMNPQ10', birthDate: '1931-02-14', mrn: 'LV-1' } });
  });

  it('needs the identifier type, number and full name for an identifier link', () => {
    const result = validateLink('identifier', { ...EMPTY_LINK, birthDate: '1931-02-14', value: '12-34' });
    expect(result.ok ? null : result.errors).toEqual({
      system: 'Choose an identifier type',
      givenName: 'Given name is required',
      familyName: 'Family name is required',
    });
    const ok = validateLink('identifier', { ...EMPTY_LINK, system: 'national_id', value: '123 45 6789', givenName: 'Ivo', familyName: 'Qzvora', birthDate: '1931-02-14' });
    expect(ok).toEqual({ ok: true, evidence: { by: 'identifier', system: 'national_id', value: '123456789', givenName: 'Ivo', familyName: 'Qzvora', birthDate: '1931-02-14', mrn: '' } });
  });
});
