import { ENROLLMENT_TTL_MINUTES } from '../../../shared/api/admin.ts';
import { idSchema } from '../../../shared/ids.ts';
import { withAdminSession } from '../admin-session.ts';
import type { Command } from '../command.ts';
import { json, table } from '../output.ts';
import { integerFlag, requiredFlag, stringFlag, validFlag } from '../usage.ts';
import { resolveTenantRef, tenantRefFlag } from './tenant-ref.ts';

// The directory admin records its own audit entries (admin:device.enroll-token,
// admin:device.list, admin:device.revoke) in the org's chain.

export const deviceEnrollToken: Command = {
  name: 'device enroll-token',
  summary: 'Issue a one-time token that enrolls one workstation into an organization.',
  help: `Usage: clinicsync-server device enroll-token --tenant CODE|ID [--ttl-minutes N] [--json]

  --tenant CODE|ID   the organization
  --ttl-minutes N    how long the token is valid (${ENROLLMENT_TTL_MINUTES.min}-${ENROLLMENT_TTL_MINUTES.max}, default ${ENROLLMENT_TTL_MINUTES.default})
  --json             print {token, expiresAt} as JSON

The token is shown once and only its hash is stored; hand it to the workstation directly.`,
  flags: { tenant: { type: 'string' }, 'ttl-minutes': { type: 'string' }, json: { type: 'boolean' } },
  usesDatabase: true,
  run: async (values, io) => {
    const ref = tenantRefFlag(values, 'device enroll-token');
    const ttl = stringFlag(values, 'ttl-minutes');
    const ttlMinutes = ttl === undefined ? ENROLLMENT_TTL_MINUTES.default : integerFlag(ttl, 'ttl-minutes', ENROLLMENT_TTL_MINUTES);
    const issued = await withAdminSession(values, io, async ({ core }) =>
      core.admin.issueEnrollmentToken({ tenantId: await resolveTenantRef(core, ref), ttlMinutes }),
    );
    io.out(values.json ? json(issued) : `Enrollment token (one use, valid until ${issued.expiresAt}):\n${issued.token}\n`);
    return 0;
  },
};

export const deviceList: Command = {
  name: 'device list',
  summary: "List an organization's workstations.",
  help: `Usage: clinicsync-server device list --tenant CODE|ID [--json]

  --tenant CODE|ID   the organization
  --json             print the list as a JSON array`,
  flags: { tenant: { type: 'string' }, json: { type: 'boolean' } },
  usesDatabase: true,
  run: async (values, io) => {
    const ref = tenantRefFlag(values, 'device list');
    const devices = await withAdminSession(values, io, async ({ core }) => core.admin.listDevices(await resolveTenantRef(core, ref)));
    io.out(values.json ? json(devices) : table(devices, ['deviceId', 'name', 'enrolledVia', 'enrolledAt', 'lastSeenAt', 'revokedAt', 'wipedAt', 'wipeReason'], 'No workstations yet.'));
    return 0;
  },
};

export const deviceRevoke: Command = {
  name: 'device revoke',
  summary: 'Revoke a workstation (lost or stolen) and end its sessions now.',
  help: `Usage: clinicsync-server device revoke --tenant CODE|ID --device ID [--json]

  --tenant CODE|ID   the organization
  --device ID        the workstation's id (see "device list")
  --json             print {sessionsEnded} as JSON`,
  flags: { tenant: { type: 'string' }, device: { type: 'string' }, json: { type: 'boolean' } },
  usesDatabase: true,
  run: async (values, io) => {
    const ref = tenantRefFlag(values, 'device revoke');
    const deviceId = validFlag(idSchema, requiredFlag(values, 'device', 'device revoke'), 'device');
    const result = await withAdminSession(values, io, async ({ core }) =>
      core.admin.revokeDevice({ tenantId: await resolveTenantRef(core, ref), deviceId }),
    );
    io.out(values.json ? json(result) : `Revoked workstation ${deviceId}; ${result.sessionsEnded} session(s) ended.\n`);
    return 0;
  },
};
