import { z } from 'zod';
import { AppError } from '../../../shared/errors.ts';
import { breakGlassUploadSchema, enrollInputSchema, enrollResultSchema, wipeReportSchema, type EnrollResult } from '../../../shared/sync/devices.ts';
import { assertCompatibleProtocol } from '../../../shared/sync/version.ts';
import { enrollDevice } from '../../auth/enroll-device.ts';
import { authorized, publicProcedure, router } from '../trpc.ts';

/** An unknown org, a device it does not know, or a proof that is not this device's: one answer. */
const proofRefused = () => new AppError('INVALID_CREDENTIALS', 'This wipe report could not be verified for that workstation and organization.');

/**
 * The workstation's side of the device lifecycle (the org's IT manages devices under
 * admin.devices.*): enrollment with an IT token, the report that an org's copy was wiped,
 * and the upload of emergency unlocks.
 */
export const devicesRouter = router({
  /** Public: the token is the authority. Returns the device credential once. */
  enroll: publicProcedure
    .input(enrollInputSchema)
    .output(enrollResultSchema)
    .mutation(async ({ ctx, input }): Promise<EnrollResult> => {
      assertCompatibleProtocol(input.protocolVersion, ctx.services.protocolVersion);
      return enrollDevice(ctx.services, input, ctx.audit);
    }),

  /**
   * Public, because it comes after the device was revoked or the org offboarded, when no
   * session is let in any more; the proof in the report (a token or credential of this
   * device in this org) takes the session's place. An org header, when sent, must name the
   * report's org.
   */
  reportWipe: publicProcedure
    .input(wipeReportSchema)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      assertCompatibleProtocol(input.protocolVersion, ctx.services.protocolVersion);
      const { services } = ctx;
      const tenant = await services.tenants.get(input.tenantId);
      if (!tenant) throw proofRefused();
      ctx.audit.tenantId = tenant.id;
      ctx.audit.touched('device', [input.deviceId]);
      ctx.audit.note('reason', input.reason);
      const header = ctx.credentials.tenantId;
      if (header !== null && header !== tenant.id) throw new AppError('TENANT_MISMATCH', 'This report names a different organization than the request.');
      const outcome = await services.wipeReports.record(tenant.id, input);
      if (!outcome.ok) {
        services.log({ level: 'warn', event: 'wipe_report_refused', tenantId: tenant.id, deviceId: input.deviceId });
        throw proofRefused();
      }
      if (outcome.proof === 'session') ctx.audit.actor = { ...outcome.session, deviceId: input.deviceId };
      ctx.audit.note('proof', outcome.proof);
      ctx.audit.note('firstReport', outcome.firstReport);
      services.log({ level: 'info', event: 'device_wipe_reported', tenantId: tenant.id, deviceId: input.deviceId, reason: input.reason, firstReport: outcome.firstReport });
      return { ok: true as const };
    }),

  /** Only the workstation the unlocks were made on uploads them (its session's device). */
  uploadBreakGlass: authorized('session.own')
    .input(breakGlassUploadSchema)
    .output(z.object({ stored: z.number().int() }))
    .mutation(async ({ ctx, input }) => {
      const { services, session } = ctx;
      ctx.audit.touched('break_glass', input.entries.map((entry) => entry.id));
      if (input.deviceId !== session.deviceId) {
        throw new AppError('FORBIDDEN', 'Break-glass records are uploaded only by the workstation they were made on.');
      }
      const stored = await services.breakGlass.store(session.tenantId, session.deviceId, input.entries);
      ctx.audit.note('stored', stored);
      services.log({ level: 'info', event: 'break_glass_uploaded', tenantId: session.tenantId, deviceId: session.deviceId, entries: input.entries.length, stored });
      return { stored };
    }),
});
