import type { PatientSearchInput } from '../../../shared/api/patients.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import { LINKED_PATIENTS_FROM, PATIENT_VIEW_SELECT, patientNotFound, readPatientDetail, type PatientDetail, type PatientView } from './patient-views.ts';

/** `%`, `_` and `\` typed by someone match themselves, not "anything". */
const likePrefix = (term: string) => `${term.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
const MAX_NAME_TERMS = 4;

/** master_data reads for the desk: the org's own patients only (its live links). */
export class PatientDirectory {
  private readonly db: DomainDb;

  constructor(db: DomainDb) {
    this.db = db;
  }

  /** In registration order (ids are time-ordered), keyset-paged. */
  list(tenantId: string, page: { after?: string | undefined; limit: number }): Promise<PatientView[]> {
    return this.db.withTenant(tenantId, (sql) =>
      sql.query<PatientView>(
        `SELECT ${PATIENT_VIEW_SELECT} FROM ${LINKED_PATIENTS_FROM} AND ($2::uuid IS NULL OR tp.patient_id > $2::uuid)
         ORDER BY tp.patient_id LIMIT $3`,
        [tenantId, page.after ?? null, page.limit],
      ),
    );
  }

  async get(tenantId: string, patientId: string): Promise<PatientDetail> {
    const detail = await this.db.withTenant(tenantId, (sql) => readPatientDetail(sql, tenantId, patientId));
    if (!detail) throw patientNotFound();
    return detail;
  }

  /** Every given criterion must hold; each name word must start the given or family name. */
  search(tenantId: string, input: PatientSearchInput): Promise<PatientView[]> {
    const params: unknown[] = [tenantId];
    const where: string[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    for (const term of (input.name ?? '').split(/\s+/).filter(Boolean).slice(0, MAX_NAME_TERMS)) {
      const p = param(likePrefix(term));
      where.push(`(lower(p.given_name) LIKE ${p} ESCAPE '\\' OR lower(p.family_name) LIKE ${p} ESCAPE '\\')`);
    }
    if (input.birthDate !== undefined) where.push(`p.birth_date = ${param(input.birthDate)}::date`);
    if (input.mrn !== undefined) where.push(`upper(tp.mrn) = upper(${param(input.mrn)})`);
    if (input.phone !== undefined) where.push(`regexp_replace(p.phone, '[^0-9]', '', 'g') = ${param(input.phone.replace(/\D/g, ''))}`);
    const limit = param(input.limit);
    return this.db.withTenant(tenantId, (sql) =>
      sql.query<PatientView>(
        `SELECT ${PATIENT_VIEW_SELECT} FROM ${LINKED_PATIENTS_FROM} AND ${where.length > 0 ? where.join(' AND ') : 'true'}
         ORDER BY p.family_name, p.given_name, tp.patient_id LIMIT ${limit}`,
        params,
      ),
    );
  }
}
