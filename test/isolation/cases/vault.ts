import type { CaseBuilder } from '../../support/attack-case.ts';
import { idOf, type AttackFixture } from '../../support/attack-fixture.ts';
import { fresh, noCrossOrgConflict } from './judges.ts';

/** B's first credential's label (a planted marker). */
const bLabel = (b: AttackFixture['b']) => b.markers.find((m) => m.startsWith('Portal ')) ?? 'Portal';

/** vault.*: the org's payer-portal and EHR-integration credentials (org admins only). */
export const vaultCases: Record<string, CaseBuilder> = {
  'vault.list': () => ({ role: 'org_admin', input: () => ({ kind: 'payer_portal' }), crossIds: [] }),

  'vault.store': ({ a, b }: AttackFixture) => ({
    role: 'org_admin',
    input: () => ({ id: idOf(a, 'vaultSecret'), kind: 'payer_portal', label: `Portal ${fresh()}`, endpoint: 'https://portal.example/a', username: `svc-${fresh()}`, secret: `s-${fresh()}` }),
    // Replacing B's credential by its id: answered as a made-up id is, B's unchanged (fingerprint).
    crossIds: [{ path: ['id'], id: idOf(b, 'vaultSecret') }],
    extra: [
      // Labels are unique per org: B's label must be free in A (else A learns B's integrations).
      { kind: 'uniqueness-oracle', name: "a new credential with B's label", input: { kind: 'payer_portal', label: bLabel(b), secret: 'x' }, expect: noCrossOrgConflict },
    ],
  }),

  'vault.reveal': ({ a, b }: AttackFixture) => ({
    role: 'org_admin',
    input: () => ({ id: idOf(a, 'vaultSecret') }),
    crossIds: [{ path: ['id'], id: idOf(b, 'vaultSecret') }],
  }),

  // The second credential: deleting the first would leave store and reveal nothing of A's to act on.
  'vault.delete': ({ a, b }: AttackFixture) => ({
    role: 'org_admin',
    input: () => ({ id: idOf(a, 'vaultSecret', 1) }),
    crossIds: [{ path: ['id'], id: idOf(b, 'vaultSecret', 1) }],
  }),

  'vault.rotateKey': () => ({ role: 'org_admin', input: () => ({}), crossIds: [] }),
};
