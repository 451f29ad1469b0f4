import { z } from 'zod';
import { AppError } from '../../../shared/errors.ts';
import { pushInputSchema } from '../../../shared/sync/mutation.ts';
import { pullInputSchema } from '../../../shared/sync/pull.ts';
import { assertCompatibleProtocol } from '../../../shared/sync/version.ts';
import { assertCanPull, assertCanPush } from '../../sync/access.ts';
import { push } from '../../sync/push.ts';
import { pull } from '../../sync/pull.ts';
import { openPokeStream } from '../poke-stream.ts';
import { authorized, router } from '../trpc.ts';

export const syncRouter = router({
  push: authorized('sync.exchange')
    .input(pushInputSchema)
    .mutation(async ({ ctx, input }) => {
      assertCompatibleProtocol(input.protocolVersion);
      // A session is bound to the device it was opened on.
      if (input.deviceId !== ctx.session.deviceId) {
        throw new AppError('FORBIDDEN', 'This session belongs to another workstation. Please sign in on this one.');
      }
      assertCanPush(ctx.session.role, input.mutations.map((mutation) => mutation.entity));
      for (const mutation of input.mutations) ctx.audit.touched(mutation.entity, [mutation.id]);
      ctx.audit.note('mutations', input.mutations.length);
      const { services } = ctx;
      return push({ services: services.syncDomains, bus: services.bus, clock: services.clock, log: services.log }, ctx.session.tenantId, input);
    }),

  pull: authorized('sync.exchange')
    .input(pullInputSchema)
    .query(async ({ ctx, input }) => {
      assertCompatibleProtocol(input.protocolVersion);
      assertCanPull(ctx.session.role, input.domain);
      const page = await pull({ services: ctx.services.syncDomains, clock: ctx.services.clock }, ctx.session.tenantId, input);
      for (const change of page.changes) ctx.audit.touched(change.entity, [change.id]);
      ctx.audit.note('domain', input.domain);
      return page;
    }),

  /** WebSocket only: "domain X of your org changed"; the device then pulls. */
  pokes: authorized('sync.exchange')
    .input(z.object({ protocolVersion: z.number().int() }))
    .subscription(async ({ ctx, input, signal }) => {
      assertCompatibleProtocol(input.protocolVersion);
      return openPokeStream(ctx.services.bus, ctx.session.tenantId, signal);
    }),
});
