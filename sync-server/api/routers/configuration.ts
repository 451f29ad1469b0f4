import { roleCan } from '../../../shared/auth/capabilities.ts';
import {
  agentConfigGetInput,
  agentConfigUpdateInput,
  payerContractListInput,
  payerContractUpsertInput,
  profileGetInput,
  profileUpdateInput,
} from '../../../shared/api/configuration.ts';
import { authorized, router } from '../trpc.ts';

/** configuration.*: the practice profile, payer contracts and the org's agent configuration. */
export const configurationRouter = router({
  profile: router({
    get: authorized('configuration.read')
      .input(profileGetInput)
      .query(async ({ ctx }) => {
        ctx.audit.touched('practice_profile', [ctx.session.tenantId]);
        // The Tax ID is shown in full only to those who may edit it (minimum necessary).
        const showTaxId = roleCan(ctx.session.role, 'configuration.write');
        ctx.audit.note('taxIdShown', showTaxId);
        return ctx.services.practiceProfiles.get(ctx.session.tenantId, showTaxId);
      }),

    update: authorized('configuration.write')
      .input(profileUpdateInput)
      .mutation(async ({ ctx, input }) => {
        ctx.audit.touched('practice_profile', [ctx.session.tenantId]);
        return ctx.services.practiceProfiles.update(ctx.session.tenantId, ctx.session.userId, input);
      }),
  }),

  payerContracts: router({
    list: authorized('configuration.read')
      .input(payerContractListInput)
      .query(async ({ ctx, input }) => {
        const contracts = await ctx.services.payerContracts.list(ctx.session.tenantId, input.activeOn);
        ctx.audit.touched('payer_contract', contracts.map((c) => c.id));
        return contracts;
      }),

    upsert: authorized('configuration.write')
      .input(payerContractUpsertInput)
      .mutation(async ({ ctx, input }) => {
        if (input.id) ctx.audit.touched('payer_contract', [input.id]);
        const contract = await ctx.services.payerContracts.upsert(ctx.session.tenantId, ctx.session.userId, input);
        if (!input.id) ctx.audit.touched('payer_contract', [contract.id]);
        return contract;
      }),
  }),

  agent: router({
    get: authorized('configuration.read')
      .input(agentConfigGetInput)
      .query(async ({ ctx }) => {
        ctx.audit.touched('agent_config', [ctx.session.tenantId]);
        return ctx.services.agentConfigs.get(ctx.session.tenantId);
      }),

    update: authorized('configuration.write')
      .input(agentConfigUpdateInput)
      .mutation(async ({ ctx, input }) => {
        ctx.audit.touched('agent_config', [ctx.session.tenantId]);
        return ctx.services.agentConfigs.update(ctx.session.tenantId, ctx.session.userId, input);
      }),
  }),
});
