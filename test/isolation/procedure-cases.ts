import { uuidv7 } from '../../shared/ids.ts';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import { appointmentFields, patientFields } from '../../sync-server/testing/harness.ts';
import type { CaseBuilder, CallOutcome } from '../support/attack-case.ts';
import { idOf, type AttackFixture, type AttackOrg } from '../support/attack-fixture.ts';

/**
 * The attack material for every procedure of the sync server, by path. A procedure the
 * router serves without an entry here fails test/isolation/procedure-coverage.test.ts: a
 * new procedure cannot ship without its attacker's cases.
 *
 * Each builder gets the two-org fixture and returns a valid input for org A (the control
 * call must succeed), B's id for every id field, and procedure-specific attacks. String
 * fields are found in the valid input (plus `optionalStrings`) and every injection string
 * goes into each; header, forbidden-role and injection attacks are generated for all.
 */

const v = PROTOCOL_VERSION;

/** A push of a batch: every mutation answered with this status (and code, if rejected). */
function pushAnswered(status: 'applied' | 'rejected', code?: string) {
  return (outcome: CallOutcome): string | null => {
    if (!outcome.ok) return `expected a push answer, got ${outcome.appCode} (${outcome.message})`;
    const results = (outcome.data as { results: { status: string; code?: string }[] }).results;
    const wrong = results.filter((r) => r.status !== status || (code !== undefined && r.code !== code));
    return wrong.length === 0 ? null : `expected every mutation ${status}${code ? ` ${code}` : ''}, got ${JSON.stringify(results)}`;
  };
}

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

function oneMutation(org: AttackOrg, role: 'front_desk' | 'clinician' | 'org_admin', ...mutation: Parameters<AttackOrg['users']['front_desk']['device']['mutation']>) {
  const user = org.users[role];
  return { protocolVersion: v, deviceId: user.deviceId, mutations: [user.device.mutation(...mutation)] };
}

const syncCases: Record<string, CaseBuilder> = {
  'sync.push': ({ a, b }: AttackFixture) => ({
    role: 'front_desk',
    input: () => newPatientBatch(a),
    control: (data) => pushAnswered('applied')({ ok: true, appCode: null, message: null, status: null, data, text: '' }),
    crossIds: [
      { path: ['mutations', 0, 'id'], id: idOf(b, 'patient'), clientChosen: true, judge: (o) => pushAnswered('rejected', 'NOT_FOUND')(o) },
      { path: ['deviceId'], id: idOf(b, 'device') },
      { path: ['mutations', 0, 'mutationId'], id: idOf(b, 'mutation', 0) },
      { path: ['mutations', 1, 'mutationId'], id: idOf(b, 'mutation', 1) },
      { path: ['mutations', 1, 'id'], id: idOf(b, 'appointment') },
      { path: ['mutations', 1, 'fields', 'patientId'], id: idOf(b, 'patient') },
    ],
    extra: [
      // Kind 7: rows that claim another org, or point into it.
      ...['tenantId', 'tenant_id'].map((key) => ({
        kind: 'foreign-rows',
        name: `patient fields carry ${key} = B`,
        input: oneMutation(a, 'front_desk', 'patient', uuidv7(), { ...patientFields(), [key]: b.tenantId }),
        expect: 'VALIDATION',
      })),
      ...['tenantId', 'tenant_id'].map((key) => ({
        kind: 'foreign-rows',
        name: `appointment fields carry ${key} = B`,
        input: oneMutation(a, 'front_desk', 'appointment', uuidv7(), { ...appointmentFields(idOf(a, 'patient')), [key]: b.tenantId }),
        expect: 'VALIDATION',
      })),
      {
        kind: 'foreign-rows',
        name: 'mutation and batch carry tenantId = B (outside fields)',
        input: { ...oneMutation(a, 'front_desk', 'appointment', uuidv7(), appointmentFields(idOf(a, 'patient'))), tenantId: b.tenantId },
        // Unknown keys outside `fields` are dropped by the schema: the row lands in A or nowhere.
        expect: (o: CallOutcome) => (o.ok || o.appCode === 'VALIDATION' ? null : `got ${o.appCode}`),
      },
      {
        kind: 'foreign-rows',
        name: "new A appointment for B's patient",
        input: oneMutation(a, 'front_desk', 'appointment', uuidv7(), appointmentFields(idOf(b, 'patient'))),
        expect: pushAnswered('rejected', 'NOT_FOUND'),
      },
      {
        kind: 'foreign-rows',
        name: "A's appointment moved to B's patient",
        input: oneMutation(a, 'front_desk', 'appointment', idOf(a, 'appointment'), { patientId: idOf(b, 'patient', 1) }),
        expect: pushAnswered('rejected', 'NOT_FOUND'),
      },
      {
        kind: 'foreign-rows',
        name: "edit of B's appointment",
        // Not B's appointment #0: the cross-id case may legitimately give A its own row with that id.
        input: oneMutation(a, 'front_desk', 'appointment', idOf(b, 'appointment', 1), { reason: 'Taken over', status: 'cancelled' }),
        expect: pushAnswered('rejected', 'NOT_FOUND'),
      },
      {
        kind: 'foreign-rows',
        name: "delete of B's appointment",
        input: oneMutation(a, 'front_desk', 'appointment', idOf(b, 'appointment', 2), {}, 'delete'),
        expect: pushAnswered('rejected', 'NOT_FOUND'),
      },
      {
        kind: 'foreign-rows',
        name: "edit of B's patient identity",
        input: oneMutation(a, 'front_desk', 'patient', idOf(b, 'patient', 1), { familyName: 'Takenover', phone: '555-0000' }),
        expect: pushAnswered('rejected', 'NOT_FOUND'),
      },
      {
        kind: 'foreign-rows',
        name: "delete of B's patient",
        input: oneMutation(a, 'front_desk', 'patient', idOf(b, 'patient'), {}, 'delete'),
        expect: pushAnswered('rejected', 'NOT_FOUND'),
      },
      {
        kind: 'foreign-rows',
        name: "B's patient re-registered with all fields (id taken elsewhere)",
        input: oneMutation(a, 'front_desk', 'patient', idOf(b, 'patient', 1), patientFields({ mrn: 'A-STEAL' })),
        expect: pushAnswered('rejected', 'NOT_FOUND'),
      },
      {
        kind: 'foreign-rows',
        name: "B's own device pushing with A's session",
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
      const page = data as { tenantId: string; changes: unknown[] };
      if (page.tenantId !== a.tenantId) return 'the page is not labelled with org A';
      return JSON.stringify(page).includes(a.markers.find((m) => m.startsWith('Afam')) ?? '?') ? null : "A's own patients are missing from A's pull";
    },
    crossIds: [],
    extra: [
      { kind: 'cross-org-pull', name: 'scheduling feed from the start', input: { protocolVersion: v, domain: 'scheduling', cursor: '0', limit: 5000 }, expect: (o: CallOutcome) => (o.ok ? null : `got ${o.appCode}`) },
      { kind: 'cross-org-pull', name: 'master_data feed from the start, largest page', input: { protocolVersion: v, domain: 'master_data', cursor: '0', limit: 5000 }, expect: (o: CallOutcome) => (o.ok ? null : `got ${o.appCode}`) },
      { kind: 'cross-org-pull', name: 'a cursor far ahead', input: { protocolVersion: v, domain: 'scheduling', cursor: '999999999999999999' }, expect: (o: CallOutcome) => (o.ok ? null : `got ${o.appCode}`) },
      { kind: 'cross-org-pull', name: 'a domain that is not synced', input: { protocolVersion: v, domain: 'tenant_info', cursor: '0' }, expect: 'VALIDATION' },
      { kind: 'cross-org-pull', name: 'a tenantId in the input', input: { protocolVersion: v, domain: 'master_data', cursor: '0', tenantId: 'B' }, expect: (o: CallOutcome) => (o.ok || o.appCode === 'VALIDATION' ? null : `got ${o.appCode}`) },
    ],
  }),

  'sync.pokes': () => ({
    role: 'front_desk',
    input: () => ({ protocolVersion: v }),
    crossIds: [],
  }),
};

const authCases: Record<string, CaseBuilder> = {
  'auth.signIn': ({ a, b }: AttackFixture) => {
    const desk = a.users.front_desk;
    const signIn = (org: string, username: string, password: string) => ({ protocolVersion: v, org, username, password, deviceId: uuidv7(), deviceName: 'Desk 1' });
    return {
      public: true,
      input: () => signIn(a.code, desk.username, desk.password),
      injectionCodes: ['INVALID_CREDENTIALS'],
      extra: [
        { kind: 'cross-org-credentials', name: "B's code with A's username and password", input: signIn(b.code, desk.username, desk.password), expect: 'INVALID_CREDENTIALS' },
        { kind: 'cross-org-credentials', name: "A's code with B's password", input: signIn(a.code, desk.username, b.users.front_desk.password), expect: 'INVALID_CREDENTIALS' },
        { kind: 'cross-org-credentials', name: "B's code with A's org admin", input: signIn(b.code, a.users.org_admin.username, a.users.org_admin.password), expect: 'INVALID_CREDENTIALS' },
        { kind: 'cross-org-credentials', name: "B's tenant id as the org", input: signIn(b.tenantId, desk.username, b.users.front_desk.password), expect: (o: CallOutcome) => (o.appCode === 'VALIDATION' || o.appCode === 'INVALID_CREDENTIALS' ? null : `got ${o.ok ? 'a session' : o.appCode}`) },
        { kind: 'cross-org-credentials', name: 'an org code that does not exist', input: signIn(`zz-${uuidv7().slice(-8)}`, desk.username, desk.password), expect: 'INVALID_CREDENTIALS' },
        { kind: 'cross-org-credentials', name: "B's code, unknown user", input: signIn(b.code, 'nobody', 'whatever-password'), expect: 'INVALID_CREDENTIALS' },
        { kind: 'cross-org-credentials', name: 'SQL in the org code', input: signIn("' or 1=1 --", desk.username, desk.password), expect: 'VALIDATION' },
        { kind: 'cross-org-credentials', name: 'SQL in the username, with B\'s code', input: signIn(b.code, "frontdesk' --", 'x'), expect: 'INVALID_CREDENTIALS' },
      ],
    };
  },

  'auth.signOut': () => ({
    role: 'front_desk',
    consumesSession: true,
    input: () => ({}),
    crossIds: [],
  }),
};

const publicCases: Record<string, CaseBuilder> = {
  health: ({ a, b }: AttackFixture) => ({
    public: true,
    input: () => undefined,
    control: (data) => (JSON.stringify(Object.keys(data as object).sort()) === '["protocolVersion","status"]' ? null : `health says more than status and protocol: ${JSON.stringify(data)}`),
    extra: [
      { kind: 'forged-headers', name: "B's org with A's token", headers: { 'x-tenant-id': b.tenantId, authorization: `Bearer ${a.users.front_desk.session.token}` }, input: undefined, expect: (o: CallOutcome) => (o.ok ? null : `got ${o.appCode}`) },
      { kind: 'forged-headers', name: 'SQL in the org header', headers: { 'x-tenant-id': "' OR 1=1 --" } as Record<string, string>, input: undefined, expect: (o: CallOutcome) => (o.ok ? null : `got ${o.appCode}`) },
    ],
  }),
};

/** An audit page whose entries are all org A's (a judge and a control check). */
function onlyOwnEntries(a: AttackOrg) {
  return (outcome: CallOutcome): string | null => {
    if (!outcome.ok) return `expected A's own (possibly empty) page, got ${outcome.appCode} (${outcome.message})`;
    const entries = (outcome.data as { entries: { tenantId: string }[] }).entries;
    const foreign = entries.filter((entry) => entry.tenantId !== a.tenantId);
    return foreign.length === 0 ? null : `${foreign.length} entries of another org`;
  };
}

const auditCases: Record<string, CaseBuilder> = {
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
      control: (data) => own({ ok: true, appCode: null, message: null, status: null, data, text: '' }),
      // A's own trail legitimately lists ids A's users typed (its refused attempts included),
      // so an id filter is judged by "only A's entries", not by "same as an unknown id".
      crossIds: [
        { path: ['actorUserId'], id: idOf(b, 'user') },
        { path: ['deviceId'], id: idOf(b, 'device') },
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

export const PROCEDURE_CASES: Record<string, CaseBuilder> = {
  ...publicCases,
  ...authCases,
  ...syncCases,
  ...auditCases,
};
