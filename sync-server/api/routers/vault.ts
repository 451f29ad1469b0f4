import { vaultListInput, vaultSecretRef, vaultStoreInput } from '../../../shared/api/vault.ts';
import { z } from 'zod';
import { authorized, router } from '../trpc.ts';

/**
 * vault.*: the org's payer-portal and EHR-integration credentials (sync-server/vault/).
 * Org admins only (`vault.manage`). Lists never carry a username or secret; `reveal` is a
 * mutation so the answer is never a cacheable GET. The audit middleware writes each call,
 * and the vault fills its trail (ids, kind, key version), never a value.
 */
export const vaultRouter = router({
  list: authorized('vault.manage')
    .input(vaultListInput)
    .query(({ ctx, input }) => ctx.services.vault.secrets.list(ctx.session.tenantId, input.kind, ctx.audit)),

  store: authorized('vault.manage')
    .input(vaultStoreInput)
    .mutation(({ ctx, input }) => ctx.services.vault.secrets.store(ctx.session.tenantId, ctx.session.userId, input, ctx.audit)),

  reveal: authorized('vault.manage')
    .input(vaultSecretRef)
    .mutation(({ ctx, input }) => ctx.services.vault.secrets.reveal(ctx.session.tenantId, input.id, ctx.audit)),

  delete: authorized('vault.manage')
    .input(vaultSecretRef)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.vault.secrets.remove(ctx.session.tenantId, input.id, ctx.audit);
      return { deleted: true as const };
    }),

  /** A new data key for the org; every credential is re-sealed under it while reads go on. */
  rotateKey: authorized('vault.manage')
    .input(z.strictObject({}).prefault({}))
    .mutation(({ ctx }) => ctx.services.vault.keys.rotateTenantKey(ctx.session.tenantId, ctx.audit)),
});
