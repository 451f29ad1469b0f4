import type { DatabaseSet } from '../../db/domain-db.ts';
import { PatientService } from '../../domains/master_data/patients.ts';

/**
 * What the clinical files need to know about other domains, asked the way services ask
 * each other (one call to the other domain's own database, never a cross-database query).
 *
 * Staff and locations are an org's set-up (tens to hundreds of rows), so their ids are
 * held for the whole export; patients and appointments can be hundreds of thousands, so
 * they are asked about per page, for the ids on that page only.
 */
export interface ExportLookups {
  /** The org's staff ids (every one is exported as a Practitioner). */
  staff: Set<string>;
  /** Account id -> staff id, for authors and requesters (notes and orders record the account). */
  staffOfUser: Map<string, string>;
  /** The org's location ids (every one is exported as a Location). */
  locations: Set<string>;
  /** Of these patient ids, those linked to the org now (so exported as a Patient). */
  linkedPatients(ids: readonly string[]): Promise<Set<string>>;
  /** Of these appointment ids, those the export holds (the org's, not deleted). */
  liveAppointments(ids: readonly string[]): Promise<Set<string>>;
}

export async function loadLookups(databases: DatabaseSet, tenantId: string): Promise<ExportLookups> {
  const { personnel, scheduling, master_data } = databases.domains;
  const staffRows = await personnel.withTenant(tenantId, (sql) =>
    sql.query<{ id: string; userId: string | null }>('SELECT id::text AS id, user_id::text AS "userId" FROM personnel.staff WHERE tenant_id = $1', [tenantId]),
  );
  const locationRows = await scheduling.withTenant(tenantId, (sql) =>
    sql.query<{ id: string }>('SELECT id::text AS id FROM scheduling.locations WHERE tenant_id = $1', [tenantId]),
  );
  const patients = new PatientService(master_data);
  return {
    staff: new Set(staffRows.map((row) => row.id)),
    staffOfUser: new Map(staffRows.filter((row) => row.userId !== null).map((row) => [row.userId!, row.id])),
    locations: new Set(locationRows.map((row) => row.id)),
    linkedPatients: (ids) => patients.linkedIds(tenantId, [...new Set(ids)]),
    liveAppointments: async (ids) => {
      const wanted = [...new Set(ids)];
      if (wanted.length === 0) return new Set();
      const rows = await scheduling.withTenant(tenantId, (sql) =>
        sql.query<{ id: string }>('SELECT id::text AS id FROM scheduling.appointments WHERE tenant_id = $1 AND id = ANY ($2::uuid[]) AND NOT deleted', [tenantId, wanted]),
      );
      return new Set(rows.map((row) => row.id));
    },
  };
}
