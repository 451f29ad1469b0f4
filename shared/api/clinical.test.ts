import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../ids.ts';
import { ORDER_STATUSES, ORDER_TRANSITIONS, noteCreateDraftInput, noteListInput, orderTransitionInput, orderTransitionRefusal } from './clinical.ts';

describe('order state machine', () => {
  it('allows exactly draft → active | cancelled, active → on_hold | completed | cancelled, on_hold → active | cancelled', () => {
    const allowed = ORDER_STATUSES.flatMap((from) => ORDER_STATUSES.filter((to) => orderTransitionRefusal(from, to) === null).map((to) => `${from}→${to}`));
    expect(allowed.sort()).toEqual(
      ['draft→active', 'draft→cancelled', 'active→on_hold', 'active→completed', 'active→cancelled', 'on_hold→active', 'on_hold→cancelled'].sort(),
    );
    expect(ORDER_TRANSITIONS.completed).toEqual([]);
    expect(ORDER_TRANSITIONS.cancelled).toEqual([]);
  });

  it('refuses every other move with a sentence that names both statuses', () => {
    const words = { draft: 'draft', active: 'active', on_hold: 'on hold', completed: 'completed', cancelled: 'cancelled' };
    for (const from of ORDER_STATUSES) {
      for (const to of ORDER_STATUSES) {
        const refusal = orderTransitionRefusal(from, to);
        if (refusal === null) continue;
        expect(refusal).toContain(words[from]);
        expect(refusal).toContain(words[to]);
        expect(refusal).toMatch(/^This order is .*\.$/);
      }
    }
    expect(orderTransitionRefusal('cancelled', 'active')).toBe('This order is cancelled and cannot become active: it is final and cannot change any more.');
  });
});

describe('clinical inputs', () => {
  const encounterId = uuidv7();

  it('are strict and bounded', () => {
    expect(noteCreateDraftInput.safeParse({ encounterId, kind: 'soap', body: 'ok', tenantId: uuidv7() }).success).toBe(false);
    expect(noteCreateDraftInput.safeParse({ encounterId, kind: 'soap', body: 'x'.repeat(20_001) }).success).toBe(false);
    expect(noteCreateDraftInput.safeParse({ encounterId, kind: 'soap', body: 'a\u0007bell' }).success).toBe(false);
    expect(noteCreateDraftInput.safeParse({ encounterId, kind: 'soap', body: 'S: ok\r\n\tO: ok' }).success).toBe(true);
    expect(noteCreateDraftInput.safeParse({ encounterId: 'ENC-1', kind: 'soap', body: 'ok' }).success).toBe(false);
    expect(orderTransitionInput.safeParse({ id: encounterId, to: 'shipped' }).success).toBe(false);
  });

  it('asks lists for exactly one scope: an encounter or a patient', () => {
    expect(noteListInput.safeParse({ encounterId }).success).toBe(true);
    expect(noteListInput.safeParse({ patientId: encounterId }).success).toBe(true);
    expect(noteListInput.safeParse({}).success).toBe(false);
    expect(noteListInput.safeParse({ encounterId, patientId: encounterId }).success).toBe(false);
    expect(noteListInput.safeParse({ encounterId, limit: 501 }).success).toBe(false);
  });
});
