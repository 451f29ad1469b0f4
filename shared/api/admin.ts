import { z } from 'zod';
import { WIPE_REASONS } from '../sync/devices.ts';
import { idSchema } from '../ids.ts';
import { ROLES } from '../sync/auth.ts';

/**
 * The org's user and device administration (server router `admin.*`). Inputs are
 * validated here once, for the server and for any client that builds the forms.
 */

/** A username or email address, stored trimmed and lower-case (sign-in is case-insensitive). */
export const loginSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9][a-z0-9._@+-]*$/, 'must be a username or email address (letters, digits, . _ @ + -)');

export const displayNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

/** New passwords set through the network API: long enough to resist guessing (NIST SP 800-63B: ≥ 8; we ask 12). */
export const newPasswordSchema = z.string().min(12, 'must be at least 12 characters').max(200);

export const roleSchema = z.enum(ROLES);

export const createUserInputSchema = z.object({
  login: loginSchema,
  password: newPasswordSchema,
  displayName: displayNameSchema,
  role: roleSchema,
});
export type CreateUserInput = z.input<typeof createUserInputSchema>;

export const grantRoleInputSchema = z.object({ userId: idSchema, role: roleSchema });
export type GrantRoleInput = z.input<typeof grantRoleInputSchema>;

/** admin.users.unlock: lets a member sign in again after too many failed sign-ins in a row locked them out. */
export const unlockUserInputSchema = z.object({ userId: idSchema });
/** wasLocked: the member was locked out (false: there was nothing to unlock, but their failure count is reset all the same). */
export const unlockUserResultSchema = z.object({ ok: z.literal(true), wasLocked: z.boolean() });

/** What an org admin sees of a member: never the password hash, never other orgs. */
export const orgUserSchema = z.object({
  userId: idSchema,
  login: z.string(),
  displayName: z.string(),
  role: roleSchema,
  disabled: z.boolean(),
  createdAt: z.string(),
});
export type OrgUser = z.infer<typeof orgUserSchema>;

/**
 * A member as admin.users.list shows them: locked when too many failed sign-ins in a row
 * locked them out until an admin unlocks them (admin.users.unlock); lockedAt is when (ISO), null when not locked.
 */
export const listedUserSchema = orgUserSchema.extend({ locked: z.boolean(), lockedAt: z.string().nullable() });
export type ListedUser = z.infer<typeof listedUserSchema>;

export const deviceSchema = z.object({
  deviceId: idSchema,
  name: z.string(),
  enrolledVia: z.enum(['sign_in', 'token']),
  enrolledAt: z.string(),
  revokedAt: z.string().nullable(),
  lastSeenAt: z.string().nullable(),
  /** When the workstation reported it deleted the org's copy (after a revocation or offboarding), and why. */
  wipedAt: z.string().nullable(),
  wipeReason: z.enum(WIPE_REASONS).nullable(),
});
export type Device = z.infer<typeof deviceSchema>;

export const revokeDeviceInputSchema = z.object({ deviceId: idSchema });

export const ENROLLMENT_TTL_MINUTES = { min: 5, max: 7 * 24 * 60, default: 60 } as const;

export const enrollmentTokenInputSchema = z.object({
  ttlMinutes: z.number().int().min(ENROLLMENT_TTL_MINUTES.min).max(ENROLLMENT_TTL_MINUTES.max).default(ENROLLMENT_TTL_MINUTES.default),
});

export const enrollmentTokenSchema = z.object({ token: z.string(), expiresAt: z.string() });
export type EnrollmentToken = z.infer<typeof enrollmentTokenSchema>;
