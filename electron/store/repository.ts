import { ENTITY_CATALOG, isEditedOnline, type EntityFields, type EntityName } from '../../shared/entities/catalog.ts';
import { AppError } from '../../shared/errors.ts';
import { idSchema, uuidv7 } from '../../shared/ids.ts';
import type { StoreClock } from './clock.ts';
import type { Db } from './db.ts';
import { appendToOutbox } from './outbox.ts';
import { deleteEntity, readEntity, writeEntity } from './rows.ts';
import { parseOrThrow, ValidationError } from './validation.ts';

/** Checks only a whole record can answer (cross-field, references); field -> message. */
export type WholeRecordCheck<E extends EntityName> = (db: Db, fields: EntityFields<E>) => Record<string, string> | undefined;

export interface RepositoryOptions<E extends EntityName> {
  db: Db;
  clock: StoreClock;
  entity: E;
  /** Words for messages ("patient"), never data. */
  noun: string;
  check?: WholeRecordCheck<E>;
}

/**
 * Local writes of one entity. Every change writes the row and appends its Mutation to
 * the outbox in ONE transaction, so the store never holds an edit the outbox does not
 * know about (or the reverse). Input is validated before anything is written.
 */
export class EntityRepository<E extends EntityName> {
  private readonly options: RepositoryOptions<E>;

  constructor(options: RepositoryOptions<E>) {
    // Set-up data is edited online by admins; the server would refuse the queued change, so none is ever made.
    if (isEditedOnline(options.entity)) throw new Error(`${options.entity} is edited online only; a workstation keeps no repository for it`);
    this.options = options;
  }

  /** The entity this repository writes (lets generic code, e.g. conflict resolution, find it). */
  get entity(): E {
    return this.options.entity;
  }

  create(input: unknown): { id: string } {
    const { db, entity, noun } = this.options;
    const fields = parseOrThrow(ENTITY_CATALOG[entity].fields, input, noun) as EntityFields<E>;
    this.checkWhole(fields);
    const id = uuidv7();
    db.transaction(() => {
      const hlc = this.options.clock.tick();
      const fieldHlc = Object.fromEntries(Object.keys(fields).map((field) => [field, hlc]));
      writeEntity(db, entity, { id, fields, version: null, fieldHlc });
      appendToOutbox(db, { mutationId: uuidv7(), entity, id, op: 'upsert', fields, hlc, baseVersion: null });
    })();
    return { id };
  }

  update(id: unknown, patch: unknown): void {
    const { db, entity, noun } = this.options;
    const rowId = parseOrThrow(idSchema, id, noun);
    const changes = parseOrThrow(ENTITY_CATALOG[entity].fields.partial().strict(), patch, noun) as Partial<EntityFields<E>>;
    if (Object.keys(changes).length === 0) return;
    db.transaction(() => {
      const current = this.mustRead(rowId);
      const fields = { ...current.fields, ...changes };
      this.checkWhole(fields);
      const hlc = this.options.clock.tick();
      const fieldHlc = { ...current.fieldHlc };
      const baseHlc = Object.fromEntries(Object.keys(changes).map((field) => [field, current.fieldHlc[field] ?? '']));
      for (const field of Object.keys(changes)) fieldHlc[field] = hlc;
      writeEntity(db, entity, { id: rowId, fields, version: current.version, fieldHlc });
      appendToOutbox(db, { mutationId: uuidv7(), entity, id: rowId, op: 'upsert', fields: changes, hlc, baseVersion: current.version, baseHlc });
    })();
  }

  delete(id: unknown): void {
    const { db, entity, noun } = this.options;
    const rowId = parseOrThrow(idSchema, id, noun);
    db.transaction(() => {
      const current = this.mustRead(rowId);
      const hlc = this.options.clock.tick();
      deleteEntity(db, entity, rowId);
      appendToOutbox(db, { mutationId: uuidv7(), entity, id: rowId, op: 'delete', fields: {}, hlc, baseVersion: current.version });
    })();
  }

  get(id: string): EntityFields<E> | undefined {
    return readEntity(this.options.db, this.options.entity, id)?.fields;
  }

  private mustRead(id: string) {
    const row = readEntity(this.options.db, this.options.entity, id);
    if (!row) throw new AppError('NOT_FOUND', `That ${this.options.noun} is not on this workstation.`);
    return row;
  }

  private checkWhole(fields: EntityFields<E>): void {
    const problems = this.options.check?.(this.options.db, fields);
    if (!problems || Object.keys(problems).length === 0) return;
    const sentence = Object.entries(problems).map(([field, message]) => `${field} ${message}`).join('; ');
    throw new ValidationError(`Check the ${this.options.noun}: ${sentence}.`, problems);
  }
}
