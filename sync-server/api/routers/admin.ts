import { z } from 'zod';
import {
  createUserInputSchema,
  deviceSchema,
  enrollmentTokenInputSchema,
  enrollmentTokenSchema,
  grantRoleInputSchema,
  listedUserSchema,
  orgUserSchema,
  revokeDeviceInputSchema,
  unlockUserInputSchema,
  unlockUserResultSchema,
} from '../../../shared/api/admin.ts';
import { AppError } from '../../../shared/errors.ts';
import { hashPassword } from '../../auth/passwords.ts';
import { mayAssignRole } from '../../auth/role-grants.ts';
import { unlockMember } from '../../auth/sign-in-locks.ts';
import { authorized, router } from '../trpc.ts';

/** Another org's user or device is answered exactly like one that does not exist. */
const noSuchUser = () => new AppError('NOT_FOUND', 'There is no such user in this organization.');
const noSuchDevice = () => new AppError('NOT_FOUND', 'There is no such workstation in this organization.');
const roleNotYours = () => new AppError('FORBIDDEN', 'Your role cannot assign that role.');

/**
 * The org's own people and workstations. Everything runs in the caller's org; users are
 * members of this org only (linking an account into another org is an operator action),
 * and password hashes never leave the server.
 */
const usersRouter = router({
  list: authorized('users.manage')
    .input(z.object({}).optional())
    .output(z.object({ users: z.array(listedUserSchema) }))
    .query(async ({ ctx }) => {
      const { services, session } = ctx;
      const members = await services.accounts.listMembers(session.tenantId);
      ctx.audit.touched('user', members.map((member) => member.userId));
      // Who the sign-in throttle locked out: one read for the whole list, in the org's own context.
      const locks = await services.signInLocks.lockedSince({ id: session.tenantId, code: session.tenantCode }, members.map((member) => member.login));
      const users = members.map((member) => {
        const lockedAt = locks.get(member.login) ?? null;
        return { ...member, locked: lockedAt !== null, lockedAt: lockedAt?.toISOString() ?? null };
      });
      return { users };
    }),

  create: authorized('users.manage')
    .input(createUserInputSchema)
    .output(orgUserSchema)
    .mutation(async ({ ctx, input }) => {
      if (!mayAssignRole(ctx.session.role, input.role)) throw roleNotYours();
      const { services, session } = ctx;
      const passwordHash = await hashPassword(input.password);
      const userId = await services.accounts.createMember(session.tenantId, { login: input.login, passwordHash, displayName: input.displayName, role: input.role });
      ctx.audit.touched('user', [userId]);
      const user = await services.accounts.member(session.tenantId, userId);
      if (!user) throw noSuchUser();
      services.log({ level: 'info', event: 'user_created', tenantId: session.tenantId, userId, role: input.role });
      return user;
    }),

  grantRole: authorized('users.manage')
    .input(grantRoleInputSchema)
    .output(orgUserSchema)
    .mutation(async ({ ctx, input }) => {
      const { services, session } = ctx;
      ctx.audit.touched('user', [input.userId]);
      // Nobody raises (or otherwise changes) their own role.
      if (input.userId === session.userId && input.role !== session.role) throw new AppError('FORBIDDEN', 'You cannot change your own role.');
      const member = await services.accounts.member(session.tenantId, input.userId);
      if (!member) throw noSuchUser();
      if (!mayAssignRole(session.role, input.role) || !mayAssignRole(session.role, member.role)) throw roleNotYours();
      if (!(await services.accounts.setRole(session.tenantId, input.userId, input.role))) throw noSuchUser();
      ctx.audit.note('role', input.role);
      services.log({ level: 'info', event: 'role_granted', tenantId: session.tenantId, userId: input.userId, role: input.role, by: session.userId });
      return { ...member, role: input.role };
    }),

  /**
   * Ends a member's lock after too many failed sign-ins in a row (sign-in-throttle.ts) and
   * resets their count; audited (the entry notes wasLocked and the counter's hash prefix,
   * never the login). Only for a member whose role the caller could assign (role-grants.ts):
   * an org admin cannot reopen guessing on an IT admin's account.
   */
  unlock: authorized('users.manage')
    .input(unlockUserInputSchema)
    .output(unlockUserResultSchema)
    .mutation(async ({ ctx, input }) => {
      const { services, session } = ctx;
      ctx.audit.touched('user', [input.userId]);
      const member = await services.accounts.member(session.tenantId, input.userId);
      if (!member) throw noSuchUser();
      if (!mayAssignRole(session.role, member.role)) throw new AppError('FORBIDDEN', 'Your role cannot unlock a user with that role.');
      const unlocked = await unlockMember(services, session.tenantId, member, ctx.audit, session.userId);
      if (!unlocked) throw noSuchUser();
      return { ok: true as const, wasLocked: unlocked.wasLocked };
    }),
});

const devicesRouter = router({
  list: authorized('devices.manage')
    .input(z.object({}).optional())
    .output(z.object({ devices: z.array(deviceSchema) }))
    .query(async ({ ctx }) => {
      const devices = await ctx.services.devices.list(ctx.session.tenantId);
      ctx.audit.touched('device', devices.map((device) => device.deviceId));
      return { devices };
    }),

  /** Revokes the workstation and ends every session on it. */
  revoke: authorized('devices.manage')
    .input(revokeDeviceInputSchema)
    .output(z.object({ ok: z.literal(true), sessionsEnded: z.number().int() }))
    .mutation(async ({ ctx, input }) => {
      const { services, session } = ctx;
      ctx.audit.touched('device', [input.deviceId]);
      if (input.deviceId === session.deviceId) throw new AppError('CONFLICT', 'You cannot revoke the workstation you are using. Do it from another workstation.');
      const result = await services.devices.revoke(session.tenantId, input.deviceId);
      if (!result.found) throw noSuchDevice();
      ctx.audit.note('sessionsEnded', result.sessionsEnded);
      services.log({ level: 'info', event: 'device_revoked', tenantId: session.tenantId, deviceId: input.deviceId, sessionsEnded: result.sessionsEnded });
      return { ok: true as const, sessionsEnded: result.sessionsEnded };
    }),

  /** A one-time token that enrolls one new workstation into this org before it expires. */
  enrollmentToken: authorized('devices.manage')
    .input(enrollmentTokenInputSchema)
    .output(enrollmentTokenSchema)
    .mutation(async ({ ctx, input }) => {
      const { services, session } = ctx;
      const issued = await services.enrollmentTokens.issue({ tenantId: session.tenantId, ttlMinutes: input.ttlMinutes, createdBy: session.userId });
      ctx.audit.touched('enrollment_token', [issued.tokenId]);
      services.log({ level: 'info', event: 'enrollment_token_issued', tenantId: session.tenantId, tokenId: issued.tokenId });
      return { token: issued.token, expiresAt: issued.expiresAt.toISOString() };
    }),
});

export const adminRouter = router({ users: usersRouter, devices: devicesRouter });
