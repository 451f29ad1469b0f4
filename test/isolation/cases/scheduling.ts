import type { CaseBuilder } from '../../support/attack-case.ts';
import { idOf, type AttackFixture, type AttackOrg } from '../../support/attack-fixture.ts';
import { emptyOrNotFound, fresh, nextSlot } from './judges.ts';

/** A booking of A's own patient with A's practitioner and room, at a fresh time. */
function booking(a: AttackOrg) {
  return { patientId: idOf(a, 'patient'), practitionerId: idOf(a, 'staff'), locationId: idOf(a, 'location'), ...nextSlot(), reason: 'Follow-up', practitionerName: 'Dr Own' };
}

/** A fresh booked appointment of A's, for procedures that change one. */
async function bookedForA(a: AttackOrg): Promise<string> {
  return (await a.users.front_desk.client.scheduling.appointments.book.mutate(booking(a))).id;
}

/** scheduling.*: locations, practitioner schedules and the desk's appointments. */
export const schedulingCases: Record<string, CaseBuilder> = {
  'scheduling.locations.list': () => ({ role: 'front_desk', input: () => ({ includeInactive: true }), crossIds: [] }),

  'scheduling.locations.create': ({ b }: AttackFixture) => ({
    role: 'org_admin',
    input: () => ({ name: `Room ${fresh()}`, kind: 'room', active: true }),
    crossIds: [],
    extra: [
      // Location names are unique per org: B's room name must be free in A.
      { kind: 'uniqueness-oracle', name: "a room name only B has", input: { name: b.markers.find((m) => m.startsWith('Room ')) ?? 'Room x', kind: 'room' }, expect: (o) => (o.ok ? null : `refused with ${o.appCode}: a uniqueness oracle across orgs`) },
    ],
  }),

  'scheduling.locations.update': ({ a, b }: AttackFixture) => ({
    role: 'org_admin',
    input: () => ({ id: idOf(a, 'location'), name: `Room ${fresh()}`, kind: 'room', active: true }),
    crossIds: [{ path: ['id'], id: idOf(b, 'location') }],
    extra: [{ kind: 'cross-org-write', name: "deactivate B's room", input: { id: idOf(b, 'location'), active: false }, expect: 'NOT_FOUND' }],
  }),

  'scheduling.schedules.list': ({ a, b }: AttackFixture) => ({
    role: 'front_desk',
    input: () => ({ practitionerId: idOf(a, 'staff'), locationId: idOf(a, 'location') }),
    crossIds: [
      { path: ['practitionerId'], id: idOf(b, 'staff') },
      { path: ['locationId'], id: idOf(b, 'location') },
    ],
    extra: [{ kind: 'cross-org-read', name: "B's practitioner alone", input: { practitionerId: idOf(b, 'staff') }, expect: emptyOrNotFound }],
  }),

  'scheduling.schedules.upsert': ({ a, b }: AttackFixture) => ({
    role: 'org_admin',
    input: () => ({
      id: idOf(a, 'schedule'),
      practitionerId: idOf(a, 'staff'),
      locationId: idOf(a, 'location'),
      weekday: 2,
      startTime: '13:00',
      endTime: '17:00',
      slotMinutes: 20,
      validFrom: '2030-01-01',
      validTo: '2030-06-30',
    }),
    crossIds: [
      { path: ['id'], id: idOf(b, 'schedule') },
      { path: ['practitionerId'], id: idOf(b, 'staff') },
      { path: ['locationId'], id: idOf(b, 'location') },
    ],
    extra: [
      {
        kind: 'cross-org-write',
        name: "a new block for B's practitioner in A's room",
        input: { practitionerId: idOf(b, 'staff'), locationId: idOf(a, 'location'), weekday: 3, startTime: '09:00', endTime: '10:00', slotMinutes: 15, validFrom: '2030-01-01' },
        expect: 'NOT_FOUND',
      },
    ],
  }),

  'scheduling.appointments.list': ({ a, b }: AttackFixture) => ({
    role: 'front_desk',
    input: () => ({ from: '2030-01-01T00:00:00.000Z', to: '2030-03-01T00:00:00.000Z', practitionerId: idOf(a, 'staff'), locationId: idOf(a, 'location'), limit: 100 }),
    crossIds: [
      { path: ['practitionerId'], id: idOf(b, 'staff') },
      { path: ['locationId'], id: idOf(b, 'location') },
    ],
    extra: [{ kind: 'cross-org-read', name: "the window of B's desk appointment, no filter", input: { from: '2030-02-04T00:00:00.000Z', to: '2030-02-05T00:00:00.000Z' }, expect: (o) => (o.ok ? null : `got ${o.appCode}`) }],
  }),

  'scheduling.appointments.get': ({ a, b }: AttackFixture) => ({
    role: 'front_desk',
    input: () => ({ id: idOf(a, 'deskAppointment') }),
    crossIds: [{ path: ['id'], id: idOf(b, 'deskAppointment') }],
    extra: [{ kind: 'cross-org-read', name: "B's synced appointment on the shared patient", input: { id: idOf(b, 'appointment', 2) }, expect: 'NOT_FOUND' }],
  }),

  'scheduling.appointments.book': ({ a, b }: AttackFixture) => ({
    role: 'front_desk',
    input: () => booking(a),
    crossIds: [
      { path: ['patientId'], id: idOf(b, 'patient') },
      { path: ['practitionerId'], id: idOf(b, 'staff') },
      { path: ['locationId'], id: idOf(b, 'location') },
    ],
    extra: [
      {
        kind: 'cross-org-write',
        name: "B's practitioner at the time of B's booking (a clash would tell A it exists)",
        input: { ...booking(a), practitionerId: idOf(b, 'staff'), startsAt: '2030-02-04T10:00:00.000Z', endsAt: '2030-02-04T10:30:00.000Z' },
        expect: 'NOT_FOUND',
      },
    ],
  }),

  'scheduling.appointments.setStatus': async ({ a, b }: AttackFixture) => {
    const id = await bookedForA(a);
    return {
      role: 'front_desk',
      input: () => ({ id, status: 'checked_in' }),
      crossIds: [{ path: ['id'], id: idOf(b, 'deskAppointment') }],
      extra: [{ kind: 'cross-org-write', name: "cancel B's synced appointment", input: { id: idOf(b, 'appointment', 1), status: 'cancelled' }, expect: 'NOT_FOUND' }],
    };
  },

  'scheduling.appointments.reschedule': async ({ a, b }: AttackFixture) => {
    const id = await bookedForA(a);
    return {
      role: 'front_desk',
      input: () => ({ id, ...nextSlot() }),
      crossIds: [{ path: ['id'], id: idOf(b, 'deskAppointment') }],
    };
  },
};
