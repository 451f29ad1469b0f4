import { orgPolicySchema, type OrgPolicy } from '../../../shared/sync/auth.ts';
import type { TenantPolicyChange } from '../../domains/tenant_info/tenants.ts';
import { withAdminSession } from '../admin-session.ts';
import type { Command } from '../command.ts';
import { json, keyValues } from '../output.ts';
import { integerFlag, oneOf, stringFlag, UsageError } from '../usage.ts';
import { resolveTenantRef, tenantRefFlag } from './tenant-ref.ts';

/** Each number flag, the policy value it sets, and its bounds (read from the shared schema, so they cannot drift). */
const NUMBER_FLAGS: readonly [flag: string, key: keyof OrgPolicy, what: string][] = [
  ['offline-days', 'offlineUnlockDays', 'days a user may unlock offline after the last online sign-in'],
  ['idle-minutes', 'idleLockMinutes', 'idle minutes before the screen locks'],
  ['max-failures', 'maxUnlockFailures', 'wrong passwords before a user is locked out'],
  ['lockout-minutes', 'lockoutMinutes', 'how long a lockout lasts'],
  ['break-glass-minutes', 'breakGlassMinutes', 'how long an emergency unlock lasts'],
];

function boundsOf(key: keyof OrgPolicy): { min: number; max: number } {
  const field = orgPolicySchema.shape[key];
  return { min: field.minValue ?? 0, max: field.maxValue ?? Number.MAX_SAFE_INTEGER };
}

const help = `Usage: clinicsync-server tenant set-policy --tenant CODE|ID [--offline-days N] [--idle-minutes N]
                                         [--max-failures N] [--lockout-minutes N]
                                         [--break-glass-minutes N] [--require-enrollment yes|no] [--json]

  --tenant CODE|ID          the organization
${NUMBER_FLAGS.map(([flag, key, what]) => {
  const { min, max } = boundsOf(key);
  return `  --${`${flag} N`.padEnd(24)}${what} (${min}-${max})`;
}).join('\n')}
  --require-enrollment yes|no
                            yes: only workstations enrolled with "device enroll-token" may sign in
  --json                    print the whole policy as JSON

Changes only the values given and prints the whole policy. Workstations receive it with
their next session; until then they keep applying the one they have.`;

export const tenantSetPolicy: Command = {
  name: 'tenant set-policy',
  summary: "Change an organization's workstation policy (offline unlock, idle lock, lockout, break-glass, enrollment).",
  help,
  flags: {
    tenant: { type: 'string' },
    ...Object.fromEntries(NUMBER_FLAGS.map(([flag]) => [flag, { type: 'string' as const }])),
    'require-enrollment': { type: 'string' },
    json: { type: 'boolean' },
  },
  usesDatabase: true,
  run: async (values, io) => {
    const ref = tenantRefFlag(values, 'tenant set-policy');
    const change: TenantPolicyChange = {};
    for (const [flag, key] of NUMBER_FLAGS) {
      const value = stringFlag(values, flag);
      if (value !== undefined) change[key] = integerFlag(value, flag, boundsOf(key));
    }
    const enrollment = stringFlag(values, 'require-enrollment');
    if (enrollment !== undefined) change.requireEnrolledDevices = oneOf(enrollment, ['yes', 'no'] as const, 'require-enrollment') === 'yes';
    if (Object.keys(change).length === 0) {
      throw new UsageError(`"tenant set-policy" needs at least one value to change (--${NUMBER_FLAGS.map(([flag]) => flag).join(', --')} or --require-enrollment).`);
    }
    // The directory admin records its own audit entry (admin:tenant.set-policy) in the org's chain.
    const result = await withAdminSession(values, io, async ({ core }) => core.admin.setPolicy({ tenantId: await resolveTenantRef(core, ref), change }));
    io.out(values.json ? json(result) : keyValues({ ...result.policy, requireEnrolledDevices: result.requireEnrolledDevices }));
    return 0;
  },
};
