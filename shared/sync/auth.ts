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
  /** The secret a workstation got when it was enrolled with an IT token (shared/sync/devices.ts). */
  deviceCredential: z.string().min(1).max(200).optional(),
});
export type SignInInput = z.input<typeof signInInputSchema>;

export const ROLES = ['front_desk', 'clinician', 'org_admin', 'it_admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * The org's rules for its workstations, sent with every session so a workstation can apply
 * them while offline: how long after the last online sign-in a user may still unlock
 * offline, the idle time before the screen locks, how many wrong passwords lock a user
 * out (and for how long), and how long an emergency ("break-glass") unlock lasts.
 */
export const orgPolicySchema = z.object({
  offlineUnlockDays: z.number().int().min(0).max(30),
  idleLockMinutes: z.number().int().min(1).max(240),
  maxUnlockFailures: z.number().int().min(1).max(20),
  lockoutMinutes: z.number().int().min(1).max(1440),
  breakGlassMinutes: z.number().int().min(5).max(480),
});
export type OrgPolicy = z.infer<typeof orgPolicySchema>;

export const DEFAULT_ORG_POLICY: OrgPolicy = {
  offlineUnlockDays: 7,
  idleLockMinutes: 15,
  maxUnlockFailures: 5,
  lockoutMinutes: 15,
  breakGlassMinutes: 60,
};

export const sessionInfoSchema = z.object({
  token: z.string(),
  tenantId: idSchema,
  tenantName: z.string(),
  userId: idSchema,
  displayName: z.string(),
  role: z.enum(ROLES),
  expiresAt: z.string(),
  /** The org's code as the directory spells it (the workstation's offline org list). */
  orgCode: z.string(),
  policy: orgPolicySchema,
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
