import { IDENTIFIER_SYSTEMS, linkByCodeInput, linkExistingInput, type IdentifierSystem } from '../../../shared/api/patients.ts';
import { fieldErrors } from '../ui/zod-errors.ts';
import type { LinkEvidence } from './use-patients.ts';

export type LinkBy = 'code' | 'identifier';
export type LinkFormValues = { code: string; system: string; value: string; givenName: string; familyName: string; birthDate: string; mrn: string };
export type LinkFormErrors = Partial<Record<keyof LinkFormValues, string>>;

export const EMPTY_LINK: LinkFormValues = { code: '', system: '', value: '', givenName: '', familyName: '', birthDate: '', mrn: '' };

export const LINK_LABELS: Record<keyof LinkFormValues, string> = {
  code: 'Link code',
  system: 'Identifier type',
  value: 'Identifier number',
  givenName: 'Given name',
  familyName: 'Family name',
  birthDate: 'Date of birth',
  mrn: 'MRN in this organization',
};

const SYSTEM_LABELS: Record<IdentifierSystem, string> = {
  national_id: 'National ID',
  insurance_member_id: 'Insurance member ID',
  passport: 'Passport',
  drivers_license: 'Driver’s licence',
};
export const SYSTEM_OPTIONS = IDENTIFIER_SYSTEMS.map((value) => ({ value, label: SYSTEM_LABELS[value] }));

/** Checked with the same schemas the server uses, so the desk hears about a typo before a (counted) attempt. */
export function validateLink(by: LinkBy, values: LinkFormValues): { ok: true; evidence: LinkEvidence } | { ok: false; errors: LinkFormErrors } {
  const { code, system, value, givenName, familyName, birthDate, mrn } = values;
  const parsed = by === 'code' ? linkByCodeInput.safeParse({ code, birthDate, mrn }) : linkExistingInput.safeParse({ system, value, givenName, familyName, birthDate, mrn });
  if (parsed.success) return { ok: true, evidence: { by, ...parsed.data } as LinkEvidence };
  const errors = fieldErrors(parsed.error, LINK_LABELS);
  for (const key of ['code', 'value', 'givenName', 'familyName', 'birthDate'] as const) {
    if (errors[key] && !values[key].trim()) errors[key] = `${LINK_LABELS[key]} is required`;
  }
  if (errors.system) errors.system = 'Choose an identifier type';
  return { ok: false, errors };
}
