import { z } from 'zod';
import { idSchema } from '../ids.ts';

/** An org's sign-in code (e.g. "northside"); resolved by the server's tenant directory. */
export const orgCodeSchema = z.string().trim().toLowerCase().regex(/^[a-z0-9-]{2,40}$/, 'must be an organization code');

/** No control characters (a NUL cannot even be stored in a PostgreSQL text column). */
const NO_CONTROL_CHARACTERS = /^[^\p{Cc}]*$/u;

export const signInInputSchema = z.object({
  protocolVersion: z.number().int(),
  org: orgCodeSchema,
  /** A username or email address; compared case-insensitively within the org's sign-in namespace. */
  username: z.string().trim().min(1).max(100).regex(NO_CONTROL_CHARACTERS, 'must not contain control characters'),
  password: z.string().min(1).max(200),
  deviceId: idSchema,
  deviceName: z.string().trim().max(100).regex(NO_CONTROL_CHARACTERS, 'must not contain control characters').default('workstation'),
});
export type SignInInput = z.input<typeof signInInputSchema>;

export const ROLES = ['front_desk', 'clinician', 'org_admin', 'it_admin'] as const;
export type Role = (typeof ROLES)[number];

export const sessionInfoSchema = z.object({
  token: z.string(),
  tenantId: idSchema,
  tenantName: z.string(),
  userId: idSchema,
  displayName: z.string(),
  role: z.enum(ROLES),
  expiresAt: z.string(),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

/** auth.myOrgs: the orgs a shared-namespace account may switch between (codes and names only). */
export const myOrgsSchema = z.object({
  orgs: z.array(z.object({ code: z.string(), name: z.string(), current: z.boolean() })),
});
export type MyOrgs = z.infer<typeof myOrgsSchema>;

/** auth.switchOrg: a new session in another org of the same account, on the same device. */
export const switchOrgInputSchema = z.object({ org: orgCodeSchema });
export type SwitchOrgInput = z.input<typeof switchOrgInputSchema>;
