import { z } from 'zod';
import { idSchema } from '../ids.ts';

export const signInInputSchema = z.object({
  protocolVersion: z.number().int(),
  /** The org's sign-in code (e.g. "northside"); resolved by the server's tenant directory. */
  org: z.string().trim().toLowerCase().regex(/^[a-z0-9-]{2,40}$/, 'must be an organization code'),
  username: z.string().trim().min(1).max(100),
  password: z.string().min(1).max(200),
  deviceId: idSchema,
  deviceName: z.string().trim().max(100).default('workstation'),
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
