import { z } from 'zod';
import { idSchema } from '../ids.ts';
import { label } from '../api/text.ts';

/**
 * The device lifecycle on the wire: enrollment with an IT token, the report a workstation
 * sends after it wiped an org's copy, and break-glass unlocks uploaded for the audit trail.
 */

/** `ce1.<tenantId>.<secret>`: one-time, expiring, for one org (clinicsync-server device enroll-token). */
export const enrollmentTokenSchema = z.string().trim().regex(/^ce1\.[0-9a-f-]{36}\.[A-Za-z0-9_-]{20,100}$/, 'is not an enrollment token');

export const enrollInputSchema = z.object({
  protocolVersion: z.number().int(),
  token: enrollmentTokenSchema,
  deviceId: idSchema,
  deviceName: label(100),
});
export type EnrollInput = z.input<typeof enrollInputSchema>;

/** The credential is the workstation's proof of enrollment; only its hash is kept on the server. */
export const enrollResultSchema = z.object({
  tenantId: idSchema,
  orgCode: z.string(),
  orgName: z.string(),
  deviceCredential: z.string(),
});
export type EnrollResult = z.infer<typeof enrollResultSchema>;

export const WIPE_REASONS = ['device_revoked', 'org_offboarded'] as const;
export type WipeReason = (typeof WIPE_REASONS)[number];

/**
 * Sent (public procedure) after the workstation deleted an org's store and key. The proof
 * is the last session token or the device credential the device held for that org: the
 * server checks it was issued to this device of this org, even though it is revoked now.
 */
export const wipeReportSchema = z.object({
  protocolVersion: z.number().int(),
  tenantId: idSchema,
  deviceId: idSchema,
  reason: z.enum(WIPE_REASONS),
  wipedAt: z.string().datetime({ offset: true }),
  proof: z.string().min(1).max(300),
});
export type WipeReport = z.input<typeof wipeReportSchema>;

/** One emergency unlock made on a workstation (possibly offline), uploaded when online. */
export const breakGlassEntrySchema = z.object({
  id: idSchema,
  userId: idSchema,
  /** Why the record was needed; may name a patient, so it stays in the org's own tables, never in logs. */
  reason: label(500).pipe(z.string().min(10, 'must say why, in at least 10 characters')),
  startedAt: z.string().datetime({ offset: true }),
  expiresAt: z.string().datetime({ offset: true }),
});
export type BreakGlassEntry = z.infer<typeof breakGlassEntrySchema>;

export const breakGlassUploadSchema = z.object({
  deviceId: idSchema,
  entries: z.array(breakGlassEntrySchema).min(1).max(100),
});
export type BreakGlassUpload = z.input<typeof breakGlassUploadSchema>;
