import type { IdentifierSystem } from '../../../shared/api/patients.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import { lockLiveLink, patientNotFound, readPatientDetail, type PatientDetail } from './patient-views.ts';

/** Identifiers the org records for its own patients (visible to that org only). */
export class PatientIdentifiers {
  private readonly db: DomainDb;

  constructor(db: DomainDb) {
    this.db = db;
  }

  /** Adding one the org already recorded changes nothing (idempotent); returns the patient with its identifiers. */
  async add(tenantId: string, patientId: string, identifier: { system: IdentifierSystem; value: string }): Promise<PatientDetail> {
    const detail = await this.db.withTenant(tenantId, async (sql) => {
      if (!(await lockLiveLink(sql, tenantId, patientId))) return null;
      await sql.execute(
        `INSERT INTO master_data.patient_identifiers (tenant_id, patient_id, system, value) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, patient_id, system, value) DO NOTHING`,
        [tenantId, patientId, identifier.system, identifier.value],
      );
      return readPatientDetail(sql, tenantId, patientId);
    });
    if (!detail) throw patientNotFound();
    return detail;
  }
}
