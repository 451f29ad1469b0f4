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
      // Kind 9 beyond sync.exchange: each entity needs its own write capability, checked per mutation.
      {
        kind: 'forbidden-entity',
        name: 'clinician books an appointment (no schedule.write)',
        as: { org: 'A', role: 'clinician' },
        input: oneMutation(a, 'clinician', 'appointment', uuidv7(), appointmentFields(idOf(a, 'patient'))),
        // Refused per mutation (access.ts refuseForRole): the rest of a batch is not held up.
        expect: pushAnswered('rejected', 'FORBIDDEN'),
      },
      {
        kind: 'forbidden-entity',
        name: 'org admin registers a patient (no patients.write)',
        as: { org: 'A', role: 'org_admin' },
        input: oneMutation(a, 'org_admin', 'patient', uuidv7(), patientFields()),
        // Refused per mutation (access.ts refuseForRole): the rest of a batch is not held up.
        expect: pushAnswered('rejected', 'FORBIDDEN'),
      },
      // Set-up is edited online only (sync-server/sync/online-only.ts): each such mutation is refused, whoever pushes it.
      {
        kind: 'edited-online',
        name: "desk renames B's location through sync",
        input: oneMutation(a, 'front_desk', 'location', idOf(b, 'location'), { name: 'Taken over' }),
        expect: pushAnswered('rejected', 'FORBIDDEN'),
      },
      {
        kind: 'edited-online',
        name: "org admin pushes a change of its own org's location",
        as: { org: 'A', role: 'org_admin' },
        input: oneMutation(a, 'org_admin', 'location', idOf(a, 'location'), { name: 'Pushed rename', active: false }),
        expect: pushAnswered('rejected', 'FORBIDDEN'),
      },
      {
        kind: 'edited-online',
        name: "desk pushes B's staff member and practice profile",
        input: {
          protocolVersion: v,
          deviceId: a.users.front_desk.deviceId,
          mutations: [
            a.users.front_desk.device.mutation('staff_member', idOf(b, 'staff'), { displayName: 'Impostor' }),
            a.users.front_desk.device.mutation('practice_profile', b.tenantId, { legalName: 'Hijacked' }),
          ],
        },
        expect: pushAnswered('rejected', 'FORBIDDEN'),
      },
    ],
  }),

  'sync.pull': ({ a }: AttackFixture) => ({
    role: 'front_desk',
    // countAfter asks for the bootstrap totals: the attack kinds reach its strings too.
    input: () => ({ protocolVersion: v, domain: 'master_data', cursor: '0', limit: 1000, countAfter: [{ domain: 'scheduling', cursor: '0' }] }),
    control: (data) => {
      const page = data as { tenantId: string; remaining?: unknown };
      if (page.tenantId !== a.tenantId) return 'the page is not labelled with org A';
      if (page.remaining === undefined) return 'the bootstrap totals asked for are missing';
      return JSON.stringify(page).includes(a.markers.find((m) => m.startsWith('Afam')) ?? '?') ? null : "A's own patients are missing from A's pull";
    },
    crossIds: [],
    extra: [
      { kind: 'cross-org-pull', name: 'scheduling feed from the start', input: { protocolVersion: v, domain: 'scheduling', cursor: '0', limit: 5000 }, expect: okOnly },
      { kind: 'cross-org-pull', name: 'master_data feed, largest page', input: { protocolVersion: v, domain: 'master_data', cursor: '0', limit: 5000 }, expect: okOnly },
      { kind: 'cross-org-pull', name: 'personnel feed from the start', input: { protocolVersion: v, domain: 'personnel', cursor: '0', limit: 5000 }, expect: okOnly },
      { kind: 'cross-org-pull', name: 'configuration feed from the start', input: { protocolVersion: v, domain: 'configuration', cursor: '0', limit: 5000 }, expect: okOnly },
      { kind: 'cross-org-pull', name: 'clinical feed from the start', input: { protocolVersion: v, domain: 'clinical', cursor: '0', limit: 5000 }, expect: okOnly },
      {
        kind: 'cross-org-pull',
        name: 'bootstrap totals of every domain',
        input: { protocolVersion: v, domain: 'master_data', cursor: '0', countAfter: ['configuration', 'personnel', 'master_data', 'scheduling', 'clinical'].map((domain) => ({ domain, cursor: '0' })) },
        expect: okOnly,
      },
      { kind: 'cross-org-pull', name: 'a cursor far ahead', input: { protocolVersion: v, domain: 'scheduling', cursor: '999999999999999999' }, expect: okOnly },
      { kind: 'cross-org-pull', name: 'a domain that is not synced', input: { protocolVersion: v, domain: 'tenant_info', cursor: '0' }, expect: 'VALIDATION' },
      { kind: 'cross-org-pull', name: 'a tenantId in the input', input: { protocolVersion: v, domain: 'master_data', cursor: '0', tenantId: 'B' }, expect: okOr('VALIDATION') },
    ],
  }),

  'sync.checksum': ({ a }: AttackFixture) => ({
    role: 'front_desk',
    input: () => ({ protocolVersion: v, domain: 'master_data', cursor: '0', digest: '0'.repeat(64) }),
    control: (data) => {
      const answer = data as { tenantId: string; rows: number; digest: string };
      if (answer.tenantId !== a.tenantId) return 'the checksum is not labelled with org A';
      return answer.rows > 0 && /^[0-9a-f]{64}$/.test(answer.digest) ? null : "A's checksum covers none of A's rows";
    },
    crossIds: [],
    extra: [
      { kind: 'cross-org-pull', name: 'scheduling digest', input: { protocolVersion: v, domain: 'scheduling' }, expect: okOnly },
      { kind: 'cross-org-pull', name: 'a domain that is not synced', input: { protocolVersion: v, domain: 'tenant_info' }, expect: 'VALIDATION' },
      { kind: 'cross-org-pull', name: 'a tenantId in the input', input: { protocolVersion: v, domain: 'master_data', tenantId: 'B' }, expect: okOr('VALIDATION') },
      { kind: 'protocol', name: 'a client two versions ahead', input: { protocolVersion: v + 2, domain: 'master_data' }, expect: 'PROTOCOL_UNSUPPORTED' },
    ],
  }),

  'sync.pokes': () => ({
    role: 'front_desk',
    input: () => ({ protocolVersion: v }),
    crossIds: [],
  }),
};

