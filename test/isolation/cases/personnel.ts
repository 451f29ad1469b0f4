import type { CaseBuilder } from '../../support/attack-case.ts';
import { idOf, type AttackFixture } from '../../support/attack-fixture.ts';
import { newNpi } from '../planted-data.ts';
import { fresh, noCrossOrgConflict } from './judges.ts';

/** B's practitioner's NPI and licence number (planted markers). */
function bCredentials(b: AttackFixture['b']) {
  const npi = b.markers.find((m) => /^[0-9]{10}$/.test(m));
  const licence = b.markers.find((m) => m.startsWith('LIC-'));
  if (!npi || !licence) throw new Error("B's practitioner credentials were not planted");
  return { npi, licence };
}

/** personnel.*: staff, practitioners and licences. */
export const personnelCases: Record<string, CaseBuilder> = {
  'personnel.staff.list': () => ({ role: 'front_desk', input: () => ({ includeInactive: true, practitionersOnly: false }), crossIds: [] }),

  'personnel.staff.get': ({ a, b }: AttackFixture) => ({
    role: 'front_desk',
    input: () => ({ id: idOf(a, 'staff') }),
    crossIds: [{ path: ['id'], id: idOf(b, 'staff') }],
  }),

  'personnel.staff.create': ({ a, b }: AttackFixture) => ({
    role: 'org_admin',
    input: () => ({ displayName: `Nurse ${fresh()}`, jobTitle: 'Nurse practitioner', isPractitioner: true, npi: newNpi(), jobRoles: ['nurse_practitioner'], active: true, userId: null }),
    crossIds: [],
    variants: [
      {
        // Linked to one of A's users (the first call links it; later ones are CONFLICT, which
        // injection allows). B's user in userId must look exactly like a made-up user.
        input: () => ({ displayName: `Nurse ${fresh()}`, jobTitle: 'Nurse', isPractitioner: false, npi: null, jobRoles: ['nurse'], active: true, userId: a.users.clinician.userId }),
        crossIds: [{ path: ['userId'], id: idOf(b, 'user') }],
      },
    ],
    extra: [
      // NPIs are unique per org: B's practitioner's NPI must be accepted in A (else A learns B employs them).
      { kind: 'uniqueness-oracle', name: "the NPI of B's practitioner", input: { displayName: 'Same Npi', isPractitioner: true, npi: bCredentials(b).npi }, expect: noCrossOrgConflict },
    ],
  }),

  'personnel.staff.update': ({ a, b }: AttackFixture) => ({
    role: 'org_admin',
    input: () => ({ id: idOf(a, 'staff'), displayName: `Dr ${fresh()}`, jobTitle: `Physician ${fresh()}`, isPractitioner: true, npi: newNpi(), jobRoles: ['physician'], active: true, userId: a.users.org_admin.userId }),
    // B's user linked to A's staff record: answered as a made-up user is.
    crossIds: [
      { path: ['id'], id: idOf(b, 'staff') },
      { path: ['userId'], id: idOf(b, 'user') },
    ],
    extra: [{ kind: 'cross-org-write', name: "deactivate B's practitioner", input: { id: idOf(b, 'staff'), active: false }, expect: 'NOT_FOUND' }],
  }),

  'personnel.licences.list': ({ a, b }: AttackFixture) => ({
    role: 'front_desk',
    input: () => ({ staffId: idOf(a, 'staff') }),
    crossIds: [{ path: ['staffId'], id: idOf(b, 'staff') }],
  }),

  'personnel.licences.add': ({ a, b }: AttackFixture) => ({
    role: 'org_admin',
    input: () => ({ staffId: idOf(a, 'staff'), kind: 'dea', number: `DEA-${fresh()}`.toUpperCase(), jurisdiction: 'United States', expiresOn: '2032-06-30' }),
    crossIds: [{ path: ['staffId'], id: idOf(b, 'staff') }],
    extra: [
      { kind: 'uniqueness-oracle', name: "B's licence number on A's practitioner", input: { staffId: idOf(a, 'staff'), kind: 'state_licence', number: bCredentials(b).licence, jurisdiction: 'California', expiresOn: '2031-01-31' }, expect: noCrossOrgConflict },
    ],
  }),
};
