import { loginSchema } from '../../../shared/api/admin.ts';
import { AppError } from '../../../shared/errors.ts';
import { unlockMember } from '../../auth/sign-in-locks.ts';
import { auditedCommand, withAdminSession } from '../admin-session.ts';
import type { Command } from '../command.ts';
import { json } from '../output.ts';
import { requiredFlag, validFlag } from '../usage.ts';
import { resolveTenantRef, tenantRefFlag } from './tenant-ref.ts';

const noSuchMember = () => new AppError('NOT_FOUND', 'This organization has no user with that login.');

/**
 * The operator's path to what admin.users.unlock does, for an org whose every admin is
 * locked out. Audited as admin:user.unlock in the org's chain (the member's id, never the login).
 */
export const userUnlock: Command = {
  name: 'user unlock',
  summary: 'Let a member sign in again after too many failed sign-ins in a row locked them out.',
  help: `Usage: clinicsync-server user unlock --tenant CODE|ID --username LOGIN [--json]

  --tenant CODE|ID     the organization
  --username LOGIN     the member's sign-in name
  --json               print {tenantId, userId, wasLocked} as JSON

Resets the member's count of failed sign-ins in a row too, locked or not.`,
  flags: { tenant: { type: 'string' }, username: { type: 'string' }, json: { type: 'boolean' } },
  usesDatabase: true,
  run: async (values, io) => {
    const ref = tenantRefFlag(values, 'user unlock');
    const username = validFlag(loginSchema, requiredFlag(values, 'username', 'user unlock'), 'username');
    const result = await withAdminSession(values, io, async ({ core }) => {
      const tenantId = await resolveTenantRef(core, ref, { mustExist: true });
      return auditedCommand(core, 'user.unlock', tenantId, async (trail) => {
        const member = await core.services.accounts.memberByLogin(tenantId, username);
        if (!member) throw noSuchMember();
        trail.touched('user', [member.userId]);
        const unlocked = await unlockMember(core.services, tenantId, member, trail, 'operator');
        if (!unlocked) throw noSuchMember();
        return { tenantId, userId: member.userId, wasLocked: unlocked.wasLocked };
      });
    });
    io.out(
      values.json
        ? json(result)
        : result.wasLocked
          ? `Unlocked user ${result.userId}: they can sign in again.\n`
          : `User ${result.userId} was not locked; their count of failed sign-ins is reset.\n`,
    );
    return 0;
  },
};
