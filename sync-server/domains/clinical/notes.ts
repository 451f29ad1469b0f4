import type { NoteKind, NoteUpdateDraftInput, NoteView } from '../../../shared/api/clinical.ts';
import { AppError } from '../../../shared/errors.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import type { Sql } from '../../db/sql.ts';
import { assertVersion } from '../lost-update.ts';
import { encounterNotFound, findEncounter } from './encounters.ts';
import { assertPatientLinked, type ClinicalReferences } from './references.ts';
import { NOTE_SELECT, noteView, type NoteRow } from './rows.ts';

const noteNotFound = () => new AppError('NOT_FOUND', 'No such clinical note in this organization.');
const signedIsFinal = () => new AppError('CONFLICT', 'This note is signed and can no longer change. Write an amendment instead.');
const notAuthor = (what: string) => new AppError('FORBIDDEN', `Only the author of a draft note can ${what} it.`);

/**
 * clinical: notes. A draft belongs to its author, who alone edits and signs it; a signed
 * note never changes (the database refuses too), and is corrected only by an amendment:
 * a new note that names it.
 */
export class NoteService {
  private readonly db: DomainDb;
  private readonly refs: Pick<ClinicalReferences, 'linkedPatients'>;

  constructor(db: DomainDb, refs: Pick<ClinicalReferences, 'linkedPatients'>) {
    this.db = db;
    this.refs = refs;
  }

  /** The notes of one encounter or of one patient's chart, oldest first. */
  async list(tenantId: string, scope: { encounterId?: string | undefined; patientId?: string | undefined; limit: number }): Promise<NoteView[]> {
    if (scope.patientId !== undefined) await assertPatientLinked(this.refs, tenantId, scope.patientId);
    const rows = await this.db.withTenant(tenantId, async (sql) => {
      if (scope.encounterId !== undefined && !(await findEncounter(sql, tenantId, scope.encounterId))) throw encounterNotFound();
      return sql.query<NoteRow>(
        `SELECT ${NOTE_SELECT} FROM clinical.notes n JOIN clinical.encounters e ON e.tenant_id = n.tenant_id AND e.id = n.encounter_id
         WHERE n.tenant_id = $1 AND ($2::uuid IS NULL OR n.encounter_id = $2::uuid) AND ($3::uuid IS NULL OR e.patient_id = $3::uuid)
         ORDER BY n.created_at, n.id LIMIT $4`,
        [tenantId, scope.encounterId ?? null, scope.patientId ?? null, scope.limit],
      );
    });
    return rows.map(noteView);
  }

  async get(tenantId: string, id: string): Promise<NoteView> {
    const row = await this.db.withTenant(tenantId, (sql) => findNote(sql, tenantId, id));
    if (!row) throw noteNotFound();
    return noteView(row);
  }

  async createDraft(tenantId: string, authorId: string, input: { encounterId: string; kind: NoteKind; body: string }): Promise<NoteView> {
    return this.db.withTenant(tenantId, async (sql) => {
      if (!(await findEncounter(sql, tenantId, input.encounterId))) throw encounterNotFound();
      return noteView(await insertDraft(sql, tenantId, authorId, { ...input, amendsId: null }));
    });
  }

  async updateDraft(tenantId: string, userId: string, input: NoteUpdateDraftInput): Promise<NoteView> {
    return this.db.withTenant(tenantId, async (sql) => {
      const current = await lockDraftOf(sql, tenantId, userId, input.id, 'change');
      assertVersion('note', current.version, input.expectedVersion);
      await sql.execute(
        `UPDATE clinical.notes SET kind = $3, body = $4, version = version + 1, updated_at = now() WHERE tenant_id = $1 AND id = $2`,
        [tenantId, input.id, input.kind ?? current.kind, input.body ?? current.body],
      );
      return noteView((await findNote(sql, tenantId, input.id))!);
    });
  }

  async sign(tenantId: string, userId: string, input: { id: string; expectedVersion?: number | undefined }): Promise<NoteView> {
    return this.db.withTenant(tenantId, async (sql) => {
      const current = await lockDraftOf(sql, tenantId, userId, input.id, 'sign');
      assertVersion('note', current.version, input.expectedVersion);
      await sql.execute(
        `UPDATE clinical.notes SET status = 'signed', signed_at = now(), version = version + 1, updated_at = now() WHERE tenant_id = $1 AND id = $2`,
        [tenantId, input.id],
      );
      return noteView((await findNote(sql, tenantId, input.id))!);
    });
  }

  /** A new draft by the caller that names the signed note it corrects; the signed note stays as it was. */
  async amend(tenantId: string, authorId: string, input: { noteId: string; body: string; kind?: NoteKind | undefined }): Promise<NoteView> {
    return this.db.withTenant(tenantId, async (sql) => {
      const target = await findNote(sql, tenantId, input.noteId);
      if (!target) throw noteNotFound();
      if (target.status !== 'signed') throw new AppError('CONFLICT', 'Only a signed note can be amended. Edit the draft instead.');
      const row = await insertDraft(sql, tenantId, authorId, { encounterId: target.encounterId, kind: input.kind ?? target.kind, body: input.body, amendsId: target.id });
      return noteView(row);
    });
  }
}

async function findNote(sql: Sql, tenantId: string, id: string, lock = false): Promise<NoteRow | null> {
  const rows = await sql.query<NoteRow>(
    `SELECT ${NOTE_SELECT} FROM clinical.notes n JOIN clinical.encounters e ON e.tenant_id = n.tenant_id AND e.id = n.encounter_id
     WHERE n.tenant_id = $1 AND n.id = $2${lock ? ' FOR UPDATE OF n' : ''}`,
    [tenantId, id],
  );
  return rows[0] ?? null;
}

/** The caller's own draft, locked; a signed note is final for everyone, another's draft is theirs alone. */
async function lockDraftOf(sql: Sql, tenantId: string, userId: string, id: string, what: string): Promise<NoteRow> {
  const note = await findNote(sql, tenantId, id, true);
  if (!note) throw noteNotFound();
  if (note.status === 'signed') throw signedIsFinal();
  if (note.authorId !== userId) throw notAuthor(what);
  return note;
}

async function insertDraft(
  sql: Sql,
  tenantId: string,
  authorId: string,
  note: { encounterId: string; kind: NoteKind; body: string; amendsId: string | null },
): Promise<NoteRow> {
  const id = uuidv7();
  await sql.execute(
    `INSERT INTO clinical.notes (tenant_id, id, encounter_id, amends_id, kind, body, status, author_id)
     VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7)`,
    [tenantId, id, note.encounterId, note.amendsId, note.kind, note.body, authorId],
  );
  return (await findNote(sql, tenantId, id))!;
}
