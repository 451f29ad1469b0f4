import { z } from 'zod';
import { JOB_ROLES } from '../api/personnel.ts';
import { idSchema } from '../ids.ts';

/**
 * A staff member or practitioner of the org (personnel), as workstations see it: who
 * works here and who can be booked. Set up online by an admin; workstations only read it.
 *
 * Synced: display name, job title, job roles, whether a practitioner, active.
 * npi: synced. A practitioner's NPI is public (the national NPPES registry publishes it)
 * and is printed on claims, orders and referrals made at the desk; it is not a secret.
 * NOT synced: licences (DEA and state licence numbers are misused for prescription fraud;
 * the desk has no need for them), created_at/updated_at (bookkeeping).
 * userId: synced. The id of the sign-in account this record describes (an opaque id, not a
 * login or a secret): My day opens on the signed-in user's own practitioner, and a note's
 * author id is shown as this record's name. Null when no account is linked; also null from
 * a server older than the link (the default), which never sends it.
 */
export const staffMemberFieldsSchema = z.object({
  displayName: z.string().trim().min(1, 'is required').max(100, 'is too long'),
  jobTitle: z.string().trim().max(100, 'is too long'),
  jobRoles: z.array(z.enum(JOB_ROLES)).max(JOB_ROLES.length),
  isPractitioner: z.boolean(),
  npi: z.string().regex(/^[0-9]{10}$/, 'must be ten digits').nullable(),
  active: z.boolean(),
  userId: idSchema.nullable().default(null),
});

export type StaffMemberFields = z.infer<typeof staffMemberFieldsSchema>;
