import { join } from 'node:path';
import type { DatabaseSet } from '../../db/domain-db.ts';
import { ExportFile, ndjsonLine } from './export-file.ts';
import type { ExportLookups } from './export-lookups.ts';
import * as fhir from './fhir-resources.ts';
import { keysetPages, type KeysetSpec } from './keyset-pages.ts';

/** timestamptz as an R4 instant (UTC, milliseconds), formatted by the database on both engines. */
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** Rows per page: short queries (other orgs never wait long behind one), and a page of 20,000-character notes stays a few MB. */
const PAGE = 250;
const NOTE_PAGE = 100;

export interface FhirFileResult {
  type: string;
  file: string;
  count: number;
}

interface FhirContext {
  databases: DatabaseSet;
  tenantId: string;
  outDir: string;
  lookups: ExportLookups;
}

/** Streams pages through `toResources` into `<type>.ndjson`, one resource per line. */
async function writeResourceFile<Row extends object>(
  context: FhirContext,
  type: string,
  pages: AsyncGenerator<Row[]>,
  toResources: (rows: Row[]) => Promise<fhir.FhirResource[]> | fhir.FhirResource[],
): Promise<FhirFileResult> {
  const file = new ExportFile(join(context.outDir, `${type}.ndjson`), `${type}.ndjson`);
  try {
    for await (const rows of pages) {
      await file.rows((await toResources(rows)).map(ndjsonLine));
    }
    await file.close();
  } catch (error) {
    file.abort();
    throw error;
  }
  return { type, file: file.name, count: file.count };
}

function pages<Row extends object>(context: FhirContext, domain: keyof DatabaseSet['domains'], spec: KeysetSpec): AsyncGenerator<Row[]> {
  return keysetPages<Row>(context.databases.domains[domain], context.tenantId, spec);
}

async function organizationFile(context: FhirContext): Promise<FhirFileResult> {
  const { tenantId, databases } = context;
  async function* one(): AsyncGenerator<fhir.OrganizationRow[]> {
    const [tenant] = await databases.domains.tenant_info.withTenant(tenantId, (sql) =>
      sql.query<{ id: string; code: string; name: string; status: string }>('SELECT id::text AS id, code, name, status FROM tenant_info.tenants WHERE id = $1', [tenantId]),
    );
    if (!tenant) return;
    const [profile] = await databases.domains.configuration.withTenant(tenantId, (sql) =>
      sql.query<Omit<fhir.OrganizationRow, 'id' | 'code' | 'name' | 'status'>>(
        `SELECT legal_name AS "legalName", npi, tax_id AS "taxId", address_line1 AS "addressLine1", address_line2 AS "addressLine2",
                city, region, postal_code AS "postalCode", country, phone
         FROM configuration.practice_profiles WHERE tenant_id = $1`,
        [tenantId],
      ),
    );
    yield [{ legalName: null, npi: null, taxId: null, addressLine1: null, addressLine2: null, city: null, region: null, postalCode: null, country: null, phone: null, ...profile, ...tenant }];
  }
  return writeResourceFile(context, 'Organization', one(), (rows) => rows.map(fhir.organization));
}

function locationFile(context: FhirContext): Promise<FhirFileResult> {
  const spec = { select: 'l.id::text AS id, l.name, l.kind, l.active', from: 'scheduling.locations l', where: 'l.tenant_id = $1', key: [{ column: 'l.id', alias: 'id' }], pageSize: PAGE };
  return writeResourceFile(context, 'Location', pages<fhir.LocationRow>(context, 'scheduling', spec), (rows) => rows.map((row) => fhir.location(row, context.tenantId)));
}

const STAFF_SPEC: KeysetSpec = {
  select: 's.id::text AS id, s.display_name AS "displayName", s.job_title AS "jobTitle", s.is_practitioner AS "isPractitioner", s.npi, s.active',
  from: 'personnel.staff s',
  where: 's.tenant_id = $1',
  key: [{ column: 's.id', alias: 'id' }],
  pageSize: PAGE,
};

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(key(row));
    if (group) group.push(row);
    else groups.set(key(row), [row]);
  }
  return groups;
}

function practitionerFile(context: FhirContext): Promise<FhirFileResult> {
  const { tenantId, databases } = context;
  return writeResourceFile(context, 'Practitioner', pages<fhir.StaffRow>(context, 'personnel', STAFF_SPEC), async (rows) => {
    const licences = await databases.domains.personnel.withTenant(tenantId, (sql) =>
      sql.query<fhir.LicenceRow>(
        `SELECT staff_id::text AS "staffId", kind, number, jurisdiction, expires_on::text AS "expiresOn" FROM personnel.licences
         WHERE tenant_id = $1 AND staff_id = ANY ($2::uuid[]) ORDER BY staff_id, id`,
        [tenantId, rows.map((row) => row.id)],
      ),
    );
    const byStaff = groupBy(licences, (licence) => licence.staffId);
    return rows.map((row) => fhir.practitioner(row, byStaff.get(row.id) ?? []));
  });
}

function practitionerRoleFile(context: FhirContext): Promise<FhirFileResult> {
  const { tenantId, databases } = context;
  return writeResourceFile(context, 'PractitionerRole', pages<fhir.StaffRow>(context, 'personnel', STAFF_SPEC), async (rows) => {
    const ids = rows.map((row) => row.id);
    const roles = await databases.domains.personnel.withTenant(tenantId, (sql) =>
      sql.query<{ staffId: string; jobRole: string }>(
        'SELECT staff_id::text AS "staffId", job_role AS "jobRole" FROM personnel.staff_job_roles WHERE tenant_id = $1 AND staff_id = ANY ($2::uuid[]) ORDER BY staff_id, job_role',
        [tenantId, ids],
      ),
    );
    const schedules = await databases.domains.scheduling.withTenant(tenantId, (sql) =>
      sql.query<fhir.ScheduleRow>(
        `SELECT practitioner_id::text AS "practitionerId", location_id::text AS "locationId", weekday, start_time::text AS "startTime", end_time::text AS "endTime"
         FROM scheduling.practitioner_schedules WHERE tenant_id = $1 AND practitioner_id = ANY ($2::uuid[]) ORDER BY practitioner_id, weekday, start_time, id`,
        [tenantId, ids],
      ),
    );
    const rolesOf = groupBy(roles, (role) => role.staffId);
    const schedulesOf = groupBy(schedules, (schedule) => schedule.practitionerId);
    return rows.map((row) =>
      fhir.practitionerRole(row, (rolesOf.get(row.id) ?? []).map((role) => role.jobRole), schedulesOf.get(row.id) ?? [], tenantId, context.lookups.locations),
    );
  });
}

function patientFile(context: FhirContext): Promise<FhirFileResult> {
  const { tenantId, databases } = context;
  // This org's link row only (its MRN); the core identity is readable through that link alone (RLS).
  const spec: KeysetSpec = {
    select: `tp.patient_id::text AS id, tp.mrn, p.given_name AS "givenName", p.family_name AS "familyName", p.birth_date::text AS "birthDate", p.sex, p.phone`,
    from: 'master_data.tenant_patients tp JOIN master_data.patients p ON p.id = tp.patient_id',
    where: 'tp.tenant_id = $1 AND NOT tp.deleted',
    key: [{ column: 'tp.patient_id', alias: 'id' }],
    pageSize: PAGE,
  };
  return writeResourceFile(context, 'Patient', pages<fhir.PatientRow>(context, 'master_data', spec), async (rows) => {
    const identifiers = await databases.domains.master_data.withTenant(tenantId, (sql) =>
      sql.query<{ patientId: string; system: string; value: string }>(
        `SELECT patient_id::text AS "patientId", system, value FROM master_data.patient_identifiers
         WHERE tenant_id = $1 AND patient_id = ANY ($2::uuid[]) ORDER BY patient_id, system, value`,
        [tenantId, rows.map((row) => row.id)],
      ),
    );
    const byPatient = groupBy(identifiers, (identifier) => identifier.patientId);
    return rows.map((row) => fhir.patient(row, byPatient.get(row.id) ?? [], tenantId));
  });
}

function encounterFile(context: FhirContext): Promise<FhirFileResult> {
  const spec: KeysetSpec = {
    select: `e.id::text AS id, e.patient_id::text AS "patientId", e.appointment_id::text AS "appointmentId", e.practitioner_id::text AS "practitionerId",
             e.status, ${iso('e.started_at')} AS "startedAt", ${iso('e.ended_at')} AS "endedAt"`,
    from: 'clinical.encounters e',
    where: 'e.tenant_id = $1',
    key: [{ column: 'e.id', alias: 'id' }],
    pageSize: PAGE,
  };
  return writeResourceFile(context, 'Encounter', pages<fhir.EncounterRow>(context, 'clinical', spec), async (rows) => {
    const linked = await context.lookups.linkedPatients(rows.map((row) => row.patientId));
    const appointments = await context.lookups.liveAppointments(rows.flatMap((row) => (row.appointmentId ? [row.appointmentId] : [])));
    return rows.map((row) => fhir.encounter(row, { tenantId: context.tenantId, linked, appointments, staff: context.lookups.staff }));
  });
}

function appointmentFile(context: FhirContext): Promise<FhirFileResult> {
  const spec: KeysetSpec = {
    select: `a.id::text AS id, a.patient_id::text AS "patientId", a.status, ${iso('a.starts_at')} AS "startsAt", ${iso('a.ends_at')} AS "endsAt", a.reason,
             a.practitioner_id::text AS "practitionerId", a.practitioner_name AS "practitionerName", a.location_id::text AS "locationId", a.location`,
    from: 'scheduling.appointments a',
    where: 'a.tenant_id = $1 AND NOT a.deleted',
    key: [{ column: 'a.id', alias: 'id' }],
    pageSize: PAGE,
  };
  return writeResourceFile(context, 'Appointment', pages<fhir.AppointmentRow>(context, 'scheduling', spec), async (rows) => {
    const linked = await context.lookups.linkedPatients(rows.map((row) => row.patientId));
    return rows.map((row) => fhir.appointment(row, { linked, staff: context.lookups.staff, locations: context.lookups.locations }));
  });
}

function serviceRequestFile(context: FhirContext): Promise<FhirFileResult> {
  const spec: KeysetSpec = {
    select: `o.id::text AS id, o.encounter_id::text AS "encounterId", e.patient_id::text AS "patientId", o.kind, o.code, o.description, o.status,
             o.ordered_by::text AS "orderedBy", ${iso('o.created_at')} AS "createdAt"`,
    from: 'clinical.orders o JOIN clinical.encounters e ON e.tenant_id = o.tenant_id AND e.id = o.encounter_id',
    where: 'o.tenant_id = $1',
    key: [{ column: 'o.id', alias: 'id' }],
    pageSize: PAGE,
  };
  return writeResourceFile(context, 'ServiceRequest', pages<fhir.OrderRow>(context, 'clinical', spec), async (rows) => {
    const linked = await context.lookups.linkedPatients(rows.map((row) => row.patientId));
    return rows.map((row) => fhir.serviceRequest(row, { linked, staffOfUser: context.lookups.staffOfUser }));
  });
}

function documentReferenceFile(context: FhirContext): Promise<FhirFileResult> {
  const spec: KeysetSpec = {
    select: `n.id::text AS id, n.encounter_id::text AS "encounterId", e.patient_id::text AS "patientId", n.amends_id::text AS "amendsId", n.kind, n.body,
             n.status, n.author_id::text AS "authorId", ${iso('n.signed_at')} AS "signedAt", ${iso('n.created_at')} AS "createdAt"`,
    from: 'clinical.notes n JOIN clinical.encounters e ON e.tenant_id = n.tenant_id AND e.id = n.encounter_id',
    where: 'n.tenant_id = $1',
    key: [{ column: 'n.id', alias: 'id' }],
    pageSize: NOTE_PAGE,
  };
  return writeResourceFile(context, 'DocumentReference', pages<fhir.NoteRow>(context, 'clinical', spec), async (rows) => {
    const linked = await context.lookups.linkedPatients(rows.map((row) => row.patientId));
    return rows.map((row) => fhir.documentReference(row, { linked, staffOfUser: context.lookups.staffOfUser }));
  });
}

/** The FHIR part of the export, one file per resource type, written one after another. */
export async function writeFhirFiles(context: FhirContext): Promise<FhirFileResult[]> {
  const results: FhirFileResult[] = [];
  for (const write of [organizationFile, locationFile, practitionerFile, practitionerRoleFile, patientFile, encounterFile, appointmentFile, serviceRequestFile, documentReferenceFile]) {
    results.push(await write(context));
  }
  return results;
}
