import type { EncounterOpenInput, EncounterStatus, EncounterView } from '../../../shared/api/clinical.ts';
import { AppError } from '../../../shared/errors.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import type { Sql } from '../../db/sql.ts';
import { assertPatientLinked, type ClinicalReferences } from './references.ts';
import { ENCOUNTER_SELECT, encounterView, type EncounterRow } from './rows.ts';

export const encounterNotFound = () => new AppError('NOT_FOUND', 'No such encounter in this organization.');

/** Workstation clocks drift; a time this far ahead of the server still counts as "now". */
const CLOCK_SKEW_MS = 10 * 60_000;

function notInFuture(iso: string | undefined, what: string): Date {
  const at = iso === undefined ? new Date() : new Date(iso);
  if (at.getTime() > Date.now() + CLOCK_SKEW_MS) throw new AppError('VALIDATION', `An encounter cannot ${what} in the future.`);
  return at;
}

/** Reads one encounter of the org (optionally locking it); null if the org has none with this id. */
export async function findEncounter(sql: Sql, tenantId: string, id: string, lock = false): Promise<EncounterRow | null> {
  const rows = await sql.query<EncounterRow>(
    `SELECT ${ENCOUNTER_SELECT} FROM clinical.encounters e WHERE e.tenant_id = $1 AND e.id = $2${lock ? ' FOR UPDATE' : ''}`,
    [tenantId, id],
  );
  return rows[0] ?? null;
}

/** clinical: encounters (a patient's visit or contact), inside one org only. */
export class EncounterService {
  private readonly db: DomainDb;
  private readonly refs: ClinicalReferences;

  constructor(db: DomainDb, refs: ClinicalReferences) {
    this.db = db;
    this.refs = refs;
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
    const startedAt = notInFuture(input.startedAt, 'start');
    await assertPatientLinked(this.refs, tenantId, input.patientId);
    if (input.practitionerId !== null && !(await this.refs.practitionerExists(tenantId, input.practitionerId))) {
      throw new AppError('NOT_FOUND', 'No such practitioner in this organization.');
    }
    if (input.appointmentId !== null && (await this.refs.appointment(tenantId, input.appointmentId)).patientId !== input.patientId) {
      throw new AppError('NOT_FOUND', 'No such appointment for this patient in this organization.');
    }
    const id = uuidv7();
    const row = await this.db.withTenant(tenantId, async (sql) => {
      await sql.execute(
        `INSERT INTO clinical.encounters (tenant_id, id, patient_id, appointment_id, practitioner_id, status, started_at, opened_by)
         VALUES ($1, $2, $3, $4, $5, 'open', $6, $7)`,
        [tenantId, id, input.patientId, input.appointmentId, input.practitionerId, startedAt.toISOString(), userId],
      );
      return (await findEncounter(sql, tenantId, id))!;
    });
    return encounterView(row);
  }

  async close(tenantId: string, userId: string, input: { id: string; endedAt?: string | undefined }): Promise<EncounterView> {
    const endedAt = notInFuture(input.endedAt, 'end');
    const row = await this.db.withTenant(tenantId, async (sql) => {
      const current = await findEncounter(sql, tenantId, input.id, true);
      if (!current) throw encounterNotFound();
      if (current.status === 'closed') throw new AppError('CONFLICT', 'This encounter is already closed.');
      if (endedAt.getTime() < new Date(current.startedAt).getTime()) throw new AppError('VALIDATION', 'An encounter cannot end before it started.');
      await sql.execute(
        `UPDATE clinical.encounters SET status = 'closed', ended_at = $3, closed_by = $4, version = version + 1, updated_at = now()
         WHERE tenant_id = $1 AND id = $2`,
        [tenantId, input.id, endedAt.toISOString(), userId],
      );
      return (await findEncounter(sql, tenantId, input.id))!;
    });
    return encounterView(row);
  }
}
