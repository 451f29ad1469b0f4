import type { CaseBuilder } from '../../support/attack-case.ts';
import { idOf, type AttackFixture } from '../../support/attack-fixture.ts';

/** A's answer holds an export manifest of A only (its own tenant id, nothing more is checked here: test/portability scans the files). */
const ownManifest = (a: AttackFixture['a']) => (data: unknown) => {
  const tenantId = (data as { manifest?: { extension?: { clinicsync?: { tenantId?: string } } } }).manifest?.extension?.clinicsync?.tenantId;
  return tenantId === a.tenantId ? null : `the export is not A's own: ${JSON.stringify(data).slice(0, 200)}`;
};

/** exports.*: the org's data export (org admins only); ids of B's exports read like unknown ones. */
export const exportsCases: Record<string, CaseBuilder> = {
  'exports.create': ({ a, b }: AttackFixture) => ({
    role: 'org_admin',
    input: () => ({}),
    control: ownManifest(a),
    crossIds: [],
    extra: [{ kind: 'cross-org-trail', name: 'a tenantId naming B', input: { tenantId: b.tenantId }, expect: 'VALIDATION' }],
  }),

  'exports.readFile': ({ a, b }: AttackFixture) => ({
    role: 'org_admin',
    input: () => ({ exportId: idOf(a, 'export'), file: 'Patient.ndjson', offset: 0 }),
    crossIds: [{ path: ['exportId'], id: idOf(b, 'export') }],
    extra: [
      { kind: 'path-traversal', name: 'a file outside the export', input: { exportId: idOf(a, 'export'), file: '../manifest.json' }, expect: 'VALIDATION' },
      { kind: 'path-traversal', name: "B's export folder by relative path", input: { exportId: idOf(a, 'export'), file: `../../${b.tenantId}/manifest.json` }, expect: 'VALIDATION' },
    ],
  }),

  // Idempotent ({ removed: false } for an unknown id), so B's id is answered like a made-up one; A's second export is the one removed.
  'exports.remove': ({ a, b }: AttackFixture) => ({
    role: 'org_admin',
    input: () => ({ exportId: idOf(a, 'export', 1) }),
    crossIds: [{ path: ['exportId'], id: idOf(b, 'export', 1) }],
  }),
};
