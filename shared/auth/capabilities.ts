import type { Role } from '../sync/auth.ts';

/**
 * Minimum necessary access (HIPAA §164.502(b)): what each role may do, in one table.
 * Every server procedure declares the one capability it needs (sync-server/api/trpc.ts
 * `authorized`), a test fails on a procedure that declares none, and the README's
 * roles × capabilities table is checked against this file.
 */
export const CAPABILITIES = {
  'session.own': 'sign out, see and switch one’s own organizations',
  'sync.exchange': 'run the sync protocol (each entity and domain is checked again)',
  'patients.read': 'see demographics and the org’s MRN',
  'patients.write': 'register patients and edit demographics',
  'patients.link': 'link an existing patient identity into the org (strong match only)',
  'schedule.read': 'see locations, practitioner schedules and appointments',
  'schedule.write': 'book, reschedule, cancel, check in; edit locations and schedules',
  'encounters.read': 'see encounters (dates, status, practitioner; no note contents)',
  'encounters.write': 'open and close encounters',
  'notes.read': 'read clinical note contents',
  'notes.write': 'write and amend clinical notes',
  'notes.sign': 'sign clinical notes',
  'orders.read': 'see orders',
  'orders.write': 'place orders and change their status',
  'personnel.read': 'see staff and practitioners',
  'personnel.write': 'edit staff, practitioners and licences',
  'configuration.read': 'see the practice profile and non-secret settings',
  'configuration.write': 'edit the practice profile, payer contracts and agent configuration',
  'audit.read': 'read the org’s audit trail and verify its hash chain',
  'users.manage': 'create users and grant roles in the org',
  'devices.manage': 'enroll, list and revoke the org’s workstations',
  'vault.manage': 'store, list, reveal and delete the org’s payer-portal and EHR-integration credentials; rotate its vault key',
  'data.export': 'export all of the org’s data (FHIR R4 with note contents, set-up, audit trail)',
} as const;

export type Capability = keyof typeof CAPABILITIES;

export const CAPABILITY_NAMES = Object.keys(CAPABILITIES) as Capability[];

export const ROLE_CAPABILITIES: Record<Role, readonly Capability[]> = {
  front_desk: [
    'session.own', 'sync.exchange',
    'patients.read', 'patients.write', 'patients.link',
    'schedule.read', 'schedule.write',
    'encounters.read', 'encounters.write',
    'personnel.read', 'configuration.read',
  ],
  clinician: [
    'session.own', 'sync.exchange',
    'patients.read', 'patients.write',
    'schedule.read',
    'encounters.read', 'encounters.write',
    'notes.read', 'notes.write', 'notes.sign',
    'orders.read', 'orders.write',
    'personnel.read', 'configuration.read',
  ],
  org_admin: [
    'session.own', 'sync.exchange',
    'patients.read',
    'schedule.read', 'schedule.write',
    'personnel.read', 'personnel.write',
    'configuration.read', 'configuration.write',
    'audit.read', 'users.manage', 'vault.manage', 'data.export',
  ],
  it_admin: ['session.own', 'configuration.read', 'audit.read', 'users.manage', 'devices.manage'],
};

export function roleCan(role: Role, capability: Capability): boolean {
  return ROLE_CAPABILITIES[role].includes(capability);
}

/** The README's table, rendered from ROLE_CAPABILITIES (a test compares the two). */
export function renderCapabilityTable(roles: readonly Role[]): string {
  const header = `| capability | ${roles.join(' | ')} |`;
  const rule = `|---|${roles.map(() => ':-:').join('|')}|`;
  const rows = CAPABILITY_NAMES.map(
    (capability) => `| \`${capability}\` — ${CAPABILITIES[capability]} | ${roles.map((role) => (roleCan(role, capability) ? '✓' : '')).join(' | ')} |`,
  );
  return [header, rule, ...rows].join('\n');
}
