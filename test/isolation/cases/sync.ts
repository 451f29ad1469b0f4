import { uuidv7 } from '../../../shared/ids.ts';
import { PROTOCOL_VERSION } from '../../../shared/sync/version.ts';
import { appointmentFields, patientFields } from '../../../sync-server/testing/harness.ts';
import type { CaseBuilder } from '../../support/attack-case.ts';
import { idOf, type AttackFixture, type AttackOrg } from '../../support/attack-fixture.ts';
import { okOnly, okOr, pushAnswered, succeeded } from './judges.ts';

const v = PROTOCOL_VERSION;

/** Org A's front desk: a new patient and an appointment for it, in one batch. */
function newPatientBatch(a: AttackOrg) {
  const user = a.users.front_desk;
  const patientId = uuidv7();
  return {
    protocolVersion: v,
    deviceId: user.deviceId,
    mutations: [
      user.device.mutation('patient', patientId, patientFields({ familyName: 'Control', mrn: 'A-CONTROL' })),
      user.device.mutation('appointment', uuidv7(), appointmentFields(patientId, { reason: 'Control visit' })),
    ],
  };
}

type MutationArgs = Parameters<AttackOrg['users']['front_desk']['device']['mutation']>;

function oneMutation(org: AttackOrg, role: 'front_desk' | 'clinician' | 'org_admin', ...mutation: MutationArgs) {
  const user = org.users[role];
  return { protocolVersion: v, deviceId: user.deviceId, mutations: [user.device.mutation(...mutation)] };
}

const rejectedNotFound = pushAnswered('rejected', 'NOT_FOUND');

export const syncCases: Record<string, CaseBuilder> = {
  'sync.push': ({ a, b }: AttackFixture) => ({
    role: 'front_desk',
    input: () => newPatientBatch(a),
    control: (data) => pushAnswered('applied')(succeeded(data)),
    crossIds: [
      { path: ['mutations', 0, 'id'], id: idOf(b, 'patient'), clientChosen: true, judge: rejectedNotFound },
      { path: ['deviceId'], id: idOf(b, 'device') },
      { path: ['mutations', 0, 'mutationId'], id: idOf(b, 'mutation', 0) },
      { path: ['mutations', 1, 'mutationId'], id: idOf(b, 'mutation', 1) },
      // A may hold its own appointment with the same id (keys start with tenant_id): like an unknown id.
      { path: ['mutations', 1, 'id'], id: idOf(b, 'appointment') },
      { path: ['mutations', 1, 'fields', 'patientId'], id: idOf(b, 'patient') },
    ],
    extra: [
      // Kind 7: rows that claim another org, or point into it.
      ...['tenantId', 'tenant_id'].flatMap((key) => [
        { kind: 'foreign-rows', name: `patient fields carry ${key} = B`, input: oneMutation(a, 'front_desk', 'patient', uuidv7(), { ...patientFields(), [key]: b.tenantId }), expect: 'VALIDATION' },
        {
          kind: 'foreign-rows',
          name: `appointment fields carry ${key} = B`,
          input: oneMutation(a, 'front_desk', 'appointment', uuidv7(), { ...appointmentFields(idOf(a, 'patient')), [key]: b.tenantId }),
          expect: 'VALIDATION',
        },
      ]),
      {
        kind: 'foreign-rows',
        name: 'mutation and batch carry tenantId = B (outside fields)',
        input: { ...oneMutation(a, 'front_desk', 'appointment', uuidv7(), appointmentFields(idOf(a, 'patient'))), tenantId: b.tenantId },
        // Unknown keys outside `fields` are either refused or dropped: the row lands in A or nowhere (the fingerprint shows B unchanged).
        expect: okOr('VALIDATION'),
      },
      { kind: 'foreign-rows', name: "new A appointment for B's patient", input: oneMutation(a, 'front_desk', 'appointment', uuidv7(), appointmentFields(idOf(b, 'patient'))), expect: rejectedNotFound },
      {
        kind: 'foreign-rows',
        name: "A's appointment moved to B's patient",
        input: oneMutation(a, 'front_desk', 'appointment', idOf(a, 'appointment'), { patientId: idOf(b, 'patient', 1) }),
        expect: rejectedNotFound,
      },
      {
        kind: 'foreign-rows',
        name: "edit of B's appointment",
        // Not B's appointment #0: the cross-id case may legitimately give A its own row with that id.
        input: oneMutation(a, 'front_desk', 'appointment', idOf(b, 'appointment', 1), { reason: 'Taken over', status: 'cancelled' }),
        expect: rejectedNotFound,
      },
      { kind: 'foreign-rows', name: "delete of B's appointment", input: oneMutation(a, 'front_desk', 'appointment', idOf(b, 'appointment', 2), {}, 'delete'), expect: rejectedNotFound },
      { kind: 'foreign-rows', name: "delete of B's desk-booked appointment", input: oneMutation(a, 'front_desk', 'appointment', idOf(b, 'deskAppointment'), {}, 'delete'), expect: rejectedNotFound },
      {
        kind: 'foreign-rows',
        name: "edit of B's patient identity",
        input: oneMutation(a, 'front_desk', 'patient', idOf(b, 'patient', 1), { familyName: 'Takenover', phone: '555-0000' }),
        expect: rejectedNotFound,
      },
      { kind: 'foreign-rows', name: "delete of B's patient", input: oneMutation(a, 'front_desk', 'patient', idOf(b, 'patient'), {}, 'delete'), expect: rejectedNotFound },
      {
        kind: 'foreign-rows',
        name: "B's patient re-registered with all fields (id taken elsewhere)",
        input: oneMutation(a, 'front_desk', 'patient', idOf(b, 'patient', 1), patientFields({ mrn: 'A-STEAL' })),
        expect: rejectedNotFound,
      },
      {
        kind: 'foreign-rows',
        name: "B's device named in A's push",
        input: { ...oneMutation(a, 'front_desk', 'patient', uuidv7(), patientFields()), deviceId: b.users.front_desk.deviceId },
        expect: 'FORBIDDEN',
      },
      // Kind 9 beyond sync.exchange: each entity needs its own write capability.
      {
        kind: 'forbidden-entity',
        name: 'clinician books an appointment (no schedule.write)',
        as: { org: 'A', role: 'clinician' },
        input: oneMutation(a, 'clinician', 'appointment', uuidv7(), appointmentFields(idOf(a, 'patient'))),
        expect: 'FORBIDDEN',
      },
      {
        kind: 'forbidden-entity',
        name: 'org admin registers a patient (no patients.write)',
        as: { org: 'A', role: 'org_admin' },
        input: oneMutation(a, 'org_admin', 'patient', uuidv7(), patientFields()),
        expect: 'FORBIDDEN',
      },
    ],
  }),

  'sync.pull': ({ a }: AttackFixture) => ({
    role: 'front_desk',
    input: () => ({ protocolVersion: v, domain: 'master_data', cursor: '0', limit: 1000 }),
    control: (data) => {
      const page = data as { tenantId: string };
      if (page.tenantId !== a.tenantId) return 'the page is not labelled with org A';
      return JSON.stringify(page).includes(a.markers.find((m) => m.startsWith('Afam')) ?? '?') ? null : "A's own patients are missing from A's pull";
    },
    crossIds: [],
    extra: [
      { kind: 'cross-org-pull', name: 'scheduling feed from the start', input: { protocolVersion: v, domain: 'scheduling', cursor: '0', limit: 5000 }, expect: okOnly },
      { kind: 'cross-org-pull', name: 'master_data feed, largest page', input: { protocolVersion: v, domain: 'master_data', cursor: '0', limit: 5000 }, expect: okOnly },
      { kind: 'cross-org-pull', name: 'a cursor far ahead', input: { protocolVersion: v, domain: 'scheduling', cursor: '999999999999999999' }, expect: okOnly },
      { kind: 'cross-org-pull', name: 'a domain that is not synced', input: { protocolVersion: v, domain: 'tenant_info', cursor: '0' }, expect: 'VALIDATION' },
      { kind: 'cross-org-pull', name: 'a tenantId in the input', input: { protocolVersion: v, domain: 'master_data', cursor: '0', tenantId: 'B' }, expect: okOr('VALIDATION') },
    ],
  }),

  'sync.pokes': () => ({
    role: 'front_desk',
    input: () => ({ protocolVersion: v }),
    crossIds: [],
  }),
};

