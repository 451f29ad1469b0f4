import type { JobRole, StaffView } from '../../../shared/api/personnel.ts';
import { isoTime } from '../../db/timestamps.ts';

/** Columns of personnel.staff as the service reads them (job roles gathered in one array). */
export const STAFF_SELECT = `s.id::text AS id, s.display_name AS "displayName", s.job_title AS "jobTitle",
  s.is_practitioner AS "isPractitioner", s.npi, s.active, s.user_id::text AS "userId", s.version, s.updated_at AS "updatedAt",
  COALESCE((SELECT array_agg(r.job_role ORDER BY r.job_role) FROM personnel.staff_job_roles r
            WHERE r.tenant_id = s.tenant_id AND r.staff_id = s.id), '{}') AS "jobRoles"`;

export interface StaffRow {
  id: string;
  displayName: string;
  jobTitle: string;
  isPractitioner: boolean;
  npi: string | null;
  active: boolean;
  userId: string | null;
  version: number;
  updatedAt: Date;
  jobRoles: JobRole[];
}

/** Both drivers return timestamptz as Date; the wire carries ISO-8601 in UTC. */
export function staffView(row: StaffRow): StaffView {
  return { ...row, updatedAt: isoTime(row.updatedAt) };
}
