import { uuidv7 } from '../../../shared/ids.ts';
import { PROTOCOL_VERSION } from '../../../shared/sync/version.ts';
import type { CaseBuilder } from '../../support/attack-case.ts';
import { idOf, valueOf, type AttackFixture } from '../../support/attack-fixture.ts';
import { okOnly, okOr } from './judges.ts';

const v = PROTOCOL_VERSION;

export const authCases: Record<string, CaseBuilder> = {
  health: ({ a, b }: AttackFixture) => ({
    public: true,
    input: () => undefined,
    control: (data) => (JSON.stringify(Object.keys(data as object).sort()) === '["protocolVersion","status"]' ? null : `health says more than status and protocol: ${JSON.stringify(data)}`),
    extra: [
      { kind: 'forged-headers', name: "B's org with A's token", headers: { 'x-tenant-id': b.tenantId, authorization: `Bearer ${a.users.front_desk.session.token}` }, input: undefined, expect: okOnly },
      { kind: 'forged-headers', name: 'SQL in the org header', headers: { 'x-tenant-id': "' OR 1=1 --" } as Record<string, string>, input: undefined, expect: okOnly },
    ],
  }),

  'auth.signIn': (fx: AttackFixture) => {
    const { a, b } = fx;
    const desk = a.users.front_desk;
    const signIn = (org: string, username: string, password: string) => ({ protocolVersion: v, org, username, password, deviceId: uuidv7(), deviceName: 'Desk 1' });
    // A's workstation enrolled with a token (planted), signing in with its device credential.
    const enrolled = (org: string, username: string, password: string, deviceId: string, deviceCredential: string) => ({ ...signIn(org, username, password), deviceId, deviceCredential });
    const aEnrolled = idOf(a, 'enrolledDevice');
    const bEnrolled = idOf(b, 'enrolledDevice');
    return {
      public: true,
      input: () => enrolled(a.code, desk.username, desk.password, aEnrolled, valueOf(fx, 'A.deviceCredential')),
      injectionCodes: ['INVALID_CREDENTIALS'],
      extra: [
        { kind: 'cross-org-credentials', name: "B's code with A's username and password", input: signIn(b.code, desk.username, desk.password), expect: 'INVALID_CREDENTIALS' },
        { kind: 'cross-org-credentials', name: "A's code with B's password", input: signIn(a.code, desk.username, b.users.front_desk.password), expect: 'INVALID_CREDENTIALS' },
        { kind: 'cross-org-credentials', name: "B's code with A's org admin", input: signIn(b.code, a.users.org_admin.username, a.users.org_admin.password), expect: 'INVALID_CREDENTIALS' },
        { kind: 'cross-org-credentials', name: "B's tenant id as the org", input: signIn(b.tenantId, desk.username, b.users.front_desk.password), expect: (o) => (o.appCode === 'VALIDATION' || o.appCode === 'INVALID_CREDENTIALS' ? null : `got ${o.ok ? 'a session' : o.appCode}`) },
        { kind: 'cross-org-credentials', name: 'an org code that does not exist', input: signIn(`zz-${uuidv7().slice(-8)}`, desk.username, desk.password), expect: 'INVALID_CREDENTIALS' },
        { kind: 'cross-org-credentials', name: "B's code, unknown user", input: signIn(b.code, 'nobody', 'whatever-password'), expect: 'INVALID_CREDENTIALS' },
        { kind: 'cross-org-credentials', name: 'SQL in the org code', input: signIn("' or 1=1 --", desk.username, desk.password), expect: 'VALIDATION' },
        { kind: 'cross-org-credentials', name: "SQL in the username, with B's code", input: signIn(b.code, "frontdesk' --", 'x'), expect: 'INVALID_CREDENTIALS' },
        { kind: 'cross-org-credentials', name: "B's device id with A's credentials", input: { ...signIn(a.code, desk.username, desk.password), deviceId: b.users.it_admin.deviceId }, expect: okOr('INVALID_CREDENTIALS') },
        {
          kind: 'cross-org-device-credential',
          name: "A's enrolled workstation with B's device credential",
          input: enrolled(a.code, desk.username, desk.password, aEnrolled, valueOf(fx, 'B.deviceCredential')),
          expect: 'INVALID_CREDENTIALS',
        },
        {
          kind: 'cross-org-device-credential',
          name: "A's enrolled workstation without its credential",
          input: { ...signIn(a.code, desk.username, desk.password), deviceId: aEnrolled },
          expect: 'INVALID_CREDENTIALS',
        },
        {
          kind: 'cross-org-device-credential',
          name: "B's enrolled workstation with A's password and A's device credential",
          input: enrolled(b.code, desk.username, desk.password, bEnrolled, valueOf(fx, 'A.deviceCredential')),
          expect: 'INVALID_CREDENTIALS',
        },
        {
          kind: 'cross-org-device-credential',
          name: "B's enrolled workstation with B's credential but A's password",
          input: enrolled(b.code, desk.username, desk.password, bEnrolled, valueOf(fx, 'B.deviceCredential')),
          expect: 'INVALID_CREDENTIALS',
        },
      ],
    };
  },

  'auth.signOut': () => ({
    role: 'front_desk',
    consumesSession: true,
    input: () => ({}),
    crossIds: [],
  }),

  'auth.myOrgs': ({ b }: AttackFixture) => ({
    role: 'front_desk',
    input: () => ({}),
    control: (data) => {
      const orgs = (data as { orgs: { code: string }[] }).orgs;
      return orgs.some((org) => org.code === b.code) ? "B's org is listed among A's user's orgs" : null;
    },
    crossIds: [],
  }),

  'auth.switchOrg': (fx: AttackFixture) => ({
    role: 'front_desk',
    // A's front desk is also a member of the third org C (planted): switching there is legitimate.
    input: () => ({ org: valueOf(fx, 'c.code') }),
    control: (data) => ((data as { tenantId: string }).tenantId === fx.b.tenantId ? 'switched into B' : null),
    crossIds: [],
    extra: [
      { kind: 'cross-org-switch', name: "into B (not a member)", input: { org: fx.b.code }, expect: 'NOT_FOUND' },
      { kind: 'cross-org-switch', name: 'into an org that does not exist', input: { org: `zz-${uuidv7().slice(-8)}` }, expect: 'NOT_FOUND' },
      { kind: 'cross-org-switch', name: "A's clinician into C (not a member there)", as: { org: 'A', role: 'clinician' }, input: { org: valueOf(fx, 'c.code') }, expect: 'NOT_FOUND' },
      { kind: 'cross-org-switch', name: "B's tenant id as the org", input: { org: fx.b.tenantId }, expect: (o) => (o.appCode === 'NOT_FOUND' || o.appCode === 'VALIDATION' ? null : `got ${o.ok ? 'a session' : o.appCode}`) },
    ],
  }),
};
