import type { EncounterOpenInput, EncounterStatus, EncounterView } from '../../../shared/api/clinical.ts';
import { encounterChangeRefusal, encounterTimesRefusal, type EncounterFields } from '../../../shared/entities/encounter.ts';
import { AppError } from '../../../shared/errors.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import type { Sql } from '../../db/sql.ts';
import { lockRecord } from './clinical-columns.ts';
import { clinicalTransaction, insertRecord, updateRecord, type ClinicalDeskDeps } from './clinical-writes.ts';
import { assertPatientLinked, encounterReferenceRefusal, gatherEncounterFacts, type ClinicalReferences } from './references.ts';
import { ENCOUNTER_SELECT, encounterView, type EncounterRow } from './rows.ts';

export const encounterNotFound = () => new AppError('NOT_FOUND', 'No such encounter in this organization.');

/** Reads one encounter of the org (optionally locking it); null if the org has none with this id. */
export async function findEncounter(sql: Sql, tenantId: string, id: string, lock = false): Promise<EncounterRow | null> {
  const rows = await sql.query<EncounterRow>(
    `SELECT ${ENCOUNTER_SELECT} FROM clinical.encounters e WHERE e.tenant_id = $1 AND e.id = $2${lock ? ' FOR UPDATE' : ''}`,
    [tenantId, id],
  );
  return rows[0] ?? null;
}

/**
 * clinical: encounters (a patient's visit or contact), inside one org only. The rules are
 * shared/entities/encounter.ts and references.ts, the same ones sync pushes go through.
 */
export class EncounterService {
  private readonly db: DomainDb;
  private readonly refs: ClinicalReferences;
  private readonly deps: ClinicalDeskDeps;

  constructor(db: DomainDb, refs: ClinicalReferences, deps: ClinicalDeskDeps) {
    this.db = db;
    this.refs = refs;
    this.deps = deps;
  }

  async list(tenantId: string, filter: { patientId?: string | undefined; status?: EncounterStatus | undefined; limit: number }): Promise<EncounterView[]> {
    if (filter.patientId !== undefined) await assertPatientLinked(this.refs, tenantId, filter.patientId);
    const rows = await this.db.withTenant(tenantId, (sql) =>
      sql.query<EncounterRow>(
        `SELECT ${ENCOUNTER_SELECT} FROM clinical.encounters e
         WHERE e.tenant_id = $1 AND ($2::uuid IS NULL OR e.patient_id = $2::uuid) AND ($3::text IS NULL OR e.status = $3::text)
         ORDER BY e.started_at DESC, e.id DESC LIMIT $4`,
        [tenantId, filter.patientId ?? null, filter.status ?? null, filter.limit],
      ),
    );
    return rows.map(encounterView);
  }

  async get(tenantId: string, id: string): Promise<EncounterView> {
    const row = await this.db.withTenant(tenantId, (sql) => findEncounter(sql, tenantId, id));
    if (!row) throw encounterNotFound();
    return encounterView(row);
  }

  /** Every id it is handed is checked with the domain that owns it, before anything is written. */
  async open(tenantId: string, userId: string, input: EncounterOpenInput): Promise<EncounterView> {
    const fields: EncounterFields = {
      patientId: input.patientId,
      appointmentId: input.appointmentId,
      practitionerId: input.practitionerId,
      status: 'open',
      startedAt: input.startedAt ?? new Date().toISOString(),
      endedAt: null,
    };
    const timesRefusal = encounterTimesRefusal(fields);
    if (timesRefusal) throw timesRefusal;
    const refusal = encounterReferenceRefusal(await gatherEncounterFacts(this.refs, tenantId, [fields]), fields);
    if (refusal) throw refusal;
    const id = uuidv7();
    const row = await clinicalTransaction(this.db, this.deps, tenantId, userId, async (w) => {
      await insertRecord(w, 'encounter', id, fields, { opened_by: userId });
      return (await findEncounter(w.sql, tenantId, id))!;
    });
    return encounterView(row);
  }

  async close(tenantId: string, userId: string, input: { id: string; endedAt?: string | undefined }): Promise<EncounterView> {
    const endedAt = input.endedAt ?? new Date().toISOString();
    const row = await clinicalTransaction(this.db, this.deps, tenantId, userId, async (w) => {
      const current = await lockRecord(w.sql, tenantId, 'encounter', input.id);
      if (!current) throw encounterNotFound();
      const refusal = encounterChangeRefusal(current.fields, ['status', 'endedAt']) ?? encounterTimesRefusal({ ...current.fields, status: 'closed', endedAt });
      if (refusal) throw refusal;
      await updateRecord(w, 'encounter', input.id, { status: 'closed', endedAt }, { closed_by: userId });
      return (await findEncounter(w.sql, tenantId, input.id))!;
    });
    return encounterView(row);
  }
}
