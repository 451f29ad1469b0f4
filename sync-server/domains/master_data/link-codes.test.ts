import { describe, expect, it } from 'vitest';
import { linkByCodeInput } from '../../../shared/api/patients.ts';
import { hashLinkCode, newLinkCode } from './link-codes.ts';

describe('patient-held link codes', () => {
  it('are 16 Crockford characters in groups of four, different every time, stored only as a hash', () => {
    const codes = Array.from({ length: 200 }, () => newLinkCode());
    for (const { code, hash } of codes) {
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
      expect(hash).not.toContain(code.replaceAll('-', '').toLowerCase());
    }
    expect(new Set(codes.map((c) => c.code)).size).toBe(codes.length);
  });

  it('hash the way a typed-in code is read back', () => {
    const { code, hash } = newLinkCode();
    const typed = linkByCodeInput.parse({ code: code.replaceAll('-', ' ').toLowerCase(), birthDate: '1970-01-01', mrn: '' }).code;
    expect(hashLinkCode(typed)).toBe(hash);
  });
});
