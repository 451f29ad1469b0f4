import { licenceAddInput, licenceListInput, staffCreateInput, staffGetInput, staffListInput, staffUpdateInput } from '../../../shared/api/personnel.ts';
import { authorized, router } from '../trpc.ts';

/** personnel.*: the org's staff, practitioners and licences. */
export const personnelRouter = router({
  staff: router({
    list: authorized('personnel.read')
      .input(staffListInput)
      .query(async ({ ctx, input }) => {
        const staff = await ctx.services.personnel.list(ctx.session.tenantId, input);
        ctx.audit.touched('staff', staff.map((s) => s.id));
        return staff;
      }),

    get: authorized('personnel.read')
      .input(staffGetInput)
      .query(async ({ ctx, input }) => {
        ctx.audit.touched('staff', [input.id]);
        return ctx.services.personnel.get(ctx.session.tenantId, input.id);
      }),

    create: authorized('personnel.write')
      .input(staffCreateInput)
      .mutation(async ({ ctx, input }) => {
        if (input.userId !== null) ctx.audit.note('linkedUserId', input.userId);
        const staff = await ctx.services.personnel.create(ctx.session.tenantId, input);
        ctx.audit.touched('staff', [staff.id]);
        return staff;
      }),

    update: authorized('personnel.write')
      .input(staffUpdateInput)
      .mutation(async ({ ctx, input }) => {
        ctx.audit.touched('staff', [input.id]);
        // Linking or unlinking a sign-in account names the account (an id, never a login or name).
        if (input.userId !== undefined) ctx.audit.note('linkedUserId', input.userId ?? 'unlinked');
        return ctx.services.personnel.update(ctx.session.tenantId, input);
      }),
  }),

  licences: router({
    list: authorized('personnel.read')
      .input(licenceListInput)
      .query(async ({ ctx, input }) => {
        ctx.audit.note('staffId', input.staffId);
        const licences = await ctx.services.licences.list(ctx.session.tenantId, input.staffId);
        ctx.audit.touched('licence', licences.map((l) => l.id));
        return licences;
      }),

    add: authorized('personnel.write')
      .input(licenceAddInput)
      .mutation(async ({ ctx, input }) => {
        ctx.audit.note('staffId', input.staffId);
        const licence = await ctx.services.licences.add(ctx.session.tenantId, input);
        ctx.audit.touched('licence', [licence.id]);
        return licence;
      }),
  }),
});
