import { z } from 'zod';
import { isoDate } from '../entities/patient.ts';
import { idSchema } from '../ids.ts';
import { label } from './text.ts';

/**
 * Inputs of the personnel.* procedures. Every object is strict (an unknown key is a
 * VALIDATION error) and every string and list is bounded.
 */

/**
 * A National Provider Identifier: ten digits whose last is a Luhn check digit computed
 * over the prefix 80840 + the first nine (CMS, "NPI check digit"). Used for people here
 * and for the practice (configuration) too.
 */
export function isValidNpi(value: string): boolean {
  if (!/^[0-9]{10}$/.test(value)) return false;
  const digits = `80840${value}`;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

export const npiSchema = z.string().trim().regex(/^[0-9]{10}$/, 'must be ten digits').refine(isValidNpi, 'is not a valid NPI (check digit)');

/** What a person does at the practice; not the sign-in role that decides what they may do in the software. */
export const JOB_ROLES = [
  'physician', 'nurse_practitioner', 'physician_assistant', 'nurse', 'medical_assistant',
  'veterinarian', 'veterinary_technician', 'therapist', 'front_desk', 'billing', 'manager', 'other',
] as const;
export type JobRole = (typeof JOB_ROLES)[number];

export const LICENCE_KINDS = ['state_licence', 'dea', 'board_certification', 'veterinary_licence', 'other'] as const;

const jobRoles = z
  .array(z.enum(JOB_ROLES))
  .max(JOB_ROLES.length)
  .refine((roles) => new Set(roles).size === roles.length, 'may not name a job role twice');

/** May be left empty (''), otherwise a label. */
const jobTitle = z.union([z.literal(''), label(100)]);

export const staffListInput = z
  .strictObject({ includeInactive: z.boolean().default(false), practitionersOnly: z.boolean().default(false) })
  .prefault({});

export const staffGetInput = z.strictObject({ id: idSchema });

/**
 * The sign-in account (a user of the same org) this staff record describes, or null. It
 * lets the desk show a note author's name and open My day on the person's own practitioner.
 */
const linkedUserId = idSchema.nullable();

const npiOnlyForPractitioners = { message: 'only a practitioner has an NPI', path: ['npi'] };

export const staffCreateInput = z
  .strictObject({
    displayName: label(100),
    jobTitle: jobTitle.default(''),
    isPractitioner: z.boolean(),
    npi: npiSchema.nullable().default(null),
    jobRoles: jobRoles.default([]),
    active: z.boolean().default(true),
    userId: linkedUserId.default(null),
  })
  .refine((s) => s.npi === null || s.isPractitioner, npiOnlyForPractitioners);

/** Changes only the fields given; `jobRoles` replaces the whole set; `userId: null` unlinks the account. */
export const staffUpdateInput = z
  .strictObject({
    id: idSchema,
    displayName: label(100).optional(),
    jobTitle: jobTitle.optional(),
    isPractitioner: z.boolean().optional(),
    npi: npiSchema.nullable().optional(),
    jobRoles: jobRoles.optional(),
    active: z.boolean().optional(),
    userId: linkedUserId.optional(),
  })
  .refine((s) => Object.keys(s).length > 1, 'must change at least one field');

export const licenceListInput = z.strictObject({ staffId: idSchema });

export const licenceAddInput = z.strictObject({
  staffId: idSchema,
  kind: z.enum(LICENCE_KINDS),
  number: z.string().trim().regex(/^[A-Za-z0-9-]{1,40}$/, 'may hold 1 to 40 letters, digits and - only'),
  jurisdiction: label(60),
  expiresOn: isoDate,
});

export type StaffCreateInput = z.infer<typeof staffCreateInput>;
export type StaffUpdateInput = z.infer<typeof staffUpdateInput>;
export type LicenceAddInput = z.infer<typeof licenceAddInput>;
export type LicenceKind = (typeof LICENCE_KINDS)[number];

export interface StaffView {
  id: string;
  displayName: string;
  jobTitle: string;
  isPractitioner: boolean;
  npi: string | null;
  active: boolean;
  jobRoles: JobRole[];
  /** The linked sign-in account (same org), or null. */
  userId: string | null;
  version: number;
  updatedAt: string;
}

export interface LicenceView {
  id: string;
  staffId: string;
  kind: LicenceKind;
  number: string;
  jurisdiction: string;
  expiresOn: string;
}
