import { z } from 'zod';
import type { SyncedDomain } from '../../../shared/domains.ts';
import type { Role } from '../../../shared/sync/auth.ts';
import { AppError } from '../../../shared/errors.ts';
import { pushInputSchema } from '../../../shared/sync/mutation.ts';
import { checksumInputSchema, checksumVerdict, type ChecksumResult } from '../../../shared/sync/checksum.ts';
import { pullInputSchema, type PullPage } from '../../../shared/sync/pull.ts';
import { assertCompatibleProtocol } from '../../../shared/sync/version.ts';
import { assertCanPull, readableEntities } from '../../sync/access.ts';
import { domainChecksum, remainingAfter } from '../../sync/checksum.ts';
import { push } from '../../sync/push.ts';
import { pull } from '../../sync/pull.ts';
import type { Services } from '../../services.ts';
import { openPokeStream } from '../poke-stream.ts';
import { authorized, router } from '../trpc.ts';

/** Bootstrap progress figures: feed rows after each cursor, for domains the role may pull. */
async function countRemaining(ctx: { services: Services; session: { role: Role; tenantId: string } }, after: readonly { domain: SyncedDomain; cursor: string }[]) {
  const counts = [];
  for (const { domain, cursor } of after) {
    assertCanPull(ctx.session.role, domain);
    const readable = readableEntities(ctx.session.role, domain);
    counts.push({ domain, rows: await remainingAfter(ctx.services.syncDomains[domain], domain, ctx.session.tenantId, cursor, readable) });
  }
  return counts;
}

export const syncRouter = router({
  push: authorized('sync.exchange')
    .input(pushInputSchema)
    .mutation(async ({ ctx, input }) => {
      assertCompatibleProtocol(input.protocolVersion, ctx.services.protocolVersion);
      // A session is bound to the device it was opened on.
      if (input.deviceId !== ctx.session.deviceId) {
        throw new AppError('FORBIDDEN', 'This session belongs to another workstation. Please sign in on this one.');
      }
      for (const mutation of input.mutations) ctx.audit.touched(mutation.entity, [mutation.id]);
      ctx.audit.note('mutations', input.mutations.length);
      const { services } = ctx;
      const result = await push({ services: services.syncDomains, bus: services.bus, clock: services.clock, log: services.log }, ctx.session.tenantId, input, { userId: ctx.session.userId, role: ctx.session.role });
      return { ...result, protocolVersion: services.protocolVersion };
    }),

  pull: authorized('sync.exchange')
    .input(pullInputSchema)
    .query(async ({ ctx, input }) => {
      assertCompatibleProtocol(input.protocolVersion, ctx.services.protocolVersion);
      assertCanPull(ctx.session.role, input.domain);
      const readable = readableEntities(ctx.session.role, input.domain);
      const page = await pull({ services: ctx.services.syncDomains, clock: ctx.services.clock }, ctx.session.tenantId, { ...input, readable });
      for (const change of page.changes) ctx.audit.touched(change.entity, [change.id]);
      ctx.audit.note('domain', input.domain);
      ctx.audit.note('cursor', input.cursor); // which page was served: a resumed download is visible in the trail
      const answer: PullPage = { ...page, protocolVersion: ctx.services.protocolVersion };
      if (input.countAfter) answer.remaining = await countRemaining(ctx, input.countAfter);
      return answer;
    }),

  /** WebSocket only: "domain X of your org changed"; the device then pulls. */
  pokes: authorized('sync.exchange')
    .input(z.object({ protocolVersion: z.number().int() }))
    .subscription(async ({ ctx, input, signal }) => {
      assertCompatibleProtocol(input.protocolVersion, ctx.services.protocolVersion);
      return openPokeStream(ctx.services.bus, ctx.session.tenantId, signal);
    }),

  /**
   * The canonical digest of one of the org's domains (shared/sync/checksum.ts), for the
   * workstation's periodic comparison. Reading rights are those of a pull of the domain.
   * The audit entry carries the verdict on what the device claims to hold, never any row.
   */
  checksum: authorized('sync.exchange')
    .input(checksumInputSchema)
    .query(async ({ ctx, input }): Promise<ChecksumResult> => {
      assertCompatibleProtocol(input.protocolVersion, ctx.services.protocolVersion);
      assertCanPull(ctx.session.role, input.domain);
      const tenantId = ctx.session.tenantId;
      const sum = await domainChecksum(ctx.services.syncDomains[input.domain], tenantId, readableEntities(ctx.session.role, input.domain));
      const verdict = checksumVerdict(sum, input);
      ctx.audit.note('domain', input.domain);
      ctx.audit.note('rows', sum.rows);
      ctx.audit.note('verdict', verdict);
      if (verdict === 'mismatch') ctx.services.log({ level: 'warn', event: 'checksum_mismatch', tenantId, domain: input.domain, deviceId: ctx.session.deviceId });
      return { protocolVersion: ctx.services.protocolVersion, tenantId, domain: input.domain, cursor: sum.cursor, rows: sum.rows, digest: sum.digest };
    }),
});
