import { NOTE_KINDS, ORDER_INITIAL_STATUSES, ORDER_KINDS, ORDER_STATUSES, type OrderStatus } from '../../shared/api/clinical.ts';
import type { EntityFields } from '../../shared/entities/catalog.ts';
import { encounterChangeRefusal, encounterTimesRefusal, type EncounterFields } from '../../shared/entities/encounter.ts';
import { amendmentTargetRefusal, noteChangeRefusal, noteNotFound, type NoteFields } from '../../shared/entities/note.ts';
import { orderChangeRefusal, orderNotFound, orderPlacementRefusal, type OrderFields } from '../../shared/entities/order.ts';
import { AppError } from '../../shared/errors.ts';
import { idSchema } from '../../shared/ids.ts';
import { z } from 'zod';
import type { StoreClock } from './clock.ts';
import type { Db } from './db.ts';
import { prepared } from './prepared.ts';
import { EntityRepository } from './repository.ts';
import { fieldsOfRow } from './rows.ts';
import { parseOrThrow } from './validation.ts';

/**
 * Local writes of clinical records, offline as online. Each write checks the same rules
 * the server applies (shared/entities/{encounter,note,order}.ts), so what the desk is
 * allowed to do here is what the server will accept; then it goes through an
 * EntityRepository (row + outbox entry in one transaction). Clinical records are never
 * deleted. `userId` is the signed-in person: a note's author, an order's orderer.
 */

const instant = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date and time' });
const encounterOpenInput = z.strictObject({
  patientId: idSchema,
  appointmentId: idSchema.nullable().default(null),
  practitionerId: idSchema.nullable().default(null),
  startedAt: instant.optional(),
});
const noteDraftInput = z.strictObject({ encounterId: idSchema, kind: z.enum(NOTE_KINDS), body: z.string() });
const noteEditInput = z.strictObject({ kind: z.enum(NOTE_KINDS).optional(), body: z.string().optional() });
const noteAmendInput = z.strictObject({ kind: z.enum(NOTE_KINDS).optional(), body: z.string() });
const orderPlaceInput = z.strictObject({
  encounterId: idSchema,
  kind: z.enum(ORDER_KINDS),
  code: z.string(),
  description: z.string(),
  status: z.enum(ORDER_INITIAL_STATUSES).default('active'),
});

function throwIf(refusal: AppError | null): void {
  if (refusal) throw refusal;
}

function exists(db: Db, table: 'patients' | 'encounters', id: string): boolean {
  return prepared(db, `SELECT 1 FROM ${table} WHERE id = ?`).get(id) !== undefined;
}

export class EncounterRecords {
  private readonly db: Db;
  private readonly repo: EntityRepository<'encounter'>;

  constructor(db: Db, clock: StoreClock) {
    this.db = db;
    this.repo = new EntityRepository({
      db,
      clock,
      entity: 'encounter',
      noun: 'encounter',
      check: (store, fields) => (exists(store, 'patients', fields.patientId) ? undefined : { patientId: 'is not a patient on this workstation' }),
    });
  }

  open(input: unknown): { id: string } {
    const open = parseOrThrow(encounterOpenInput, input, 'encounter');
    const fields: EncounterFields = { ...open, status: 'open', startedAt: open.startedAt ?? new Date().toISOString(), endedAt: null };
    throwIf(encounterTimesRefusal(fields));
    return this.repo.create(fields);
  }

  close(id: string, endedAt: string = new Date().toISOString()): void {
    this.change(id, { status: 'closed', endedAt });
  }

  /** Practitioner, appointment or start time of an open encounter. */
  update(id: string, patch: Partial<Pick<EncounterFields, 'practitionerId' | 'appointmentId' | 'startedAt'>>): void {
    this.change(id, patch);
  }

  get(id: string): EncounterFields | undefined {
    return this.repo.get(id);
  }

  /** A patient's chart: their encounters, newest first. */
  ofPatient(patientId: string): (EncounterFields & { id: string })[] {
    return this.rows(`SELECT * FROM encounters WHERE patient_id = ? ORDER BY started_at_ms DESC, id DESC`, [patientId]);
  }

  /** A practitioner's encounters that start within [fromMs, toMs) (their day), in time order. */
  ofPractitionerBetween(practitionerId: string, fromMs: number, toMs: number): (EncounterFields & { id: string })[] {
    return this.rows(
      `SELECT * FROM encounters WHERE practitioner_id = ? AND started_at_ms >= ? AND started_at_ms < ? ORDER BY started_at_ms, id`,
      [practitionerId, fromMs, toMs],
    );
  }

  private change(id: string, patch: Partial<EncounterFields>): void {
    this.db.transaction(() => {
      const current = this.repo.get(id);
      if (!current) throw new AppError('NOT_FOUND', 'That encounter is not on this workstation.');
      const changed = Object.keys(patch).filter((field) => patch[field as keyof EncounterFields] !== current[field as keyof EncounterFields]);
      throwIf(encounterChangeRefusal(current, changed) ?? encounterTimesRefusal({ ...current, ...patch }));
      this.repo.update(id, patch);
    })();
  }

  private rows(sql: string, params: unknown[]): (EncounterFields & { id: string })[] {
    return prepared<unknown[], Record<string, unknown>>(this.db, sql)
      .all(...params)
      .map((row) => ({ id: String(row['id']), ...fieldsOfRow('encounter', row) }));
  }
}

export class NoteRecords {
  private readonly db: Db;
  private readonly repo: EntityRepository<'note'>;

  constructor(db: Db, clock: StoreClock) {
    this.db = db;
    this.repo = new EntityRepository({
      db,
      clock,
      entity: 'note',
      noun: 'note',
      check: (store, fields) => (exists(store, 'encounters', fields.encounterId) ? undefined : { encounterId: 'is not an encounter on this workstation' }),
    });
  }

  createDraft(authorId: string, input: unknown): { id: string } {
    const draft = parseOrThrow(noteDraftInput, input, 'note');
    return this.repo.create({ ...draft, amendsId: null, status: 'draft', authorId, signedAt: null } satisfies NoteFields);
  }

  /** The author's own draft only; a signed note never changes. */
  editDraft(userId: string, id: string, input: unknown): void {
    const patch = parseOrThrow(noteEditInput, input, 'note');
    this.db.transaction(() => {
      throwIf(noteChangeRefusal(this.mustGet(id), userId, 'change'));
      this.repo.update(id, patch);
    })();
  }

  sign(userId: string, id: string): void {
    this.db.transaction(() => {
      throwIf(noteChangeRefusal(this.mustGet(id), userId, 'sign'));
      this.repo.update(id, { status: 'signed', signedAt: new Date().toISOString() });
    })();
  }

  /** A new draft by `authorId` naming the signed note it corrects; the signed note stays as it was. */
  amend(authorId: string, noteId: string, input: unknown): { id: string } {
    const amendment = parseOrThrow(noteAmendInput, input, 'note');
    return this.db.transaction(() => {
      const target = this.repo.get(noteId);
      throwIf(amendmentTargetRefusal(target));
      const { encounterId, kind } = target!;
      return this.repo.create({ encounterId, kind: amendment.kind ?? kind, body: amendment.body, amendsId: noteId, status: 'draft', authorId, signedAt: null } satisfies NoteFields);
    })();
  }

  get(id: string): NoteFields | undefined {
    return this.repo.get(id);
  }

  /** The notes of an encounter, oldest first (ids are UUIDv7). */
  ofEncounter(encounterId: string): (NoteFields & { id: string })[] {
    return prepared<[string], Record<string, unknown>>(this.db, `SELECT * FROM notes WHERE encounter_id = ? ORDER BY id`)
      .all(encounterId)
      .map((row) => ({ id: String(row['id']), ...fieldsOfRow('note', row) }));
  }

  /** A patient's whole chart of notes in one query (not one per encounter), oldest first. */
  ofPatient(patientId: string): (NoteFields & { id: string })[] {
    return prepared<[string], Record<string, unknown>>(
      this.db,
      `SELECT n.* FROM notes n JOIN encounters e ON e.id = n.encounter_id WHERE e.patient_id = ? ORDER BY n.id`,
    )
      .all(patientId)
      .map((row) => ({ id: String(row['id']), ...fieldsOfRow('note', row) }));
  }

  private mustGet(id: string): NoteFields {
    const note = this.repo.get(id);
    if (!note) throw noteNotFound();
    return note;
  }
}

export class OrderRecords {
  private readonly db: Db;
  private readonly repo: EntityRepository<'order'>;

  constructor(db: Db, clock: StoreClock) {
    this.db = db;
    this.repo = new EntityRepository({ db, clock, entity: 'order', noun: 'order' });
  }

  /** On an open encounter on this workstation, in the name of `userId`. */
  place(userId: string, input: unknown): { id: string } {
    const order = parseOrThrow(orderPlaceInput, input, 'order');
    return this.db.transaction(() => {
      const encounter = prepared<[string], { status: EncounterFields['status'] }>(this.db, 'SELECT status FROM encounters WHERE id = ?').get(order.encounterId);
      if (!encounter) throw new AppError('NOT_FOUND', 'That encounter is not on this workstation.');
      throwIf(orderPlacementRefusal(encounter.status, order.status));
      return this.repo.create({ ...order, orderedBy: userId } satisfies OrderFields);
    })();
  }

  /** Along the state machine only (shared/api/clinical.ts ORDER_TRANSITIONS). */
  transition(id: string, to: OrderStatus): void {
    const next = parseOrThrow(z.enum(ORDER_STATUSES), to, 'order');
    this.db.transaction(() => {
      const current = this.repo.get(id);
      if (!current) throw orderNotFound();
      throwIf(orderChangeRefusal(current, ['status'], next));
      this.repo.update(id, { status: next });
    })();
  }

  get(id: string): EntityFields<'order'> | undefined {
    return this.repo.get(id);
  }

  ofEncounter(encounterId: string): (OrderFields & { id: string })[] {
    return prepared<[string], Record<string, unknown>>(this.db, `SELECT * FROM orders WHERE encounter_id = ? ORDER BY id`)
      .all(encounterId)
      .map((row) => ({ id: String(row['id']), ...fieldsOfRow('order', row) }));
  }

  /** A patient's orders across their encounters in one query, oldest first. */
  ofPatient(patientId: string): (OrderFields & { id: string })[] {
    return prepared<[string], Record<string, unknown>>(
      this.db,
      `SELECT o.* FROM orders o JOIN encounters e ON e.id = o.encounter_id WHERE e.patient_id = ? ORDER BY o.id`,
    )
      .all(patientId)
      .map((row) => ({ id: String(row['id']), ...fieldsOfRow('order', row) }));
  }
}
