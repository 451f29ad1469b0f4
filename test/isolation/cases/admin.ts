import { uuidv7 } from '../../../shared/ids.ts';
import { signedIn } from '../../../sync-server/testing/harness.ts';
import type { CaseBuilder } from '../../support/attack-case.ts';
import { idOf, marker, valueOf, type AttackFixture } from '../../support/attack-fixture.ts';
import { noCrossOrgConflict, okOr } from './judges.ts';

/** admin.*: the org's users and workstations (users.manage, devices.manage). */
export const adminCases: Record<string, CaseBuilder> = {
  'admin.users.list': () => ({ role: 'org_admin', input: () => ({}), crossIds: [] }),

  'admin.users.create': (fx: AttackFixture) => {
    const bLogin = valueOf(fx, 'B.login');
    return {
      role: 'org_admin',
      input: () => ({ login: `new-${uuidv7().slice(-12)}`, password: 'correct-horse-battery', displayName: 'New Person', role: 'front_desk' }),
      crossIds: [],
      extra: [
        // Logins are unique per org: one taken only in B must be free in A (else A learns B has it).
        { kind: 'uniqueness-oracle', name: 'a login only B has', input: { login: bLogin, password: 'correct-horse-battery', displayName: 'Same Login', role: 'front_desk' }, expect: noCrossOrgConflict },
        { kind: 'role-escalation', name: 'org admin mints an IT admin', input: { login: `it-${uuidv7().slice(-12)}`, password: 'correct-horse-battery', displayName: 'Tech', role: 'it_admin' }, expect: 'FORBIDDEN' },
      ],
    };
  },

  'admin.users.grantRole': async ({ server, a, b }: AttackFixture) => {
    const { userId } = await server.admin.createUser({ tenantId: a.tenantId, username: `grantee-${uuidv7().slice(-8)}`, password: `pw-${uuidv7()}`, displayName: 'Grantee', role: 'front_desk' });
    return {
      role: 'org_admin',
      input: () => ({ userId, role: 'clinician' }),
      crossIds: [{ path: ['userId'], id: idOf(b, 'user') }],
      extra: [
        { kind: 'role-escalation', name: 'own role', input: { userId: a.users.org_admin.userId, role: 'clinician' }, expect: 'FORBIDDEN' },
        { kind: 'role-escalation', name: 'grant IT admin', input: { userId, role: 'it_admin' }, expect: 'FORBIDDEN' },
        { kind: 'role-escalation', name: "B's org admin demoted from A", input: { userId: b.users.org_admin.userId, role: 'front_desk' }, expect: 'NOT_FOUND' },
      ],
    };
  },

  'admin.users.unlock': async ({ server, a, b }: AttackFixture) => {
    const { userId } = await server.admin.createUser({ tenantId: a.tenantId, username: `lockee-${uuidv7().slice(-8)}`, password: `pw-${uuidv7()}`, displayName: 'Lockee', role: 'front_desk' });
    return {
      role: 'org_admin',
      input: () => ({ userId }),
      crossIds: [{ path: ['userId'], id: idOf(b, 'user') }],
      control: (data) => ((data as { ok?: unknown }).ok === true ? null : 'the unlock did not answer ok'),
      extra: [
        { kind: 'role-escalation', name: 'org admin unlocks an IT admin', input: { userId: a.users.it_admin.userId }, expect: 'FORBIDDEN' },
        { kind: 'cross-org-user', name: "B's front desk (its sign-in counter is planted)", input: { userId: b.users.front_desk.userId }, expect: 'NOT_FOUND' },
      ],
    };
  },

  'admin.devices.list': () => ({ role: 'it_admin', input: () => ({}), crossIds: [] }),

  'admin.devices.revoke': async ({ server, a, b }: AttackFixture) => {
    // A spare workstation of A's, so revoking it disturbs none of the attacking sessions.
    const desk = a.users.front_desk;
    const spare = await signedIn(server, { code: a.code, username: desk.username, password: desk.password });
    return {
      role: 'it_admin',
      input: () => ({ deviceId: spare.deviceId }),
      crossIds: [{ path: ['deviceId'], id: idOf(b, 'device') }],
      extra: [
        { kind: 'cross-org-device', name: "B's org admin's workstation", input: { deviceId: b.users.org_admin.deviceId }, expect: 'NOT_FOUND' },
        { kind: 'cross-org-device', name: 'the caller’s own workstation', input: { deviceId: a.users.it_admin.deviceId }, expect: 'CONFLICT' },
      ],
    };
  },

  'admin.devices.enrollmentToken': () => ({
    role: 'it_admin',
    input: () => ({ ttlMinutes: 30 }),
    crossIds: [],
    extra: [{ kind: 'cross-org-device', name: 'a tenantId naming another org', input: { ttlMinutes: 30, tenantId: marker('x') }, expect: okOr('VALIDATION') }],
  }),
};
