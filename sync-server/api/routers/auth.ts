import { z } from 'zod';
import { AppError } from '../../../shared/errors.ts';
import { signInInputSchema, type SessionInfo } from '../../../shared/sync/auth.ts';
import { assertCompatibleProtocol } from '../../../shared/sync/version.ts';
import { DUMMY_PASSWORD_HASH, verifyPassword } from '../../auth/passwords.ts';
import { authorized, publicProcedure, router } from '../trpc.ts';

/** One answer for unknown org, unknown user and wrong password. */
const invalidCredentials = () => new AppError('INVALID_CREDENTIALS', 'The organization, username or password is not correct.');

export const authRouter = router({
  signIn: publicProcedure.input(signInInputSchema).mutation(async ({ ctx, input }): Promise<SessionInfo> => {
    assertCompatibleProtocol(input.protocolVersion);
    const { services } = ctx;
    const tenant = await services.tenants.findByCode(input.org);
    const user = tenant && tenant.status === 'active' ? await services.users.findByUsername(tenant.id, input.username) : null;
    // Always pay for one scrypt, so timing does not tell an unknown user from a wrong password.
    const passwordOk = await verifyPassword(input.password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (tenant) ctx.audit.tenantId = tenant.id;
    if (!tenant || !user || !passwordOk) {
      services.log({ level: 'info', event: 'sign_in_refused', ...(tenant ? { tenantId: tenant.id } : {}) });
      throw invalidCredentials();
    }
    const { token, sessionId, expiresAt } = await services.sessions.open({
      tenantId: tenant.id,
      userId: user.id,
      deviceId: input.deviceId,
      deviceName: input.deviceName,
    });
    ctx.audit.actor = { userId: user.id, sessionId, deviceId: input.deviceId, role: user.role };
    services.log({ level: 'info', event: 'signed_in', tenantId: tenant.id, userId: user.id, deviceId: input.deviceId });
    return {
      token,
      tenantId: tenant.id,
      tenantName: tenant.name,
      userId: user.id,
      displayName: user.displayName,
      role: user.role,
      expiresAt: expiresAt.toISOString(),
    };
  }),

  signOut: authorized('session.own').input(z.object({}).optional()).mutation(async ({ ctx }) => {
    await ctx.services.sessions.revoke(ctx.session.tenantId, ctx.session.sessionId);
    ctx.services.log({ level: 'info', event: 'signed_out', tenantId: ctx.session.tenantId, userId: ctx.session.userId });
    return { ok: true as const };
  }),
});
