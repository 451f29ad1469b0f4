import { z } from 'zod';
import { AppError } from '../../../shared/errors.ts';
import { myOrgsSchema, signInInputSchema, switchOrgInputSchema, type MyOrgs, type SessionInfo } from '../../../shared/sync/auth.ts';
import { assertCompatibleProtocol } from '../../../shared/sync/version.ts';
import { deviceNotEnrolled, deviceRevoked, orgOffboarded } from '../../auth/lifecycle-refusals.ts';
import { passwordSignIn } from '../../auth/password-sign-in.ts';
import { switchOrg } from '../../auth/switch-org.ts';
import { hasLeft } from '../../domains/tenant_info/tenants.ts';
import { authorized, publicProcedure, router } from '../trpc.ts';

/**
 * One answer for unknown org, unknown user, wrong password, disabled account, and an
 * enrolled device without its credential (the credential is as secret as the password).
 */
const invalidCredentials = () => new AppError('INVALID_CREDENTIALS', 'The organization, username or password is not correct.');

export const authRouter = router({
  signIn: publicProcedure.input(signInInputSchema).mutation(async ({ ctx, input }): Promise<SessionInfo> => {
    assertCompatibleProtocol(input.protocolVersion, ctx.services.protocolVersion);
    const { services } = ctx;
    // Refused here, before the password is hashed, when the account or the caller's address is throttled.
    const { tenant, account, attempt } = await passwordSignIn(services, input, ctx.remoteAddress, ctx.audit);
    // Every answer below ends the attempt: INVALID_CREDENTIALS always as a failure (also for a
    // right password with a wrong device credential, so the throttle's behaviour cannot tell
    // which was wrong); a right password otherwise clears the account's counter.
    try {
      // The org is gone, which is no secret: its workstations must learn it whatever they send.
      if (tenant && hasLeft(tenant.status)) throw orgOffboarded();
      if (!tenant || !account) {
        await attempt.end('failed');
        services.log({ level: 'info', event: 'sign_in_refused', ...(tenant ? { tenantId: tenant.id } : {}) });
        throw invalidCredentials();
      }
      // Only now, with the password right, is anything about the device told.
      const opened = await services.sessions.open({
        tenantId: tenant.id,
        userId: account.accountId,
        deviceId: input.deviceId,
        deviceName: input.deviceName,
        deviceCredential: input.deviceCredential ?? null,
        requireEnrolled: tenant.requireEnrolledDevices,
      });
      if (!opened.ok) {
        services.log({ level: 'warn', event: 'sign_in_refused', reason: opened.refusal, tenantId: tenant.id, deviceId: input.deviceId });
        if (opened.refusal === 'revoked') throw deviceRevoked();
        if (opened.refusal === 'not_enrolled') throw deviceNotEnrolled();
        await attempt.end('failed');
        throw invalidCredentials();
      }
      ctx.audit.actor = { userId: account.accountId, sessionId: opened.sessionId, deviceId: input.deviceId, role: account.role };
      ctx.audit.touched('session', [opened.sessionId]);
      services.log({ level: 'info', event: 'signed_in', tenantId: tenant.id, userId: account.accountId, deviceId: input.deviceId });
      return {
        token: opened.token,
        tenantId: tenant.id,
        tenantName: tenant.name,
        userId: account.accountId,
        displayName: account.displayName,
        role: account.role,
        expiresAt: opened.expiresAt.toISOString(),
        orgCode: tenant.code,
        policy: tenant.policy,
      };
    } finally {
      // Signed in, or a revoked or unenrolled device with the right password (the answer already
      // says the password was right): 'passed'. Without an account and not counted above: 'void'.
      await attempt.end(account ? 'passed' : 'void');
    }
  }),

  signOut: authorized('session.own').input(z.object({}).optional()).mutation(async ({ ctx }) => {
    await ctx.services.sessions.revoke(ctx.session.tenantId, ctx.session.sessionId);
    ctx.audit.touched('session', [ctx.session.sessionId]);
    ctx.services.log({ level: 'info', event: 'signed_out', tenantId: ctx.session.tenantId, userId: ctx.session.userId });
    return { ok: true as const };
  }),

  /**
   * The orgs this account can switch between: for a shared-namespace account every active
   * shared-tier org it belongs to; for an org with its own namespace, that org alone.
   * The audit entry (in the current org's chain) names the current org and a count only,
   * so one org's auditors do not learn which other orgs its staff belong to.
   */
  myOrgs: authorized('session.own')
    .input(z.object({}).optional())
    .output(myOrgsSchema)
    .query(async ({ ctx }): Promise<MyOrgs> => {
      const { services, session } = ctx;
      const current = await services.tenants.get(session.tenantId);
      if (!current) throw new AppError('TENANT_UNKNOWN', 'This organization is not known to the sync server.');
      const orgs =
        current.tier === 'shared'
          ? (await services.accounts.sharedOrgsOf(session.userId)).map((org) => ({ code: org.code, name: org.name, current: org.tenantId === current.id }))
          : [{ code: current.code, name: current.name, current: true }];
      ctx.audit.touched('tenant', [current.id]);
      ctx.audit.note('orgs', orgs.length);
      return { orgs };
    }),

  /** A new session in another org of the same shared account, on the same device; the current session stays. */
  switchOrg: authorized('session.own')
    .input(switchOrgInputSchema)
    .mutation(async ({ ctx, input }): Promise<SessionInfo> => {
      const switched = await switchOrg(ctx.services, ctx.session, input.org);
      ctx.audit.note('switchedOrg', true);
      return switched;
    }),
});
