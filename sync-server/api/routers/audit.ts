import { z } from 'zod';
import { auditQuerySchema } from '../../audit/audit-read.ts';
import { authorized, router } from '../trpc.ts';

/**
 * The org's own audit trail, for its admins (capability audit.read). Always the caller's
 * org: there is no tenant input to aim elsewhere. Reading the trail is audited like any
 * other read.
 */
export const auditRouter = router({
  events: router({
    list: authorized('audit.read')
      .input(auditQuerySchema)
      .query(async ({ ctx, input }) => {
        const page = await ctx.services.audit.list(ctx.session.tenantId, input);
        ctx.audit.touched('audit_event', page.entries.map((entry) => entry.id));
        return page;
      }),
  }),

  verify: authorized('audit.read')
    .input(z.object({}).strict().optional())
    .query(async ({ ctx }) => {
      const result = await ctx.services.audit.verify(ctx.session.tenantId);
      ctx.audit.touched('audit_event', []);
      ctx.audit.note('ok', result.ok);
      ctx.audit.note('entries', result.entries);
      ctx.audit.note('problems', result.problems.length);
      return result;
    }),
});
