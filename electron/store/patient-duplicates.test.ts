import { describe, expect, it } from 'vitest';
import { freshStorePerTest } from '../test-support/fresh-store.ts';
import type { OrgStore } from './org-store.ts';
import { editDistance, findDuplicatePatients, similarPerson, type DuplicateQuery } from './patient-duplicates.ts';
import { samplePatient } from './test-fixtures.ts';

const openStore = freshStorePerTest();

function clinic() {
  const s = openStore();
  return {
    s,
    zoe: s.patients.create(samplePatient({ givenName: 'Zoë', familyName: 'Émile-Durand', birthDate: '1985-07-06', phone: '+1 555-777-1234', mrn: 'NS-12' })).id,
    jonathan: s.patients.create(samplePatient({ givenName: 'Jonathan', familyName: 'Smith', birthDate: '1970-01-01', phone: '', mrn: '' })).id,
    // Same birth date as Jonathan, a different person: must not come up for "Jon Smith".
    other: s.patients.create(samplePatient({ givenName: 'Maria', familyName: 'Garcia', birthDate: '1970-01-01', phone: '555 222 3333', mrn: 'NS-99' })).id,
  };
}

const found = (s: OrgStore, query: DuplicateQuery) => findDuplicatePatients(s.db, query).map((c) => ({ id: c.patient.id, reasons: c.reasons }));

describe('findDuplicatePatients (real encrypted store)', () => {
  it('finds the same person despite case, accents, punctuation and swapped given/family names', () => {
    const { s, zoe } = clinic();
    expect(found(s, { givenName: 'zoe', familyName: 'EMILE DURAND', birthDate: '1985-07-06' })).toEqual([{ id: zoe, reasons: ['name_birth_date'] }]);
    expect(found(s, { givenName: 'Emile-Durand', familyName: 'Zoe', birthDate: '1985-07-06' })).toEqual([{ id: zoe, reasons: ['name_birth_date'] }]);
    // One typo (a transposed pair) still matches; another birth date does not.
    expect(found(s, { givenName: 'Zoe', familyName: 'Emiel-Durand', birthDate: '1985-07-06' })).toEqual([{ id: zoe, reasons: ['name_birth_date'] }]);
    expect(found(s, { givenName: 'Zoe', familyName: 'Emile-Durand', birthDate: '1985-07-07' })).toEqual([]);
  });

  it('finds the same MRN (any name) and the same phone digits with the same birth date; strongest evidence first', () => {
    const { s, zoe, other } = clinic();
    expect(found(s, { givenName: 'Someone', familyName: 'Else', birthDate: '2001-01-01', mrn: 'ns 12' })).toEqual([{ id: zoe, reasons: ['mrn'] }]);
    expect(found(s, { givenName: 'Z', familyName: 'D', birthDate: '1985-07-06', phone: '(555) 777-1234' })).toEqual([{ id: zoe, reasons: ['phone_birth_date'] }]);
    // Same phone, other birth date: a household member, not a duplicate.
    expect(found(s, { givenName: 'Z', familyName: 'D', birthDate: '1986-07-06', phone: '5557771234' })).toEqual([]);
    const both = found(s, { givenName: 'Zoe', familyName: 'Durand', birthDate: '1970-01-01', phone: '5552223333', mrn: 'NS-12' });
    expect(both).toEqual([
      { id: zoe, reasons: ['mrn'] },
      { id: other, reasons: ['phone_birth_date'] },
    ]);
    const all = found(s, { givenName: 'Zoé', familyName: 'Émile-Durand', birthDate: '1985-07-06', phone: '555-777-1234', mrn: 'NS-12' });
    expect(all).toEqual([{ id: zoe, reasons: ['mrn', 'name_birth_date', 'phone_birth_date'] }]);
  });

  it('matches a shortened given name but not a different person born the same day; no evidence, nothing found', () => {
    const { s, jonathan } = clinic();
    expect(found(s, { givenName: 'Jon', familyName: 'smith', birthDate: '1970-01-01' })).toEqual([{ id: jonathan, reasons: ['name_birth_date'] }]);
    expect(found(s, { givenName: 'Jane', familyName: 'Doe', birthDate: '1970-01-01', phone: '', mrn: '' })).toEqual([]);
    expect(found(s, { givenName: 'Jon', familyName: 'Smith', birthDate: '1970-01-01', mrn: '--' })).toEqual([{ id: jonathan, reasons: ['name_birth_date'] }]);
  });

  it('returns the row the list shows, pending until synced', () => {
    const { s, zoe } = clinic();
    const [candidate] = findDuplicatePatients(s.db, { givenName: 'Zoe', familyName: 'Emile-Durand', birthDate: '1985-07-06' });
    expect(candidate?.patient).toEqual(s.listPatients({ search: 'NS-12' }).find((p) => p.id === zoe));
    expect(candidate?.patient.pending).toBe(true);
  });
});

describe('name similarity', () => {
  it('counts a transposition as one edit and keeps short names strict', () => {
    expect(editDistance('durand', 'durnad')).toBe(1);
    expect(editDistance('ann', 'anna')).toBe(1);
    expect(similarPerson({ givenName: 'Ann', familyName: 'Lee' }, { givenName: 'Ann', familyName: 'Li' })).toBe(false);
    expect(similarPerson({ givenName: 'Ann', familyName: 'Lee' }, { givenName: 'Ana', familyName: 'Lee' })).toBe(true);
    expect(similarPerson({ givenName: 'Bob', familyName: 'Stone' }, { givenName: 'Rob', familyName: 'Smith' })).toBe(false);
  });
});
