import { exportRef, exportsCreateInput, exportsReadFileInput } from '../../../shared/api/exports.ts';
import { authorized, router } from '../trpc.ts';

/**
 * exports.*: the org's complete data in standard formats, for its admins (`data.export`).
 * Always the caller's org (no tenant input). The export is written on the server and
 * fetched file by file (see sync-server/portability/export/export-service.ts); each call is
 * audited by the middleware, with the export id and counts, never file contents.
 */
export const exportsRouter = router({
  create: authorized('data.export')
    .input(exportsCreateInput)
    .mutation(async ({ ctx }) => {
      const result = await ctx.services.exports.create(ctx.session.tenantId);
      ctx.audit.touched('export', [result.exportId]);
      for (const entry of result.manifest.output) ctx.audit.note(`count.${entry.type}`, entry.count);
      return result;
    }),

  readFile: authorized('data.export')
    .input(exportsReadFileInput)
    .query(async ({ ctx, input }) => {
      ctx.audit.touched('export', [input.exportId]);
      ctx.audit.note('file', input.file);
      return ctx.services.exports.readFile(ctx.session.tenantId, input.exportId, input.file, input.offset);
    }),

  remove: authorized('data.export')
    .input(exportRef)
    .mutation(async ({ ctx, input }) => {
      ctx.audit.touched('export', [input.exportId]);
      return { removed: await ctx.services.exports.remove(ctx.session.tenantId, input.exportId) };
    }),
});
