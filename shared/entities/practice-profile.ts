import { z } from 'zod';

/**
 * The org's practice profile as workstations see it (configuration), one per org (its id
 * is the org's id). Printed on letters, receipts and claims made at the desk.
 *
 * NOT synced: tax_id. The EIN is shown masked to everyone who may not edit the profile
 * (configuration/practice-profile.ts), and a workstation store is readable by every role
 * that signs in on it, so the full value must never land there — and a masked copy is of
 * no use offline. Also not synced: updated_by (an internal user id).
 * Synced: the legal name, the org's NPI (public in NPPES), address and phone: all printed
 * on paperwork the practice hands out anyway.
 */
export const practiceProfileFieldsSchema = z.object({
  legalName: z.string().trim().min(1, 'is required').max(200, 'is too long'),
  npi: z.string().regex(/^[0-9]{10}$/, 'must be ten digits').nullable(),
  addressLine1: z.string().max(200, 'is too long'),
  addressLine2: z.string().max(200, 'is too long'),
  city: z.string().max(100, 'is too long'),
  region: z.string().max(100, 'is too long'),
  postalCode: z.string().max(20, 'is too long'),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter country code'),
  phone: z.string().max(40, 'is too long'),
});

export type PracticeProfileFields = z.infer<typeof practiceProfileFieldsSchema>;
