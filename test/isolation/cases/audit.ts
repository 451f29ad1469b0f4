import type { CaseBuilder } from '../../support/attack-case.ts';
import { idOf, type AttackFixture } from '../../support/attack-fixture.ts';
import { onlyOwnEntries, succeeded } from './judges.ts';

/** audit.*: the org's own trail (audit.read). */
export const auditCases: Record<string, CaseBuilder> = {
  'audit.events.list': ({ a, b }: AttackFixture) => {
    const own = onlyOwnEntries(a);
    return {
      role: 'org_admin',
      input: () => ({
        limit: 50,
        action: 'auth.signIn',
        kind: 'mutation',
        outcome: 'ok',
        actorUserId: a.users.front_desk.userId,
        deviceId: a.users.front_desk.deviceId,
        entity: 'patient',
        entityId: idOf(a, 'patient'),
        from: '2020-01-01T00:00:00.000Z',
        to: '2100-01-01T00:00:00.000Z',
      }),
      control: (data) => own(succeeded(data)),
      // A's own trail legitimately lists ids A's users typed (its refused attempts included),
      // so an id filter is judged by "only A's entries", not by "same as an unknown id".
      crossIds: [
        { path: ['actorUserId'], id: idOf(b, 'user'), judge: own },
        { path: ['deviceId'], id: idOf(b, 'device'), judge: own },
        { path: ['entityId'], id: idOf(b, 'patient'), judge: own },
      ],
      extra: [
        { kind: 'cross-org-trail', name: 'the whole trail, no filter', input: { limit: 500 }, expect: own },
        { kind: 'cross-org-trail', name: 'refused entries (where cross-org attempts are filed)', input: { outcome: 'refused', limit: 500 }, expect: own },
        { kind: 'cross-org-trail', name: 'a tenantId filter naming B', input: { tenantId: b.tenantId }, expect: 'VALIDATION' },
        { kind: 'cross-org-trail', name: 'a cursor beyond the end of the trail', input: { before: 2 ** 40 }, expect: own },
      ],
    };
  },

  'audit.verify': ({ b }: AttackFixture) => ({
    role: 'org_admin',
    input: () => ({}),
    control: (data) => ((data as { ok?: unknown }).ok === true ? null : `A's chain does not verify: ${JSON.stringify(data).slice(0, 300)}`),
    crossIds: [],
    extra: [{ kind: 'cross-org-trail', name: 'a tenantId naming B', input: { tenantId: b.tenantId }, expect: 'VALIDATION' }],
  }),
};
