import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { freshStorePerTest } from '../test-support/fresh-store.ts';
import { samplePatient } from './test-fixtures.ts';

/**
 * The clinical rules checked on the workstation before anything is queued (the same
 * shared rules the server applies), on a real encrypted store. A refused write leaves
 * neither a row change nor an outbox entry.
 */
const openFresh = freshStorePerTest();

function openWithEncounter() {
  const store = openFresh();
  const patientId = store.patients.create(samplePatient()).id;
  const encounterId = store.encounters.open({ patientId, startedAt: '2026-03-02T09:00:00.000Z' }).id;
  return { s: store, patientId, encounterId };
}

const author = uuidv7();
const colleague = uuidv7();

describe('clinical records on the workstation', () => {
  it('keeps a draft to its author and a signed note final, queuing nothing that was refused', () => {
    const { s, encounterId } = openWithEncounter();
    const { id } = s.notes.createDraft(author, { encounterId, kind: 'progress', body: 'First thoughts' });
    const queued = s.pendingCount();
    expect(() => s.notes.editDraft(colleague, id, { body: 'Not mine' })).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN', message: 'Only the author of a draft note can change it.' }),
    );
    expect(() => s.notes.sign(colleague, id)).toThrow(expect.objectContaining({ code: 'FORBIDDEN', message: 'Only the author of a draft note can sign it.' }));
    s.notes.sign(author, id);
    expect(() => s.notes.editDraft(author, id, { body: 'Afterthought' })).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    expect(s.pendingCount()).toBe(queued + 1); // only the signing
    expect(s.notes.get(id)).toMatchObject({ body: 'First thoughts', status: 'signed', authorId: author });
    expect(s.notes.get(id)?.signedAt).toEqual(expect.any(String));
  });

  it('amends only a signed note, as a new draft of the amending author on the same encounter', () => {
    const { s, encounterId } = openWithEncounter();
    const draft = s.notes.createDraft(author, { encounterId, kind: 'soap', body: 'Draft' }).id;
    expect(() => s.notes.amend(colleague, draft, { body: 'Fix' })).toThrow(
      expect.objectContaining({ code: 'CONFLICT', message: 'Only a signed note can be amended. Edit the draft instead.' }),
    );
    expect(() => s.notes.amend(colleague, uuidv7(), { body: 'Fix' })).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    s.notes.sign(author, draft);
    const amendment = s.notes.amend(colleague, draft, { body: 'Correction' }).id;
    // Id order is creation order only to the millisecond (UUIDv7), so compare by id.
    const byId = (rows: string[][]) => [...rows].sort((x, y) => x[0]!.localeCompare(y[0]!));
    expect(s.notes.ofEncounter(encounterId).map((n) => [n.id, n.amendsId ?? '', n.authorId, n.status, n.kind])).toEqual(
      byId([
        [draft, '', author, 'signed', 'soap'],
        [amendment, draft, colleague, 'draft', 'soap'],
      ]),
    );
  });

  it('validates note contents before queuing', () => {
    const { s, encounterId } = openWithEncounter();
    expect(() => s.notes.createDraft(author, { encounterId, kind: 'progress', body: '   ' })).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    expect(() => s.notes.createDraft(author, { encounterId: uuidv7(), kind: 'progress', body: 'x' })).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    expect(() => s.notes.createDraft(author, { encounterId, kind: 'poem', body: 'x' })).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    expect(s.pendingBatch(100).map((m) => m.entity)).toEqual(['patient', 'encounter']);
  });

  it('moves orders along the shared state machine only, and places none on a closed encounter', () => {
    const { s, encounterId } = openWithEncounter();
    const { id } = s.orders.place(author, { encounterId, kind: 'imaging', code: '36643-5', description: 'Chest X-ray', status: 'draft' });
    expect(() => s.orders.transition(id, 'on_hold')).toThrow(
      expect.objectContaining({ code: 'CONFLICT', message: 'This order is a draft and cannot become on hold: it can only become active or cancelled.' }),
    );
    s.orders.transition(id, 'active');
    s.orders.transition(id, 'on_hold');
    expect(s.orders.get(id)).toMatchObject({ status: 'on_hold', orderedBy: author });
    s.encounters.close(encounterId, '2026-03-02T09:30:00.000Z');
    expect(() => s.orders.place(author, { encounterId, kind: 'lab', code: '2345-7', description: 'Glucose' })).toThrow(
      expect.objectContaining({ code: 'CONFLICT', message: 'This encounter is closed. Open a new encounter to place an order.' }),
    );
    expect(() => s.encounters.close(encounterId)).toThrow(expect.objectContaining({ code: 'CONFLICT', message: 'This encounter is already closed.' }));
  });

  it('answers chart and day queries from the indexed columns', () => {
    const { s, patientId, encounterId } = openWithEncounter();
    const practitionerId = uuidv7();
    const later = s.encounters.open({ patientId, practitionerId, startedAt: '2026-03-03T08:00:00+01:00' }).id;
    const nextDay = s.encounters.open({ patientId, practitionerId, startedAt: '2026-03-04T08:00:00.000Z' }).id;
    expect(s.encounters.ofPatient(patientId).map((e) => e.id)).toEqual([nextDay, later, encounterId]);
    const day = Date.parse('2026-03-03T00:00:00.000Z');
    expect(s.encounters.ofPractitionerBetween(practitionerId, day, day + 86_400_000).map((e) => e.id)).toEqual([later]);
    const plan = s.db.prepare('EXPLAIN QUERY PLAN SELECT * FROM encounters WHERE practitioner_id = ? AND started_at_ms >= ? AND started_at_ms < ?').all(practitionerId, 0, 1);
    expect(JSON.stringify(plan)).toContain('encounters_practitioner_day');
  });
});
