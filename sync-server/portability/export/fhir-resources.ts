/**
 * Rows of the domain databases as FHIR R4 resources: pure functions, no I/O. Every
 * reference these produce names a resource of the same export (the caller passes only ids
 * it exports; anything else becomes a display-only reference), and every code of a
 * required binding comes from the R4 value set (the export test validates each resource
 * against the official definitions).
 */
import type { StaffView } from '../../../shared/api/personnel.ts';

/** A FHIR resource as written to NDJSON. */
export interface FhirResource {
  resourceType: string;
  id: string;
  [element: string]: unknown;
}

type Reference = { reference: string; display?: string } | { display: string };

/** Identifier systems. Ours are URNs under urn:clinicsync; the MRN's names the org that assigned it. */
export const SYSTEMS = {
  npi: 'http://hl7.org/fhir/sid/us-npi',
  ein: 'urn:oid:2.16.840.1.113883.4.4',
  orgCode: 'urn:clinicsync:org-code',
  identifierType: 'http://terminology.hl7.org/CodeSystem/v2-0203',
  actCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  physicalType: 'http://terminology.hl7.org/CodeSystem/location-physical-type',
  loinc: 'http://loinc.org',
  jobRole: 'urn:clinicsync:job-role',
  licenceKind: 'urn:clinicsync:licence-kind',
  orderKind: 'urn:clinicsync:order-kind',
  orderCode: 'urn:clinicsync:order-code',
  noteKind: 'urn:clinicsync:note-kind',
} as const;

export const mrnSystem = (tenantId: string) => `urn:clinicsync:org:${tenantId}:mrn`;
export const patientIdentifierSystem = (tenantId: string, system: string) => `urn:clinicsync:org:${tenantId}:identifier:${system}`;

export const ref = (type: string, id: string, display?: string): Reference => (display ? { reference: `${type}/${id}`, display } : { reference: `${type}/${id}` });

/** FHIR strings may not be empty: an empty value is left out rather than written. */
function text(value: string | null | undefined): string | undefined {
  return value && value.trim() !== '' ? value : undefined;
}

/** Drops undefined members and empty arrays, so optional elements are absent rather than null. */
function compact<T extends Record<string, unknown>>(resource: T): T {
  for (const key of Object.keys(resource)) {
    const value = resource[key];
    if (value === undefined || (Array.isArray(value) && value.length === 0)) delete resource[key];
  }
  return resource;
}

export interface OrganizationRow {
  id: string;
  code: string;
  name: string;
  status: string;
  legalName: string | null;
  npi: string | null;
  taxId: string | null;
  addressLine1: string | null;
  addressLine2: string | null;
  city: string | null;
  region: string | null;
  postalCode: string | null;
  country: string | null;
  phone: string | null;
}

export function organization(row: OrganizationRow): FhirResource {
  const lines = [text(row.addressLine1), text(row.addressLine2)].filter((line): line is string => line !== undefined);
  const hasAddress = lines.length > 0 || text(row.city) || text(row.postalCode);
  return compact({
    resourceType: 'Organization',
    id: row.id,
    identifier: [
      { system: SYSTEMS.orgCode, value: row.code },
      ...(row.npi ? [{ system: SYSTEMS.npi, value: row.npi }] : []),
      ...(row.taxId ? [{ system: SYSTEMS.ein, value: row.taxId }] : []),
    ],
    active: row.status === 'active',
    name: text(row.legalName) ?? row.name,
    alias: text(row.legalName) && row.legalName !== row.name ? [row.name] : undefined,
    telecom: text(row.phone) ? [{ system: 'phone', value: row.phone }] : undefined,
    address: hasAddress
      ? [compact({ line: lines, city: text(row.city), state: text(row.region), postalCode: text(row.postalCode), country: text(row.country) })]
      : undefined,
  });
}

export interface LocationRow {
  id: string;
  name: string;
  kind: string;
  active: boolean;
}

const PHYSICAL_TYPE: Record<string, { code: string; display: string }> = {
  clinic: { code: 'bu', display: 'Building' },
  room: { code: 'ro', display: 'Room' },
  telehealth: { code: 'vi', display: 'Virtual' },
  external: { code: 'si', display: 'Site' },
};

export function location(row: LocationRow, tenantId: string): FhirResource {
  const physical = PHYSICAL_TYPE[row.kind];
  return compact({
    resourceType: 'Location',
    id: row.id,
    status: row.active ? 'active' : 'inactive',
    name: row.name,
    mode: 'instance',
    physicalType: physical ? { coding: [{ system: SYSTEMS.physicalType, ...physical }], text: row.kind } : { text: row.kind },
    managingOrganization: ref('Organization', tenantId),
  });
}

export type StaffRow = Pick<StaffView, 'id' | 'displayName' | 'jobTitle' | 'isPractitioner' | 'npi' | 'active'>;

export interface LicenceRow {
  staffId: string;
  kind: string;
  number: string;
  jurisdiction: string;
  expiresOn: string;
}

/** Every staff member (FHIR's Practitioner is anyone involved in providing care, desk staff included). */
export function practitioner(row: StaffRow, licences: readonly LicenceRow[]): FhirResource {
  return compact({
    resourceType: 'Practitioner',
    id: row.id,
    identifier: row.npi ? [{ system: SYSTEMS.npi, value: row.npi }] : undefined,
    active: row.active,
    name: [{ text: row.displayName }],
    qualification: licences.map((licence) => ({
      identifier: [{ value: licence.number }],
      code: { coding: [{ system: SYSTEMS.licenceKind, code: licence.kind }], text: `${licence.kind} (${licence.jurisdiction})` },
      period: { end: licence.expiresOn },
    })),
  });
}

export interface ScheduleRow {
  practitionerId: string;
  locationId: string;
  weekday: number;
  startTime: string;
  endTime: string;
}

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** The staff member's role in the org: job roles, the locations and weekly hours of their schedules. */
export function practitionerRole(row: StaffRow, jobRoles: readonly string[], schedules: readonly ScheduleRow[], tenantId: string, locationIds: ReadonlySet<string>): FhirResource {
  const locations = [...new Set(schedules.map((schedule) => schedule.locationId))].filter((id) => locationIds.has(id));
  return compact({
    resourceType: 'PractitionerRole',
    id: row.id,
    active: row.active,
    practitioner: ref('Practitioner', row.id, row.displayName),
    organization: ref('Organization', tenantId),
    code: [
      ...jobRoles.map((role) => ({ coding: [{ system: SYSTEMS.jobRole, code: role }], text: role })),
      ...(text(row.jobTitle) && !jobRoles.includes(row.jobTitle) ? [{ text: row.jobTitle }] : []),
    ],
    location: locations.map((id) => ref('Location', id)),
    availableTime: schedules.map((schedule) => ({
      daysOfWeek: [WEEKDAYS[schedule.weekday - 1] ?? 'mon'],
      availableStartTime: schedule.startTime,
      availableEndTime: schedule.endTime,
    })),
  });
}

export interface PatientRow {
  id: string;
  mrn: string;
  givenName: string;
  familyName: string;
  birthDate: string;
  sex: string;
  phone: string;
}

/**
 * The patient as THIS org knows them: the shared core identity, this org's MRN (system
 * naming the org, assigned by it) and the identifiers this org recorded. Nothing of any
 * other org's link is passed in.
 */
export function patient(row: PatientRow, identifiers: readonly { system: string; value: string }[], tenantId: string): FhirResource {
  const given = text(row.givenName);
  return compact({
    resourceType: 'Patient',
    id: row.id,
    identifier: [
      ...(text(row.mrn)
        ? [
            {
              use: 'usual',
              type: { coding: [{ system: SYSTEMS.identifierType, code: 'MR', display: 'Medical record number' }], text: 'MRN' },
              system: mrnSystem(tenantId),
              value: row.mrn,
              assigner: ref('Organization', tenantId),
            },
          ]
        : []),
      ...identifiers.map((identifier) => ({ system: patientIdentifierSystem(tenantId, identifier.system), value: identifier.value })),
    ],
    active: true,
    name: [compact({ family: text(row.familyName), given: given ? [given] : undefined })],
    telecom: text(row.phone) ? [{ system: 'phone', value: row.phone }] : undefined,
    gender: row.sex,
    birthDate: row.birthDate,
    managingOrganization: ref('Organization', tenantId),
  });
}

/** A patient reference, or a display-only one for a patient no longer linked to the org (their record is not in the export). */
export function patientRef(patientId: string, linked: ReadonlySet<string>): Reference {
  return linked.has(patientId) ? ref('Patient', patientId) : { display: 'A patient no longer linked to this organization' };
}

export interface EncounterRow {
  id: string;
  patientId: string;
  appointmentId: string | null;
  practitionerId: string | null;
  status: string;
  startedAt: string;
  endedAt: string | null;
}

export function encounter(row: EncounterRow, context: { tenantId: string; linked: ReadonlySet<string>; appointments: ReadonlySet<string>; staff: ReadonlySet<string> }): FhirResource {
  return compact({
    resourceType: 'Encounter',
    id: row.id,
    status: row.status === 'open' ? 'in-progress' : 'finished',
    class: { system: SYSTEMS.actCode, code: 'AMB', display: 'ambulatory' },
    subject: context.linked.has(row.patientId) ? ref('Patient', row.patientId) : undefined,
    participant: row.practitionerId && context.staff.has(row.practitionerId) ? [{ individual: ref('Practitioner', row.practitionerId) }] : undefined,
    appointment: row.appointmentId && context.appointments.has(row.appointmentId) ? [ref('Appointment', row.appointmentId)] : undefined,
    period: compact({ start: row.startedAt, end: row.endedAt ?? undefined }),
    serviceProvider: ref('Organization', context.tenantId),
  });
}

export interface AppointmentRow {
  id: string;
  patientId: string;
  status: string;
  startsAt: string;
  endsAt: string;
  reason: string;
  practitionerId: string | null;
  practitionerName: string;
  locationId: string | null;
  location: string;
}

const APPOINTMENT_STATUS: Record<string, string> = { booked: 'booked', checked_in: 'checked-in', cancelled: 'cancelled', no_show: 'noshow' };

export function appointment(row: AppointmentRow, context: { linked: ReadonlySet<string>; staff: ReadonlySet<string>; locations: ReadonlySet<string> }): FhirResource {
  const practitioner: Reference | null =
    row.practitionerId && context.staff.has(row.practitionerId)
      ? ref('Practitioner', row.practitionerId, text(row.practitionerName))
      : text(row.practitionerName)
        ? { display: row.practitionerName }
        : null;
  const place: Reference | null =
    row.locationId && context.locations.has(row.locationId) ? ref('Location', row.locationId, text(row.location)) : text(row.location) ? { display: row.location } : null;
  return compact({
    resourceType: 'Appointment',
    id: row.id,
    status: APPOINTMENT_STATUS[row.status] ?? 'booked',
    description: text(row.reason),
    start: row.startsAt,
    end: row.endsAt,
    participant: [
      { actor: patientRef(row.patientId, context.linked), status: 'accepted' },
      ...(practitioner ? [{ actor: practitioner, status: 'accepted' }] : []),
      ...(place ? [{ actor: place, status: 'accepted' }] : []),
    ],
  });
}

export interface OrderRow {
  id: string;
  encounterId: string;
  patientId: string;
  kind: string;
  code: string;
  description: string;
  status: string;
  orderedBy: string;
  createdAt: string;
}

const ORDER_STATUS: Record<string, string> = { draft: 'draft', active: 'active', on_hold: 'on-hold', completed: 'completed', cancelled: 'revoked' };

export function serviceRequest(row: OrderRow, context: { linked: ReadonlySet<string>; staffOfUser: ReadonlyMap<string, string> }): FhirResource {
  const requester = context.staffOfUser.get(row.orderedBy);
  return compact({
    resourceType: 'ServiceRequest',
    id: row.id,
    status: ORDER_STATUS[row.status] ?? 'unknown',
    intent: 'order',
    category: [{ coding: [{ system: SYSTEMS.orderKind, code: row.kind }], text: row.kind }],
    code: { coding: [{ system: SYSTEMS.orderCode, code: row.code, display: row.description }], text: row.description },
    subject: patientRef(row.patientId, context.linked),
    encounter: ref('Encounter', row.encounterId),
    authoredOn: row.createdAt,
    requester: requester ? ref('Practitioner', requester) : undefined,
  });
}

export interface NoteRow {
  id: string;
  encounterId: string;
  patientId: string;
  amendsId: string | null;
  kind: string;
  body: string;
  status: string;
  authorId: string;
  signedAt: string | null;
  createdAt: string;
}

/** LOINC document types for the note kinds (a SOAP note is a progress note). */
const NOTE_TYPE: Record<string, { code: string; display: string }> = {
  progress: { code: '11506-3', display: 'Progress note' },
  soap: { code: '11506-3', display: 'Progress note' },
  procedure: { code: '28570-0', display: 'Procedure note' },
  consult: { code: '11488-4', display: 'Consult note' },
  discharge: { code: '18842-5', display: 'Discharge summary' },
  phone: { code: '34748-4', display: 'Telephone encounter Note' },
  other: { code: '34109-9', display: 'Note' },
};

/**
 * A clinical note. docStatus: a draft is preliminary, a signed note final, a signed
 * amendment "amended" (it appends to the note it amends, which stays current and final:
 * amendments append, they never replace).
 */
export function documentReference(row: NoteRow, context: { linked: ReadonlySet<string>; staffOfUser: ReadonlyMap<string, string> }): FhirResource {
  const author = context.staffOfUser.get(row.authorId);
  const signed = row.status === 'signed';
  const type = NOTE_TYPE[row.kind];
  return compact({
    resourceType: 'DocumentReference',
    id: row.id,
    status: 'current',
    docStatus: !signed ? 'preliminary' : row.amendsId ? 'amended' : 'final',
    type: { coding: [...(type ? [{ system: SYSTEMS.loinc, ...type }] : []), { system: SYSTEMS.noteKind, code: row.kind }], text: row.kind },
    subject: context.linked.has(row.patientId) ? ref('Patient', row.patientId) : undefined,
    date: row.createdAt,
    author: author ? [ref('Practitioner', author)] : undefined,
    authenticator: signed && author ? ref('Practitioner', author) : undefined,
    relatesTo: row.amendsId ? [{ code: 'appends', target: ref('DocumentReference', row.amendsId) }] : undefined,
    content: [{ attachment: { contentType: 'text/plain; charset=utf-8', data: Buffer.from(row.body, 'utf8').toString('base64'), creation: row.signedAt ?? row.createdAt } }],
    context: { encounter: [ref('Encounter', row.encounterId)] },
  });
}
