import type { CaseBuilder } from '../../support/attack-case.ts';
import { idOf, type AttackFixture, type AttackOrg } from '../../support/attack-fixture.ts';
import { emptyOrNotFound, nextSlot, okOnly } from './judges.ts';

/** B's encounter on the patient linked into both orgs (planted second): never A's to see through that patient. */
const bSharedEncounter = (b: AttackOrg) => idOf(b, 'encounter', 1);

async function openEncounter(a: AttackOrg): Promise<string> {
  return (await a.users.clinician.client.clinical.encounters.open.mutate({ patientId: idOf(a, 'patient'), appointmentId: null, practitionerId: idOf(a, 'staff') })).id;
}

async function draftNote(a: AttackOrg): Promise<string> {
  return (await a.users.clinician.client.clinical.notes.createDraft.mutate({ encounterId: idOf(a, 'encounter'), kind: 'progress', body: 'Draft for the attack run' })).id;
}

/** clinical.*: encounters (front desk may see and open them), notes and orders (clinicians). */
export const clinicalCases: Record<string, CaseBuilder> = {
  'clinical.encounters.list': ({ a, b, shared }: AttackFixture) => ({
    role: 'front_desk',
    input: () => ({ patientId: idOf(a, 'patient'), status: 'open', limit: 100 }),
    crossIds: [{ path: ['patientId'], id: idOf(b, 'patient') }],
    extra: [{ kind: 'shared-patient', name: "the shared patient's encounters (B's must not show)", input: { patientId: shared.patient![0]! }, expect: okOnly }],
  }),

  'clinical.encounters.get': ({ a, b }: AttackFixture) => ({
    role: 'front_desk',
    input: () => ({ id: idOf(a, 'encounter') }),
    crossIds: [{ path: ['id'], id: idOf(b, 'encounter') }],
    extra: [{ kind: 'shared-patient', name: "B's encounter on the shared patient", input: { id: bSharedEncounter(b) }, expect: 'NOT_FOUND' }],
  }),

  'clinical.encounters.open': async ({ a, b, shared }: AttackFixture) => {
    const appointmentId = (await a.users.front_desk.client.scheduling.appointments.book.mutate({ patientId: idOf(a, 'patient'), practitionerId: idOf(a, 'staff'), locationId: idOf(a, 'location'), ...nextSlot(), reason: 'Visit', practitionerName: 'Dr Own' })).id;
    return {
      role: 'front_desk',
      input: () => ({ patientId: idOf(a, 'patient'), appointmentId, practitionerId: idOf(a, 'staff'), startedAt: '2024-05-07T08:00:00.000Z' }),
      crossIds: [
        { path: ['patientId'], id: idOf(b, 'patient') },
        { path: ['appointmentId'], id: idOf(b, 'deskAppointment') },
        { path: ['practitionerId'], id: idOf(b, 'staff') },
      ],
      extra: [
        { kind: 'shared-patient', name: "the shared patient with B's appointment", input: { patientId: shared.patient![0]!, appointmentId: idOf(b, 'appointment', 2), practitionerId: null }, expect: 'NOT_FOUND' },
      ],
    };
  },

  'clinical.encounters.close': async ({ a, b }: AttackFixture) => {
    const id = await openEncounter(a);
    return {
      role: 'front_desk',
      input: () => ({ id, endedAt: new Date().toISOString() }),
      crossIds: [{ path: ['id'], id: idOf(b, 'encounter') }],
      extra: [{ kind: 'shared-patient', name: "B's encounter on the shared patient", input: { id: bSharedEncounter(b) }, expect: 'NOT_FOUND' }],
    };
  },

  'clinical.notes.list': ({ a, b, shared }: AttackFixture) => ({
    role: 'clinician',
    input: () => ({ encounterId: idOf(a, 'encounter'), limit: 100 }),
    crossIds: [{ path: ['encounterId'], id: idOf(b, 'encounter') }],
    // Either an encounter or a patient's chart, never both.
    variants: [{ input: () => ({ patientId: idOf(a, 'patient'), limit: 100 }), crossIds: [{ path: ['patientId'], id: idOf(b, 'patient') }] }],
    extra: [
      { kind: 'shared-patient', name: "the shared patient's chart (B's notes must not show)", input: { patientId: shared.patient![0]! }, expect: okOnly },
      { kind: 'cross-org-read', name: "B's patient's chart", input: { patientId: idOf(b, 'patient') }, expect: emptyOrNotFound },
    ],
  }),

  'clinical.notes.get': ({ a, b }: AttackFixture) => ({
    role: 'clinician',
    input: () => ({ id: idOf(a, 'note') }),
    crossIds: [{ path: ['id'], id: idOf(b, 'note') }],
    extra: [
      { kind: 'cross-org-read', name: "B's draft note", input: { id: idOf(b, 'draftNote') }, expect: 'NOT_FOUND' },
      { kind: 'shared-patient', name: "B's note on the shared patient", input: { id: idOf(b, 'note', 1) }, expect: 'NOT_FOUND' },
    ],
  }),

  'clinical.notes.createDraft': ({ a, b }: AttackFixture) => ({
    role: 'clinician',
    input: () => ({ encounterId: idOf(a, 'encounter'), kind: 'progress', body: 'Patient seen, plan discussed.' }),
    crossIds: [{ path: ['encounterId'], id: idOf(b, 'encounter') }],
    extra: [{ kind: 'shared-patient', name: "a note on B's encounter of the shared patient", input: { encounterId: bSharedEncounter(b), kind: 'progress', body: 'Injected' }, expect: 'NOT_FOUND' }],
  }),

  'clinical.notes.updateDraft': async ({ a, b }: AttackFixture) => {
    const id = await draftNote(a);
    return {
      role: 'clinician',
      input: () => ({ id, kind: 'soap', body: 'Updated text' }),
      crossIds: [{ path: ['id'], id: idOf(b, 'draftNote') }],
      extra: [{ kind: 'cross-org-write', name: "B's signed note", input: { id: idOf(b, 'note'), body: 'Rewritten' }, expect: 'NOT_FOUND' }],
    };
  },

  'clinical.notes.sign': async ({ a, b }: AttackFixture) => {
    const id = await draftNote(a);
    return {
      role: 'clinician',
      input: () => ({ id }),
      crossIds: [{ path: ['id'], id: idOf(b, 'draftNote') }],
      extra: [{ kind: 'cross-org-write', name: "B's draft on the shared patient", input: { id: idOf(b, 'draftNote', 1) }, expect: 'NOT_FOUND' }],
    };
  },

  'clinical.notes.amend': ({ a, b }: AttackFixture) => ({
    role: 'clinician',
    input: () => ({ noteId: idOf(a, 'note'), body: 'Addendum: result reviewed.', kind: 'other' }),
    crossIds: [{ path: ['noteId'], id: idOf(b, 'note') }],
    extra: [{ kind: 'shared-patient', name: "B's signed note on the shared patient", input: { noteId: idOf(b, 'note', 1), body: 'Amended by A' }, expect: 'NOT_FOUND' }],
  }),

  'clinical.orders.list': ({ a, b, shared }: AttackFixture) => ({
    role: 'clinician',
    input: () => ({ encounterId: idOf(a, 'encounter'), status: 'active', limit: 100 }),
    crossIds: [{ path: ['encounterId'], id: idOf(b, 'encounter') }],
    variants: [{ input: () => ({ patientId: idOf(a, 'patient'), status: 'active', limit: 100 }), crossIds: [{ path: ['patientId'], id: idOf(b, 'patient') }] }],
    extra: [{ kind: 'shared-patient', name: "the shared patient's orders (B's must not show)", input: { patientId: shared.patient![0]! }, expect: okOnly }],
  }),

  'clinical.orders.get': ({ a, b }: AttackFixture) => ({
    role: 'clinician',
    input: () => ({ id: idOf(a, 'order') }),
    crossIds: [{ path: ['id'], id: idOf(b, 'order') }],
  }),

  'clinical.orders.place': ({ a, b }: AttackFixture) => ({
    role: 'clinician',
    input: () => ({ encounterId: idOf(a, 'encounter'), kind: 'lab', code: '80053', description: 'Metabolic panel', status: 'draft' }),
    crossIds: [{ path: ['encounterId'], id: idOf(b, 'encounter') }],
    extra: [{ kind: 'shared-patient', name: "an order on B's encounter of the shared patient", input: { encounterId: bSharedEncounter(b), kind: 'lab', code: '80053', description: 'Injected' }, expect: 'NOT_FOUND' }],
  }),

  'clinical.orders.transition': async ({ a, b }: AttackFixture) => {
    const { id } = await a.users.clinician.client.clinical.orders.place.mutate({ encounterId: idOf(a, 'encounter'), kind: 'imaging', code: '71045', description: 'Chest X-ray', status: 'active' });
    return {
      role: 'clinician',
      input: () => ({ id, to: 'on_hold', reason: 'Waiting for consent' }),
      crossIds: [{ path: ['id'], id: idOf(b, 'order') }],
      extra: [{ kind: 'cross-org-write', name: "cancel B's order", input: { id: idOf(b, 'order', 1), to: 'cancelled', reason: 'Taken over' }, expect: 'NOT_FOUND' }],
    };
  },
};
