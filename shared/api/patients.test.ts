import { describe, expect, it } from 'vitest';
import { identifierAddInput, linkByCodeInput, linkExistingInput, normalizeLinkCode, patientSearchInput } from './patients.ts';

const id = '01890a5d-ac96-774b-bcce-b302099a8057';

describe('patients.* inputs', () => {
  it('normalizes identifier values so formatting does not decide a match', () => {
    expect(identifierAddInput.parse({ patientId: id, system: 'national_id', value: ' 123-45 6789 ' }).value).toBe('123456789');
    expect(identifierAddInput.parse({ patientId: id, system: 'passport', value: 'ab.12/c' }).value).toBe('AB12C');
    for (const value of ['', '-', '%', "1' OR 1=1", 'a\u0000b', 'x'.repeat(81)]) {
      expect(identifierAddInput.safeParse({ patientId: id, system: 'national_id', value }).success, value).toBe(false);
    }
  });

  it('reads link codes loosely (case, dashes, I/L/O) but only as 16 Crockford characters', () => {
    expect(normalizeLinkCode('abcd-efgh-jkmn-pqrs')).toBe('ABCDEFGHJKMNPQRS');
    expect(normalizeLinkCode('O1IL')).toBe('0111');
    expect(linkByCodeInput.parse({ code: 'abcd efgh jkmn pqrs', birthDate: '1970-01-01', mrn: '' }).code).toBe('ABCDEFGHJKMNPQRS');
    for (const code of ['ABCD-EFGH-JKMN-PQR', 'ABCD-EFGH-JKMN-PQRSU', 'UUUU-UUUU-UUUU-UUUU', "' OR 1=1 --"]) {
      expect(linkByCodeInput.safeParse({ code, birthDate: '1970-01-01', mrn: '' }).success, code).toBe(false);
    }
  });

  it('is strict: unknown keys, wildcard names and future birth dates are refused', () => {
    const evidence = { system: 'national_id', value: '1', givenName: 'Ada', familyName: 'Lovelace', birthDate: '1975-12-10', mrn: 'B-1' };
    expect(linkExistingInput.safeParse(evidence).success).toBe(true);
    expect(linkExistingInput.safeParse({ ...evidence, tenantId: id }).success).toBe(false);
    expect(linkExistingInput.safeParse({ ...evidence, givenName: 'A%' }).success).toBe(false);
    expect(linkExistingInput.safeParse({ ...evidence, birthDate: '2999-01-01' }).success).toBe(false);
    expect(patientSearchInput.safeParse({}).success).toBe(false);
    expect(patientSearchInput.safeParse({ name: 'ad_' }).success).toBe(false);
    expect(patientSearchInput.safeParse({ phone: '12' }).success).toBe(false);
    expect(patientSearchInput.parse({ phone: '(555) 01' }).limit).toBe(25);
  });
});
