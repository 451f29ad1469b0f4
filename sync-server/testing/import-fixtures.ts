import { createHash } from 'node:crypto';

/**
 * Test fixtures for the import suites: one small practice as FHIR R4 resources (three
 * patients, two practitioners, two locations, three appointments), plus one bad patient
 * (no MRN) and one appointment of that patient, which must fail and be reported.
 */

/** A valid NPI (Luhn over 80840 + the first nine digits). */
export const NPI = '1234567893';
const MR = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] };
const SS = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'SS' }] };

export const ADA = { givenName: 'Ada', familyName: 'Lovelace', birthDate: '1975-12-10', nationalId: '123456789' };

export function practicePatients(): Record<string, unknown>[] {
  return [
    {
      resourceType: 'Patient',
      id: 'pat-ada',
      identifier: [
        { type: MR, system: 'urn:oid:1.2.3.4', value: 'M-1' },
        { type: SS, system: 'http://hl7.org/fhir/sid/us-ssn', value: '123-45-6789' },
      ],
      name: [{ use: 'official', family: ADA.familyName, given: [ADA.givenName] }],
      gender: 'female',
      birthDate: ADA.birthDate,
      telecom: [{ system: 'phone', value: '555-0101' }],
    },
    { resourceType: 'Patient', id: 'pat-grace', identifier: [{ type: MR, value: 'M-2' }], name: [{ family: 'Hopper', given: ['Grace', 'Brewster'] }], gender: 'female', birthDate: '1906-12-09' },
    { resourceType: 'Patient', id: 'pat-alan', identifier: [{ type: MR, value: 'M-3' }], name: [{ family: 'Turing', given: ['Alan'] }], gender: 'male', birthDate: '1912-06-23' },
    // Bad: no MRN. Must be reported (by id), and its appointment must fail too.
    { resourceType: 'Patient', id: 'pat-nomrn', name: [{ family: 'Nobody', given: ['No'] }], gender: 'other', birthDate: '1990-01-01' },
  ];
}

export function practicePractitioners(): Record<string, unknown>[] {
  return [
    { resourceType: 'Practitioner', id: 'pr-jane', identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: NPI }], name: [{ prefix: ['Dr.'], given: ['Jane'], family: 'Smith' }] },
    { resourceType: 'Practitioner', id: 'pr-omar', name: [{ text: 'Omar Haddad, NP' }], active: true },
  ];
}

export function practiceLocations(): Record<string, unknown>[] {
  return [
    { resourceType: 'Location', id: 'loc-main', status: 'active', name: 'Main clinic', physicalType: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/location-physical-type', code: 'bu' }] } },
    { resourceType: 'Location', id: 'loc-room2', name: 'Room 2', physicalType: { coding: [{ code: 'ro' }] } },
  ];
}

/** `ref(type, id)` says how the source writes a reference (relative, absolute URL, or a Bundle fullUrl). */
export function practiceAppointments(ref: (type: string, id: string) => string): Record<string, unknown>[] {
  const actor = (type: string, id: string) => ({ actor: { reference: ref(type, id) }, status: 'accepted' });
  return [
    {
      resourceType: 'Appointment',
      id: 'apt-1',
      status: 'booked',
      description: 'Annual check-up',
      start: '2026-03-02T09:00:00Z',
      end: '2026-03-02T09:30:00Z',
      participant: [actor('Patient', 'pat-ada'), actor('Practitioner', 'pr-jane'), actor('Location', 'loc-main')],
    },
    {
      resourceType: 'Appointment',
      id: 'apt-2',
      status: 'fulfilled',
      start: '2026-03-02T10:30:00+01:00',
      end: '2026-03-02T10:50:00+01:00',
      participant: [actor('Patient', 'pat-grace'), actor('Practitioner', 'pr-omar'), actor('Location', 'loc-room2')],
    },
    { resourceType: 'Appointment', id: 'apt-3', status: 'cancelled', start: '2026-03-03T08:00:00Z', end: '2026-03-03T08:15:00Z', participant: [actor('Patient', 'pat-alan')] },
    // Its patient was rejected: must fail, not be booked against anyone.
    { resourceType: 'Appointment', id: 'apt-bad', status: 'booked', start: '2026-03-04T08:00:00Z', end: '2026-03-04T08:15:00Z', participant: [actor('Patient', 'pat-nomrn')] },
  ];
}

/** The practice as a transaction Bundle whose entries carry urn:uuid fullUrls that the appointments reference. */
export function practiceBundle(): Record<string, unknown> {
  const fullUrl = (type: string, id: string) => {
    const hex = createHash('sha256').update(`${type}/${id}`).digest('hex');
    return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  };
  const resources = [...practicePatients(), ...practicePractitioners(), ...practiceLocations(), ...practiceAppointments(fullUrl)];
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: resources.map((resource) => {
      const url = fullUrl(resource.resourceType as string, resource.id as string);
      // As a transaction from another system may: locations carry no id, only their fullUrl.
      const { id, ...withoutId } = resource;
      return { fullUrl: url, resource: resource.resourceType === 'Location' ? withoutId : { id, ...withoutId }, request: { method: 'POST', url: resource.resourceType } };
    }),
  };
}

/** The practice as Bulk Data NDJSON files (name → content), referencing by absolute URL. */
export function practiceNdjson(): Record<string, string> {
  const lines = (resources: Record<string, unknown>[]) => `${resources.map((r) => JSON.stringify(r)).join('\n')}\n`;
  return {
    'Patient.ndjson': lines(practicePatients()),
    'Practitioner.ndjson': lines(practicePractitioners()),
    'Location.ndjson': lines(practiceLocations()),
    'Appointment.ndjson': lines(practiceAppointments((type, id) => `https://old-ehr.example/fhir/${type}/${id}`)),
  };
}
