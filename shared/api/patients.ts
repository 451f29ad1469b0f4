import { z } from 'zod';
import { patientFieldsSchema } from '../entities/patient.ts';
import { idSchema } from '../ids.ts';

/**
 * Inputs of the patients.* procedures. Strict objects, bounded strings; names may hold
 * letters, marks, spaces, apostrophes, hyphens and dots only, so search terms carry no
 * SQL LIKE wildcards and no control characters.
 */

const NAME_CHARS = /^[\p{L}\p{M}' .-]*$/u;
const personName = patientFieldsSchema.shape.givenName.regex(NAME_CHARS, 'may hold letters, spaces, apostrophes, hyphens and dots only');

export const IDENTIFIER_SYSTEMS = ['national_id', 'insurance_member_id', 'passport', 'drivers_license'] as const;
export type IdentifierSystem = (typeof IDENTIFIER_SYSTEMS)[number];

/** Identifier values compare without case, spaces, dots, slashes or hyphens ("123-45 6789" = "123456789"). */
export function normalizeIdentifierValue(value: string): string {
  return value.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

const identifierValue = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ./-]{0,79}$/, 'may hold letters, digits, spaces and . / - only')
  .transform(normalizeIdentifierValue)
  .pipe(z.string().min(1, 'needs at least one letter or digit').max(64, 'is too long'));

/** Crockford base32 without I, L, O, U: a patient reads the code out or types it. */
export const LINK_CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const LINK_CODE_LENGTH = 16;

/** Accepts the code as printed (groups of four) or typed loosely (lower case, I/L for 1, O for 0). */
export function normalizeLinkCode(value: string): string {
  return value.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
}

const linkCode = z
  .string()
  .max(40, 'is too long')
  .transform(normalizeLinkCode)
  .pipe(z.string().regex(new RegExp(`^[${LINK_CODE_ALPHABET}]{${LINK_CODE_LENGTH}}$`), 'must be a link code of 16 letters and digits'));

const birthDate = patientFieldsSchema.shape.birthDate;
const mrn = patientFieldsSchema.shape.mrn;

export const patientListInput = z
  .strictObject({
    /** Keyset paging: patients after this id (ids are time-ordered, so this is registration order). */
    after: idSchema.optional(),
    limit: z.number().int().min(1).max(100).default(50),
  })
  .prefault({});

export const patientGetInput = z.strictObject({ id: idSchema });

export const patientSearchInput = z
  .strictObject({
    /** Every word must start the given or the family name. */
    name: z.string().trim().min(1).max(100, 'is too long').regex(NAME_CHARS, 'may hold letters, spaces, apostrophes, hyphens and dots only').optional(),
    birthDate: birthDate.optional(),
    mrn: mrn.pipe(z.string().min(1, 'is required')).optional(),
    /** Compared by digits only. */
    phone: patientFieldsSchema.shape.phone.refine((value) => value.replace(/\D/g, '').length >= 3, 'must hold at least three digits').optional(),
    limit: z.number().int().min(1).max(50).default(25),
  })
  .refine((s) => s.name !== undefined || s.birthDate !== undefined || s.mrn !== undefined || s.phone !== undefined, 'needs a name, birth date, MRN or phone');

export const identifierAddInput = z.strictObject({ patientId: idSchema, system: z.enum(IDENTIFIER_SYSTEMS), value: identifierValue });

/** Strong evidence (a): exact identifier + given name + family name + birth date. */
export const linkExistingInput = z.strictObject({
  system: z.enum(IDENTIFIER_SYSTEMS),
  value: identifierValue,
  givenName: personName,
  familyName: personName,
  birthDate,
  /** The linking org's own MRN for the patient. */
  mrn,
});

/** Strong evidence (b): a patient-held link code + birth date. */
export const linkByCodeInput = z.strictObject({ code: linkCode, birthDate, mrn });

export const linkCodeIssueInput = z.strictObject({
  patientId: idSchema,
  /** How long the code stays valid (default three days, at most one week). */
  ttlHours: z.number().int().min(1).max(168).default(72),
});

export type PatientSearchInput = z.infer<typeof patientSearchInput>;
export type LinkExistingInput = z.infer<typeof linkExistingInput>;
export type LinkByCodeInput = z.infer<typeof linkByCodeInput>;
