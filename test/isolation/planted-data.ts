import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HybridClock } from '../../shared/hlc.ts';
import { runImport } from '../../sync-server/portability/import/run-import.ts';
import { isValidNpi } from '../../shared/api/personnel.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { SignInThrottle } from '../../sync-server/auth/sign-in-throttle.ts';
import { DEFAULT_SIGN_IN_THROTTLE } from '../../sync-server/auth/sign-in-throttle-options.ts';
import { createAutomationStores } from '../../sync-server/domains/process_automation/stores.ts';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import { appointmentFields, appCodeOf, patientFields, signedIn, syncClient } from '../../sync-server/testing/harness.ts';
import { addIds, digits, marker, type AttackFixture, type AttackOrg, type Planter } from '../support/attack-fixture.ts';

/**
 * Real data in both orgs, created the way each org would create it (its own sessions and
 * procedures; the admin API only where no procedure exists). Every string only one org
 * holds is recorded as a marker, so an answer that carries it is caught; every id is
 * recorded by kind, so case builders can aim at it.
 */

async function pushed(org: AttackOrg, ...mutations: Parameters<AttackOrg['users']['front_desk']['device']['push']>): Promise<void> {
  const result = await org.users.front_desk.device.push(...mutations);
  const refused = result.results.filter((r) => r.status !== 'applied');
  if (refused.length > 0) throw new Error(`org ${org.label} push refused: ${JSON.stringify(refused)}`);
  addIds(org.ids, 'mutation', ...mutations.map((m) => m.mutationId));
}

/** Two patients (family name and MRN are markers) and an appointment each (reason is a marker). */
const patientsAndAppointments: Planter = {
  name: 'patients and appointments (sync.push)',
  plant: async (fx) => {
    for (const org of [fx.a, fx.b]) {
      const device = org.users.front_desk.device;
      for (let i = 0; i < 2; i++) {
        const patientId = uuidv7();
        const appointmentId = uuidv7();
        const familyName = marker(`${org.label}fam`);
        const mrn = `MRN-${marker(org.label).toUpperCase()}`;
        const reason = `Visit ${marker(`${org.label}why`)}`;
        await pushed(
          org,
          device.mutation('patient', patientId, patientFields({ familyName, mrn, phone: `555-01${i}${org.label === 'A' ? 1 : 2}` })),
          device.mutation('appointment', appointmentId, appointmentFields(patientId, { reason, startsAt: `2030-01-0${i + 7}T09:00:00.000Z`, endsAt: `2030-01-0${i + 7}T09:30:00.000Z` })),
        );
        addIds(org.ids, 'patient', patientId);
        addIds(org.ids, 'appointment', appointmentId);
        org.markers.push(familyName, mrn, reason);
      }
    }
  },
};

/**
 * A patient registered by B and linked into A as well (identity above the org). Its core
 * identity is legitimately A's to see; B's appointment for it (reason is a B marker) and
 * B's MRN for it are not.
 */
const sharedPatient: Planter = {
  name: 'a patient linked into both orgs',
  plant: async (fx: AttackFixture) => {
    const { a, b } = fx;
    const patientId = uuidv7();
    const bMrn = `MRN-${marker('B').toUpperCase()}`;
    const reason = `Visit ${marker('Bshared')}`;
    const appointmentId = uuidv7();
    const device = b.users.front_desk.device;
    await pushed(
      b,
      device.mutation('patient', patientId, patientFields({ givenName: 'Shared', familyName: 'Person', mrn: bMrn })),
      device.mutation('appointment', appointmentId, appointmentFields(patientId, { reason })),
    );
    await fx.server.admin.linkPatient({ tenantId: a.tenantId, patientId, mrn: 'A-SHARED' });
    addIds(fx.shared, 'patient', patientId);
    addIds(b.ids, 'appointment', appointmentId);
    b.markers.push(bMrn, reason);
  },
};

/** A fresh, valid NPI (ten digits, Luhn check digit over 80840 + the first nine). */
export function newNpi(): string {
  const prefix = `1${digits(8)}`;
  for (let check = 0; check < 10; check++) if (isValidNpi(`${prefix}${check}`)) return `${prefix}${check}`;
  throw new Error('no NPI check digit found');
}

/** A practitioner with an NPI and a licence (personnel), made by the org admin. */
const personnel: Planter = {
  name: 'practitioners and licences (personnel.*)',
  plant: async ({ a, b }) => {
    for (const org of [a, b]) {
      const admin = org.users.org_admin.client;
      const displayName = `Dr ${marker(`${org.label}doc`)}`;
      const npi = newNpi();
      const staff = await admin.personnel.staff.create.mutate({ displayName, jobTitle: 'Physician', isPractitioner: true, npi, jobRoles: ['physician'] });
      const number = `LIC-${marker(org.label).toUpperCase().slice(0, 12)}`;
      const licence = await admin.personnel.licences.add.mutate({ staffId: staff.id, kind: 'state_licence', number, jurisdiction: 'California', expiresOn: '2031-01-31' });
      addIds(org.ids, 'staff', staff.id);
      addIds(org.ids, 'licence', licence.id);
      org.markers.push(displayName, npi, number);
    }
  },
};

/** A room, the practitioner's weekly schedule there, and an appointment booked at the desk. */
const scheduling: Planter = {
  name: 'locations, schedules, desk appointments (scheduling.*)',
  plant: async ({ a, b }) => {
    for (const org of [a, b]) {
      const admin = org.users.org_admin.client;
      const name = `Room ${marker(org.label)}`;
      const location = await admin.scheduling.locations.create.mutate({ name, kind: 'room' });
      const practitionerId = org.ids.staff![0]!;
      const schedule = await admin.scheduling.schedules.upsert.mutate({
        practitionerId,
        locationId: location.id,
        weekday: 1,
        startTime: '09:00',
        endTime: '12:00',
        slotMinutes: 15,
        validFrom: '2030-01-01',
        validTo: '2030-12-31',
      });
      const reason = `Desk visit ${marker(`${org.label}desk`)}`;
      const booked = await org.users.front_desk.client.scheduling.appointments.book.mutate({
        patientId: org.ids.patient![0]!,
        practitionerId,
        locationId: location.id,
        startsAt: '2030-02-04T10:00:00.000Z',
        endsAt: '2030-02-04T10:30:00.000Z',
        reason,
        practitionerName: 'Dr Desk',
      });
      addIds(org.ids, 'location', location.id);
      addIds(org.ids, 'schedule', schedule.id);
      addIds(org.ids, 'deskAppointment', booked.id);
      org.markers.push(name, reason);
    }
  },
};

/** An encounter with a signed note, a draft note and an order; B also documents the shared patient. */
const clinical: Planter = {
  name: 'encounters, notes, orders (clinical.*)',
  plant: async (fx) => {
    for (const org of [fx.a, fx.b]) {
      const doctor = org.users.clinician.client;
      const patients = org === fx.b ? [org.ids.patient![0]!, fx.shared.patient![0]!] : [org.ids.patient![0]!];
      for (const patientId of patients) {
        const encounter = await doctor.clinical.encounters.open.mutate({
          patientId,
          appointmentId: patientId === org.ids.patient![0] ? org.ids.deskAppointment![0]! : null,
          practitionerId: org.ids.staff![0]!,
          startedAt: '2024-05-06T10:00:00.000Z',
        });
        const signedBody = `Assessment ${marker(`${org.label}note`)}`;
        const draftBody = `Draft ${marker(`${org.label}draft`)}`;
        const description = `Panel ${marker(`${org.label}order`)}`;
        const signed = await doctor.clinical.notes.createDraft.mutate({ encounterId: encounter.id, kind: 'progress', body: signedBody });
        await doctor.clinical.notes.sign.mutate({ id: signed.id });
        const draft = await doctor.clinical.notes.createDraft.mutate({ encounterId: encounter.id, kind: 'soap', body: draftBody });
        const order = await doctor.clinical.orders.place.mutate({ encounterId: encounter.id, kind: 'lab', code: '80053', description, status: 'active' });
        addIds(org.ids, 'encounter', encounter.id);
        addIds(org.ids, 'note', signed.id);
        addIds(org.ids, 'draftNote', draft.id);
        addIds(org.ids, 'order', order.id);
        org.markers.push(signedBody, draftBody, description);
      }
      // The same kinds of record pushed by the clinician's workstation (sync.push): its ledger and the clinical feed.
      const device = org.users.clinician.device;
      const synced = { encounter: uuidv7(), note: uuidv7(), order: uuidv7() };
      const syncedBody = `Synced ${marker(`${org.label}syncnote`)}`;
      const syncedOrder = `Synced panel ${marker(`${org.label}syncorder`)}`;
      const mutations = [
        device.mutation('encounter', synced.encounter, { patientId: org.ids.patient![0]!, appointmentId: null, practitionerId: null, status: 'open', startedAt: '2024-05-07T10:00:00.000Z', endedAt: null }),
        device.mutation('note', synced.note, { encounterId: synced.encounter, amendsId: null, kind: 'progress', body: syncedBody, status: 'draft', authorId: org.users.clinician.userId, signedAt: null }),
        device.mutation('order', synced.order, { encounterId: synced.encounter, kind: 'lab', code: '80053', description: syncedOrder, status: 'active', orderedBy: org.users.clinician.userId }),
      ];
      const result = await device.push(...mutations);
      if (result.results.some((r) => r.status !== 'applied')) throw new Error(`org ${org.label} clinical push refused: ${JSON.stringify(result.results)}`);
      addIds(org.ids, 'mutation', ...mutations.map((m) => m.mutationId));
      org.markers.push(syncedBody, syncedOrder);
    }
  },
};

/** The practice profile (NPI, Tax ID), a payer contract and the agent configuration. */
const configuration: Planter = {
  name: 'practice profile, payer contracts, agent configuration (configuration.*)',
  plant: async ({ a, b }) => {
    for (const org of [a, b]) {
      const admin = org.users.org_admin.client;
      const legalName = `Practice ${marker(org.label)} LLC`;
      const tax = digits(9);
      const npi = newNpi();
      await admin.configuration.profile.update.mutate({
        legalName,
        npi,
        taxId: `${tax.slice(0, 2)}-${tax.slice(2)}`,
        addressLine1: `1 ${marker(org.label)} Street`,
        addressLine2: '',
        city: 'Springfield',
        region: 'IL',
        postalCode: '62701',
        country: 'US',
        phone: '555-0100',
      });
      const payerName = `Payer ${marker(org.label)}`;
      const contract = await admin.configuration.payerContracts.upsert.mutate({ payerName, planName: 'Gold', effectiveFrom: '2030-01-01', feeScheduleRef: 'FS-1' });
      const senderName = `Sender ${marker(org.label)}`;
      await admin.configuration.agent.update.mutate({
        codingRules: { specialty: 'family_medicine', rules: [{ system: 'CPT', code: '99213', action: 'suggest', note: `Rule ${marker(org.label)}` }] },
        claimThresholds: { autoSubmitMaxAmount: 100, reviewAboveAmount: 500, maxDaysToSubmit: 30, denialRateAlertPercent: 5 },
        communication: { channels: ['sms'], reminderLeadHours: [24], quietHours: { start: '20:00', end: '08:00' }, language: 'en', senderName },
      });
      addIds(org.ids, 'payerContract', contract.id);
      org.markers.push(legalName, `${tax.slice(0, 2)}-${tax.slice(2)}`, tax, npi, payerName, senderName);
    }
  },
};

/** A national id on a patient, a patient-held link code, an extra user and an enrollment token. */
const identitiesAndAccess: Planter = {
  name: 'identifiers, link codes, users, enrollment tokens (patients.*, admin.*)',
  plant: async (fx) => {
    for (const org of [fx.a, fx.b]) {
      const desk = org.users.front_desk.client;
      const identifier = digits(9);
      await desk.patients.identifiers.add.mutate({ patientId: org.ids.patient![0]!, system: 'national_id', value: identifier });
      const code = await desk.patients.linkCode.issue.mutate({ patientId: org.ids.patient![1]! });
      const login = `extra-${marker(org.label).slice(0, 10)}`;
      const displayName = `Extra ${marker(org.label)}`;
      const user = await org.users.org_admin.client.admin.users.create.mutate({ login, password: `pw-${uuidv7()}`, displayName, role: 'front_desk' });
      const token = await org.users.it_admin.client.admin.devices.enrollmentToken.mutate({ ttlMinutes: 60 });
      // One unmatched link attempt of the org's own (counted per org against guessing).
      const attempt = await appCodeOf(desk.patients.linkByCode.mutate({ code: 'ZZZZ-ZZZZ-ZZZZ-ZZZZ', birthDate: '1980-02-03', mrn: 'NO-MATCH' }));
      if (attempt !== 'NOT_FOUND') throw new Error(`a guessed link code was answered ${attempt}`);
      addIds(org.ids, 'user', user.userId);
      org.markers.push(identifier, code.code, code.code.replaceAll('-', ''), login, displayName, token.token);
      Object.assign(fx.values, { [`${org.label}.nationalId`]: identifier, [`${org.label}.linkCode`]: code.code, [`${org.label}.login`]: login });
    }
  },
};

/**
 * Background work of each org: a job due far in the future (so no runner claims it while
 * the attacks run) and an open workflow run, through the process_automation services. No
 * outbox or processed-event rows: the relay and consumer rewrite those on their own
 * schedule, so they would change under the fingerprint without any attack.
 */
const backgroundWork: Planter = {
  name: 'jobs and workflow runs (process_automation)',
  plant: async ({ server, a, b }) => {
    const stores = createAutomationStores(server.databases.domains.process_automation);
    for (const org of [a, b]) {
      const subjectId = org.ids.deskAppointment![0]!;
      const job = await stores.jobs.enqueue(org.tenantId, { type: 'attack_fixture.reminder', payload: { appointmentId: subjectId }, runAt: new Date('2035-01-01T00:00:00Z') });
      const run = await stores.workflows.open(org.tenantId, { workflow: 'attack_fixture_follow_up', subjectId, step: 'waiting' });
      addIds(org.ids, 'job', job.id);
      addIds(org.ids, 'workflowRun', run.id);
    }
  },
};

/**
 * A third org C for the legitimate cross-org flows A's control calls need: a patient with
 * a national id and one with a link code (so A can link them on strong evidence), and A's
 * front-desk account made a member of C (so A's front desk can switch to C).
 */
const thirdOrg: Planter = {
  name: 'a third org for legitimate cross-org flows',
  plant: async (fx) => {
    const code = `atk-c-${uuidv7().slice(-6)}`;
    const { tenantId } = await fx.server.admin.createTenant({ code, name: `Clinic ${marker('C')}` });
    const password = `pw-C-${uuidv7()}`;
    await fx.server.admin.createUser({ tenantId, username: 'cdesk', password, displayName: 'C Desk', role: 'front_desk' });
    const c = await signedIn(fx.server, { code, username: 'cdesk', password });
    const linkable = { givenName: 'Linda', familyName: `Linkable${marker('c').slice(1, 8)}`, birthDate: '1971-03-04' };
    const byId = uuidv7();
    const byCode = uuidv7();
    await c.device.push(
      c.device.mutation('patient', byId, patientFields({ ...linkable, mrn: 'C-1' })),
      c.device.mutation('patient', byCode, patientFields({ ...linkable, givenName: 'Codey', mrn: 'C-2' })),
    );
    const identifier = digits(9);
    await c.client.patients.identifiers.add.mutate({ patientId: byId, system: 'national_id', value: identifier });
    const linkCode = await c.client.patients.linkCode.issue.mutate({ patientId: byCode });
    await fx.server.admin.grantRole({ tenantId, username: fx.a.users.front_desk.username, role: 'front_desk', fromOrg: fx.a.code });
    Object.assign(fx.values, {
      'c.code': code,
      'c.linkable.identifier': identifier,
      'c.linkable.givenName': linkable.givenName,
      'c.linkable.familyName': linkable.familyName,
      'c.linkable.birthDate': linkable.birthDate,
      'c.linkCode': linkCode.code,
    });
  },
};

/**
 * The device lifecycle in each org: a workstation enrolled with an IT token (its device
 * credential is a marker) and a break-glass unlock uploaded by the front desk's
 * workstation (its reason text is a marker: it may name a patient).
 */
const deviceLifecycle: Planter = {
  name: 'enrolled workstations and break-glass unlocks (devices.*)',
  plant: async (fx) => {
    for (const org of [fx.a, fx.b]) {
      const { token } = await org.users.it_admin.client.admin.devices.enrollmentToken.mutate({ ttlMinutes: 60 });
      const deviceId = uuidv7();
      const enrolled = await syncClient(fx.server.url).devices.enroll.mutate({ protocolVersion: PROTOCOL_VERSION, token, deviceId, deviceName: `Desk ${org.label}` });
      const desk = org.users.front_desk;
      const breakGlassId = uuidv7();
      const reason = `Emergency ${marker(`${org.label}bg`)}`;
      const started = Date.now() - 60 * 60_000;
      const uploaded = await desk.client.devices.uploadBreakGlass.mutate({
        deviceId: desk.deviceId,
        entries: [{ id: breakGlassId, userId: desk.userId, reason, startedAt: new Date(started).toISOString(), expiresAt: new Date(started + 30 * 60_000).toISOString() }],
      });
      if (uploaded.stored !== 1) throw new Error(`org ${org.label} break-glass upload stored ${uploaded.stored}`);
      addIds(org.ids, 'enrolledDevice', deviceId);
      addIds(org.ids, 'device', deviceId);
      addIds(org.ids, 'breakGlass', breakGlassId);
      org.markers.push(enrolled.deviceCredential, reason);
      fx.values[`${org.label}.deviceCredential`] = enrolled.deviceCredential;
    }
  },
};

/**
 * A failed sign-in counted against each org's front desk (tenant_info.sign_in_throttle). The
 * test server runs with the throttle off (the attack suite signs in wrongly on purpose), so
 * the throttle records the attempt directly, as auth.signIn would have.
 */
const signInThrottle: Planter = {
  name: 'a counted wrong password (sign-in throttle)',
  plant: async (fx) => {
    const throttle = new SignInThrottle(fx.server.databases.domains.tenant_info, DEFAULT_SIGN_IN_THROTTLE, () => undefined);
    for (const org of [fx.a, fx.b]) {
      const admitted = await throttle.begin({ tenantId: org.tenantId, org: org.code, username: org.users.front_desk.username, source: null });
      if (!admitted.ok) throw new Error(`org ${org.label}: the throttle refused the planted attempt`);
      await admitted.attempt.end('failed');
    }
  },
};

/** Two vault credentials per org (vault.*): their label, username and secret are markers. */
const vault: Planter = {
  name: 'vault credentials (vault.*)',
  plant: async (fx) => {
    for (const org of [fx.a, fx.b]) {
      const admin = org.users.org_admin.client;
      for (const kind of ['payer_portal', 'ehr_integration'] as const) {
        const label = `Portal ${marker(org.label)} ${kind}`;
        const username = `svc-${marker(org.label).slice(0, 12)}-${kind}`;
        const secret = `secret-${marker(org.label)}-${kind}`;
        const stored = await admin.vault.store.mutate({ kind, label, endpoint: 'https://portal.example/login', username, secret });
        addIds(org.ids, 'vaultSecret', stored.id);
        org.markers.push(label, username, secret);
      }
    }
  },
};

/** Two exports per org (exports.create), planted last so they hold everything above. */
const exports: Planter = {
  name: 'data exports (exports.*)',
  plant: async (fx) => {
    for (const org of [fx.a, fx.b]) {
      for (let i = 0; i < 2; i++) addIds(org.ids, 'export', (await org.users.org_admin.client.exports.create.mutate({})).exportId);
    }
  },
};

/** One onboarding import per org (import_keys in master_data, personnel and scheduling): a patient, practitioner, room and visit of its own. */
const onboardingImport: Planter = {
  name: 'an onboarding import (clinicsync-server import)',
  plant: async (fx) => {
    const folder = mkdtempSync(join(tmpdir(), 'clinicsync-attack-import-'));
    try {
      const domains = fx.server.databases.domains;
      const targets = { masterData: domains.master_data, personnel: domains.personnel, scheduling: domains.scheduling, clock: new HybridClock('attack-import'), notify: () => undefined };
      for (const org of [fx.a, fx.b]) {
        const family = marker(`Imported${org.label}`);
        const mrn = `IMP-${digits(8)}`;
        const ref = (type: string, id: string) => ({ actor: { reference: `${type}/${id}` }, status: 'accepted' });
        const resources = [
          { resourceType: 'Patient', id: 'p1', identifier: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] }, value: mrn }], name: [{ family, given: ['Ina'] }], gender: 'female', birthDate: '1961-04-05' },
          { resourceType: 'Practitioner', id: 'pr1', name: [{ family: `Dr${family}`, given: ['Ivo'] }] },
          { resourceType: 'Location', id: 'l1', name: `Room ${family}` },
          { resourceType: 'Appointment', id: 'a1', status: 'booked', start: '2031-05-06T09:00:00Z', end: '2031-05-06T09:30:00Z', participant: [ref('Patient', 'p1'), ref('Practitioner', 'pr1'), ref('Location', 'l1')] },
        ];
        const path = join(folder, `${org.label}.json`);
        writeFileSync(path, JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: resources.map((resource) => ({ resource })) }));
        const result = await runImport(targets, org.tenantId, { kind: 'fhir', path }, join(folder, `${org.label}-report.ndjson`));
        if (result.errors !== 0 || !result.readable) throw new Error(`the planted import failed: ${JSON.stringify(result.counts)}`);
        org.markers.push(family, mrn);
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  },
};

export const PLANTERS: readonly Planter[] = [
  patientsAndAppointments,
  sharedPatient,
  personnel,
  scheduling,
  clinical,
  configuration,
  identitiesAndAccess,
  deviceLifecycle,
  backgroundWork,
  thirdOrg,
  signInThrottle,
  vault,
  exports,
  onboardingImport,
];
