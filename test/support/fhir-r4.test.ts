import { describe, expect, it } from 'vitest';
import { validateResource } from '@medplum/core';
import { fhirR4Problems } from './fhir-r4.ts';

/**
 * The validator must catch what matters: a good resource passes, and a bad value of each
 * kind fails. The medplum-alone case shows why the JSON schema pass exists.
 */
describe('FHIR R4 validator (official definitions)', () => {
  const patient = { resourceType: 'Patient' as const, id: 'p1', gender: 'female' as const, birthDate: '1980-02-03', name: [{ family: 'Doe', given: ['Jane'] }] };

  it('accepts a valid resource', () => {
    expect(fhirR4Problems(patient)).toEqual([]);
  });

  it('refuses a missing required element and an unknown property (StructureDefinitions)', () => {
    expect(fhirR4Problems({ resourceType: 'Encounter', id: 'e1', status: 'finished' } as never).join('\n')).toMatch(/Encounter\.class/);
    expect(fhirR4Problems({ ...patient, nickname: 'J' } as never).join('\n')).toMatch(/nickname/);
    expect(fhirR4Problems({ ...patient, birthDate: '1980-13-45' }).length).toBeGreaterThan(0);
  });

  it('refuses a code outside a required binding, which medplum alone lets through', () => {
    const bad = { ...patient, gender: 'banana' } as never;
    expect(() => validateResource(bad)).not.toThrow();
    expect(fhirR4Problems(bad).join('\n')).toMatch(/schema: \/gender/);
    expect(fhirR4Problems(bad).join('\n')).toMatch(/binding: Patient\.gender/);
    const participant = [{ status: 'accepted', actor: { reference: 'Patient/p' } }];
    for (const [resource, path] of [
      [{ resourceType: 'Encounter', id: 'e', status: 'open', class: { code: 'AMB' } }, 'Encounter.status'],
      [{ resourceType: 'Appointment', id: 'a', status: 'checked_in', participant }, 'Appointment.status'],
      [{ resourceType: 'Appointment', id: 'a', status: 'booked', participant: [{ status: 'yes', actor: { reference: 'Patient/p' } }] }, 'Appointment.participant.status'],
      [{ resourceType: 'ServiceRequest', id: 's', status: 'active', intent: 'orders', subject: { reference: 'Patient/p' } }, 'ServiceRequest.intent'],
      [{ resourceType: 'ServiceRequest', id: 's', status: 'on_hold', intent: 'order', subject: { reference: 'Patient/p' } }, 'ServiceRequest.status'],
      [{ resourceType: 'DocumentReference', id: 'd', status: 'signed', content: [{ attachment: { data: 'aGk=' } }] }, 'DocumentReference.status'],
      [{ resourceType: 'DocumentReference', id: 'd', status: 'current', docStatus: 'draft', content: [{ attachment: { data: 'aGk=' } }] }, 'DocumentReference.docStatus'],
    ] as const) {
      expect(fhirR4Problems(resource as never).join('\n')).toContain(`binding: ${path} =`);
    }
    // A good value of the same elements passes all three passes.
    expect(fhirR4Problems({ resourceType: 'ServiceRequest', id: 's', status: 'on-hold', intent: 'order', subject: { reference: 'Patient/p' } })).toEqual([]);
  });
});

