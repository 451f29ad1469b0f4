import { describe, expect, it } from 'vitest';
import { ORDER_STATUSES, ORDER_TRANSITIONS } from '../../../shared/api/clinical.ts';
import { noteStatusLabel, orderMoves, utcToday } from './clinical-text.ts';
import { defaultPractitionerId } from './practitioner-choice.ts';

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
    { id: 'a', displayName: 'Dr. Able' },
    { id: 'b', displayName: 'Clinician (demo)' },
  ];
  it('prefers the same name as the user, then the remembered id, then the first', () => {
    expect(defaultPractitionerId(list, 'clinician (demo)', 'a')).toBe('b');
    expect(defaultPractitionerId(list, 'Someone', 'b')).toBe('b');
    expect(defaultPractitionerId(list, 'Someone', 'gone')).toBe('a');
    expect(defaultPractitionerId([], 'Someone', 'a')).toBe('');
  });
});
