import { displayNameSchema, loginSchema, roleSchema } from '../../../shared/api/admin.ts';
import { ROLES } from '../../../shared/sync/auth.ts';
import { withAdminSession } from '../admin-session.ts';
import type { Command } from '../command.ts';
import { json, keyValues } from '../output.ts';
import { newPassword, PASSWORD_HELP } from '../password.ts';
import { requiredFlag, stringFlag, validFlag } from '../usage.ts';
import { resolveTenantRef, tenantRefFlag } from './tenant-ref.ts';

const ROLE_LIST = ROLES.join(', ');

// createUser and grantRole record their own audit entries (admin:user.create,
// admin:user.grant) in the org's chain, so these commands do not wrap them again.

export const userCreate: Command = {
  name: 'user create',
  summary: "Create a user in an organization (in the org's sign-in namespace).",
  help: `Usage: clinicsync-server user create --tenant CODE|ID --username LOGIN --display-name NAME --role ROLE
                                   (--password-stdin | $CLINICSYNC_NEW_USER_PASSWORD) [--json]

  --tenant CODE|ID     the organization
  --username LOGIN     the sign-in name or email (stored lower-case)
  --display-name NAME  how the user is shown
  --role ROLE          one of ${ROLE_LIST}
${PASSWORD_HELP}
  --json               print {tenantId, userId, username, role} as JSON`,
  flags: {
    tenant: { type: 'string' },
    username: { type: 'string' },
    'display-name': { type: 'string' },
    role: { type: 'string' },
    'password-stdin': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  usesDatabase: true,
  run: async (values, io) => {
    const ref = tenantRefFlag(values, 'user create');
    const username = validFlag(loginSchema, requiredFlag(values, 'username', 'user create'), 'username');
    const displayName = validFlag(displayNameSchema, requiredFlag(values, 'display-name', 'user create'), 'display-name', { echo: false });
    const role = validFlag(roleSchema, requiredFlag(values, 'role', 'user create'), 'role');
    const password = await newPassword(values, io, 'user create');
    const created = await withAdminSession(values, io, async ({ core }) => {
      const tenantId = await resolveTenantRef(core, ref);
      const { userId } = await core.admin.createUser({ tenantId, username, password, displayName, role });
      return { tenantId, userId, username, role };
    });
    io.out(values.json ? json(created) : `Created user "${created.username}" (${created.role}), id ${created.userId}.\n`);
    return 0;
  },
};

export const userGrant: Command = {
  name: 'user grant',
  summary: "Set a member's role; or add a shared-namespace account of another org as a member.",
  help: `Usage: clinicsync-server user grant --tenant CODE|ID --username LOGIN --role ROLE [--from-org CODE|ID] [--json]

  --tenant CODE|ID     the organization
  --username LOGIN     the user's sign-in name
  --role ROLE          one of ${ROLE_LIST}
  --from-org CODE|ID   when adding a shared account that several orgs' users share a login
                       with: the org whose account is meant
  --json               print {tenantId, userId, role, added} as JSON`,
  flags: { tenant: { type: 'string' }, username: { type: 'string' }, role: { type: 'string' }, 'from-org': { type: 'string' }, json: { type: 'boolean' } },
  usesDatabase: true,
  run: async (values, io) => {
    const ref = tenantRefFlag(values, 'user grant');
    const username = validFlag(loginSchema, requiredFlag(values, 'username', 'user grant'), 'username');
    const role = validFlag(roleSchema, requiredFlag(values, 'role', 'user grant'), 'role');
    const fromOrg = stringFlag(values, 'from-org') === undefined ? undefined : tenantRefFlag(values, 'user grant', 'from-org');
    const result = await withAdminSession(values, io, async ({ core }) => {
      const tenantId = await resolveTenantRef(core, ref);
      const from = fromOrg === undefined ? {} : { fromOrg: 'id' in fromOrg ? fromOrg.id : fromOrg.code };
      return { tenantId, ...(await core.admin.grantRole({ tenantId, username, role, ...from })) };
    });
    io.out(values.json ? json(result) : keyValues(result));
    return 0;
  },
};
