import type { NoteKind, NoteUpdateDraftInput, NoteView } from '../../../shared/api/clinical.ts';
import { amendmentTargetRefusal, noteChangeRefusal, noteNotFound, type NoteFields } from '../../../shared/entities/note.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import type { Sql } from '../../db/sql.ts';
import { assertVersion } from '../lost-update.ts';
import { lockRecord } from './clinical-columns.ts';
import { clinicalTransaction, insertRecord, updateRecord, type ClinicalDeskDeps, type ClinicalWrite } from './clinical-writes.ts';
import { encounterNotFound, findEncounter } from './encounters.ts';
import { assertPatientLinked, type ClinicalReferences } from './references.ts';
import { NOTE_SELECT, noteView, type NoteRow } from './rows.ts';

/**
 * clinical: notes. A draft belongs to its author, who alone edits and signs it; a signed
 * note never changes (the database refuses too), and is corrected only by an amendment:
 * a new note that names it. The rules are shared/entities/note.ts, the same ones sync
 * pushes and the workstation's store go through.
 */
export class NoteService {
  private readonly db: DomainDb;
  private readonly refs: Pick<ClinicalReferences, 'linkedPatients'>;
  private readonly deps: ClinicalDeskDeps;

  constructor(db: DomainDb, refs: Pick<ClinicalReferences, 'linkedPatients'>, deps: ClinicalDeskDeps) {
    this.db = db;
    this.refs = refs;
    this.deps = deps;
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
    return this.write(tenantId, authorId, async (w) => {
      if (!(await findEncounter(w.sql, tenantId, input.encounterId))) throw encounterNotFound();
      return insertDraft(w, { ...input, amendsId: null });
    });
  }

  async updateDraft(tenantId: string, userId: string, input: NoteUpdateDraftInput): Promise<NoteView> {
    return this.write(tenantId, userId, async (w) => {
      const current = await lockDraftOf(w, input.id, 'change');
      assertVersion('note', current.version, input.expectedVersion);
      await updateRecord(w, 'note', input.id, { kind: input.kind ?? current.fields.kind, body: input.body ?? current.fields.body });
      return input.id;
    });
  }

  async sign(tenantId: string, userId: string, input: { id: string; expectedVersion?: number | undefined }): Promise<NoteView> {
    return this.write(tenantId, userId, async (w) => {
      const current = await lockDraftOf(w, input.id, 'sign');
      assertVersion('note', current.version, input.expectedVersion);
      await updateRecord(w, 'note', input.id, { status: 'signed', signedAt: new Date().toISOString() });
      return input.id;
    });
  }

  /** A new draft by the caller that names the signed note it corrects; the signed note stays as it was. */
  async amend(tenantId: string, authorId: string, input: { noteId: string; body: string; kind?: NoteKind | undefined }): Promise<NoteView> {
    return this.write(tenantId, authorId, async (w) => {
      const target = (await lockRecord(w.sql, tenantId, 'note', input.noteId))?.fields;
      const refusal = amendmentTargetRefusal(target);
      if (refusal || !target) throw refusal ?? noteNotFound();
      return insertDraft(w, { encounterId: target.encounterId, kind: input.kind ?? target.kind, body: input.body, amendsId: input.noteId });
    });
  }

  /** One clinical transaction (feed moved, devices poked) that ends by reading the note back as a view. */
  private write(tenantId: string, userId: string, body: (w: ClinicalWrite) => Promise<string>): Promise<NoteView> {
    return clinicalTransaction(this.db, this.deps, tenantId, userId, async (w) => noteView((await findNote(w.sql, tenantId, await body(w)))!));
  }
}

async function findNote(sql: Sql, tenantId: string, id: string): Promise<NoteRow | null> {
  const rows = await sql.query<NoteRow>(
    `SELECT ${NOTE_SELECT} FROM clinical.notes n JOIN clinical.encounters e ON e.tenant_id = n.tenant_id AND e.id = n.encounter_id
     WHERE n.tenant_id = $1 AND n.id = $2`,
    [tenantId, id],
  );
  return rows[0] ?? null;
}

/** The caller's own draft, locked; a signed note is final for everyone, another's draft is theirs alone. */
async function lockDraftOf(w: ClinicalWrite, id: string, what: 'change' | 'sign') {
  const note = await lockRecord(w.sql, w.tenantId, 'note', id);
  if (!note) throw noteNotFound();
  const refusal = noteChangeRefusal(note.fields, w.userId, what);
  if (refusal) throw refusal;
  return note;
}

async function insertDraft(w: ClinicalWrite, note: Pick<NoteFields, 'encounterId' | 'kind' | 'body' | 'amendsId'>): Promise<string> {
  const id = uuidv7();
  await insertRecord(w, 'note', id, { ...note, status: 'draft', authorId: w.userId, signedAt: null });
  return id;
}
