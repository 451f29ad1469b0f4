import { describe, expect, it } from 'vitest';
import { ORDER_STATUSES, ORDER_TRANSITIONS } from '../../../shared/api/clinical.ts';
import { noteAuthorLabel, noteStatusLabel, orderMoves, utcToday } from './clinical-text.ts';
import { defaultPractitionerId, practitionerInUse } from './practitioner-choice.ts';

describe('clinical screen words', () => {
  it('offers exactly the moves of the shared order state machine, none from a final status', () => {
    for (const status of ORDER_STATUSES) expect(orderMoves(status).map((m) => m.to)).toEqual(ORDER_TRANSITIONS[status]);
    expect(orderMoves('active').map((m) => m.label)).toEqual(['Put on hold', 'Complete', 'Cancel order']);
    expect(orderMoves('on_hold').map((m) => m.label)).toEqual(['Resume', 'Cancel order']);
    expect(orderMoves('completed')).toEqual([]);
  });

  it('names note statuses, including amended and amendments', () => {
    expect(noteStatusLabel({ status: 'draft', amendsId: null }, false)).toBe('Draft');
    expect(noteStatusLabel({ status: 'signed', amendsId: null }, true)).toBe('Amended');
    expect(noteStatusLabel({ status: 'signed', amendsId: 'x' }, false)).toBe('Amendment, signed');
  });

  it('takes the UTC day', () => {
    expect(utcToday(new Date('2026-03-02T23:30:00-05:00'))).toBe('2026-03-03');
  });
});

describe('default practitioner for My day', () => {
  const list = [
    { id: 'a', displayName: 'Dr. Able', linkedToYou: false },
    { id: 'b', displayName: 'Dr. Bee', linkedToYou: false },
    { id: 'c', displayName: 'Clinician (demo)', linkedToYou: false },
  ];
  const linkedB = list.map((p) => ({ ...p, linkedToYou: p.id === 'b' }));
  it("prefers this user's pick in this window, then the record linked to them, then the remembered id, then the first; never a name", () => {
    expect(defaultPractitionerId(linkedB, { picked: 'c', remembered: 'a' })).toBe('c');
    expect(defaultPractitionerId(linkedB, { picked: null, remembered: 'a' })).toBe('b');
    expect(defaultPractitionerId(linkedB, { picked: 'gone', remembered: 'a' })).toBe('b');
    expect(defaultPractitionerId(list, { picked: null, remembered: 'c' })).toBe('c');
    expect(defaultPractitionerId(list, { picked: null, remembered: null })).toBe('a');
    expect(defaultPractitionerId(list, { picked: null, remembered: 'gone' })).toBe('a');
    expect(defaultPractitionerId([], { picked: 'a', remembered: 'a' })).toBe('');
  });
  it('opens a chart encounter with the practitioner last in use, else the linked one, else none', () => {
    expect(practitionerInUse(linkedB, 'a')).toBe('a');
    expect(practitionerInUse(linkedB, 'gone')).toBe('b');
    expect(practitionerInUse(list, null)).toBeNull();
  });
});

describe('note author', () => {
  const names = new Map([['u-ada', 'Dr Ada Lovelace']]);
  it('says you, the linked staff name, or another clinician', () => {
    expect(noteAuthorLabel('u-me', 'u-me', names)).toBe('By you');
    expect(noteAuthorLabel('u-ada', 'u-me', names)).toBe('By Dr Ada Lovelace');
    expect(noteAuthorLabel('u-unlinked', 'u-me', names)).toBe('By another clinician');
  });
});
