import type { CaseBuilder } from '../../support/attack-case.ts';
import { digits, idOf, valueOf, type AttackFixture } from '../../support/attack-fixture.ts';
import { emptyOrNotFound, noCrossOrgConflict, okOnly } from './judges.ts';

/** Linking answers failures like a missing patient, and slows and limits them (RATE_LIMITED). */
const LINK_REFUSALS = ['NOT_FOUND', 'CONFLICT', 'RATE_LIMITED'];

/** B's first patient's planted family name and national id (markers). */
function bPatient(fx: AttackFixture) {
  const familyName = fx.b.markers.find((m) => m.startsWith('Bfam'));
  if (!familyName) throw new Error("B's patient markers were not planted");
  return { familyName, nationalId: valueOf(fx, 'B.nationalId'), givenName: 'Testina', birthDate: '1980-02-03' };
}

/** patients.*: the org's own patients, identifiers, and linking on strong evidence. */
export const patientCases: Record<string, CaseBuilder> = {
  'patients.list': ({ a, b }: AttackFixture) => ({
    role: 'front_desk',
    input: () => ({ after: idOf(a, 'patient'), limit: 50 }),
    // `after` is a keyset position: any id is a valid position, B's too; the page holds A's patients only (leak check).
    crossIds: [{ path: ['after'], id: idOf(b, 'patient'), judge: okOnly }],
  }),

  'patients.get': ({ a, b, shared }: AttackFixture) => ({
    role: 'front_desk',
    input: () => ({ id: idOf(a, 'patient') }),
    crossIds: [{ path: ['id'], id: idOf(b, 'patient') }],
    extra: [
      // The shared patient: A sees the identity and its own MRN, never B's MRN or identifiers (leak check).
      { kind: 'shared-patient', name: 'the patient linked into both orgs', input: { id: shared.patient![0]! }, expect: okOnly },
    ],
  }),

  'patients.search': (fx: AttackFixture) => {
    const theirs = bPatient(fx);
    return {
      role: 'front_desk',
      input: () => ({ name: 'Testina Control', birthDate: '1980-02-03', mrn: 'A-CONTROL', phone: '555-0101', limit: 25 }),
      crossIds: [],
      extra: [
        { kind: 'cross-org-search', name: "B's patient's family name", input: { name: theirs.familyName }, expect: emptyOrNotFound },
        { kind: 'cross-org-search', name: "B's patient's MRN", input: { mrn: fx.b.markers.find((m) => m.startsWith('MRN-B')) ?? 'MRN-B' }, expect: emptyOrNotFound },
        { kind: 'cross-org-search', name: "B's patient's name prefix", input: { name: theirs.familyName.slice(0, 6) }, expect: emptyOrNotFound },
      ],
    };
  },

  'patients.identifiers.add': (fx: AttackFixture) => ({
    role: 'front_desk',
    input: () => ({ patientId: idOf(fx.a, 'patient', 1), system: 'passport', value: `P${digits(8)}` }),
    crossIds: [{ path: ['patientId'], id: idOf(fx.b, 'patient') }],
    extra: [
      // An identifier only B recorded must not be refused in A: that would tell A it exists elsewhere.
      { kind: 'uniqueness-oracle', name: "B's patient's national id on A's patient", input: { patientId: idOf(fx.a, 'patient', 1), system: 'national_id', value: bPatient(fx).nationalId }, expect: noCrossOrgConflict },
    ],
  }),

  'patients.linkExisting': (fx: AttackFixture) => {
    const theirs = bPatient(fx);
    return {
      role: 'front_desk',
      // The third org's patient, on strong evidence: a legitimate link.
      input: () => ({
        system: 'national_id',
        value: valueOf(fx, 'c.linkable.identifier'),
        givenName: valueOf(fx, 'c.linkable.givenName'),
        familyName: valueOf(fx, 'c.linkable.familyName'),
        birthDate: valueOf(fx, 'c.linkable.birthDate'),
        mrn: 'A-LINKED',
      }),
      crossIds: [],
      injectionCodes: LINK_REFUSALS,
      extra: [
        { kind: 'cross-org-link', name: "B's national id with the wrong names", input: { system: 'national_id', value: theirs.nationalId, givenName: 'Someone', familyName: 'Else', birthDate: theirs.birthDate, mrn: 'A-X1' }, expect: 'NOT_FOUND' },
        { kind: 'cross-org-link', name: "B's patient's names and birth date, no identifier match", input: { system: 'national_id', value: digits(9), givenName: theirs.givenName, familyName: theirs.familyName, birthDate: theirs.birthDate, mrn: 'A-X2' }, expect: 'NOT_FOUND' },
      ],
    };
  },

  'patients.linkByCode': (fx: AttackFixture) => ({
    role: 'front_desk',
    input: () => ({ code: valueOf(fx, 'c.linkCode'), birthDate: valueOf(fx, 'c.linkable.birthDate'), mrn: 'A-BYCODE' }),
    crossIds: [],
    injectionCodes: LINK_REFUSALS,
    extra: [
      { kind: 'cross-org-link', name: "B's link code with a wrong birth date", input: { code: valueOf(fx, 'B.linkCode'), birthDate: '1999-09-09', mrn: 'A-X3' }, expect: 'NOT_FOUND' },
      { kind: 'cross-org-link', name: 'a guessed code', input: { code: 'ZZZZ-ZZZZ-ZZZZ-ZZZZ', birthDate: '1980-02-03', mrn: 'A-X4' }, expect: 'NOT_FOUND' },
    ],
  }),

  'patients.linkCode.issue': ({ a, b }: AttackFixture) => ({
    role: 'front_desk',
    input: () => ({ patientId: idOf(a, 'patient', 1), ttlHours: 24 }),
    crossIds: [{ path: ['patientId'], id: idOf(b, 'patient', 1) }],
    extra: [{ kind: 'shared-patient', name: "a code for B's patient's identity through the shared link", input: { patientId: idOf(b, 'patient') }, expect: 'NOT_FOUND' }],
  }),
};
