import { z } from 'zod';
import { isId } from '../../shared/ids.ts';
import { orgCodeSchema } from '../../shared/sync/auth.ts';
import { ERROR_CODES, type ErrorCode } from '../../shared/errors.ts';
import { ISOLATION_TIERS } from '../domains/tenant_info/tenants.ts';

/**
 * The operator channel's wire format: one request per connection, one line of JSON each
 * way. A request names a command; each command has its own strict schema (see
 * operator-commands.ts for the map that runs them).
 */

/** Longest request line accepted: a request is a few short fields. */
export const MAX_REQUEST_BYTES = 16 * 1024;

/** An org code or an org id, as `--tenant` takes it. */
const tenantRefSchema = z
  .string()
  .trim()
  .refine((value) => isId(value) || orgCodeSchema.safeParse(value).success, 'must be an organization code or id');

export const setTierRequestSchema = z
  .object({
    command: z.literal('tenant.set-tier'),
    tenant: tenantRefSchema,
    tier: z.enum(ISOLATION_TIERS),
    target: z
      .object({
        serverUrl: z.string().min(1).max(2_000).optional(),
        databasePrefix: z.string().min(1).max(64).optional(),
        folder: z.string().min(1).max(4_096).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type SetTierRequest = z.infer<typeof setTierRequestSchema>;

/**
 * What every request carries besides its command's own fields: the command's name (read
 * first, so an unknown command gets its own answer) and the deployment the sender means
 * (deployment-key.ts).
 */
export const requestEnvelopeSchema = z.looseObject({ command: z.string().max(100), deployment: z.string().max(5_000) });

export type OperatorResponse = { ok: true; result: unknown } | { ok: false; code: ErrorCode; message: string };

export const responseSchema = z.union([
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), code: z.enum(ERROR_CODES), message: z.string() }),
]);
