import { serverRowFeed } from '../../sync/feed-reader.ts';
import type { StaffRow } from './staff-rows.ts';

/**
 * The personnel feed workstations pull: each staff member with the fields of the
 * staff_member entity (shared/entities/staff-member.ts says why licences stay here).
 */
export const readStaffChanges = serverRowFeed<StaffRow>({
  domain: 'personnel',
  entity: 'staff_member',
  from: 'personnel.staff t',
  on: 't.tenant_id = c.tenant_id AND t.id = c.entity_id',
  select: `t.display_name AS "displayName", t.job_title AS "jobTitle", t.is_practitioner AS "isPractitioner", t.npi, t.active, t.user_id::text AS "userId",
    COALESCE((SELECT array_agg(r.job_role ORDER BY r.job_role) FROM personnel.staff_job_roles r
              WHERE r.tenant_id = t.tenant_id AND r.staff_id = t.id), '{}') AS "jobRoles"`,
  toFields: (row) => ({
    displayName: row.displayName,
    jobTitle: row.jobTitle,
    jobRoles: row.jobRoles,
    isPractitioner: row.isPractitioner,
    npi: row.npi,
    active: row.active,
    userId: row.userId,
  }),
});
