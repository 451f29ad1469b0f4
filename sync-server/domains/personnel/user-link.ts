import { AppError } from '../../../shared/errors.ts';
import type { Sql } from '../../db/sql.ts';

/**
 * What personnel asks tenant_info (another database) about the account a staff record is
 * linked to: a service call, never a cross-database query. It answers for one org only, so
 * another org's user id is indistinguishable from a made-up one.
 */
export interface OrgUsers {
  isMember(tenantId: string, userId: string): Promise<boolean>;
}

/** Without a directory no account can be shown to be the org's, so every link is refused. */
export const NO_ORG_USERS: OrgUsers = { isMember: async () => false };

/** One answer for an unknown id and another org's user, so nothing can be discovered. */
export const userNotFound = () => new AppError('NOT_FOUND', 'No such user in this organization.');
const userTaken = () => new AppError('CONFLICT', 'This user is already linked to another staff member of this organization. Unlink them there first.');

/** Asked before the personnel transaction opens (tenant_info is another database). */
export async function assertOrgUser(users: OrgUsers, tenantId: string, userId: string | null | undefined): Promise<void> {
  if (typeof userId !== 'string') return;
  if (!(await users.isMember(tenantId, userId))) throw userNotFound();
}

/**
 * In the personnel transaction: no other staff record of the org is linked to this user.
 * A per-org advisory lock makes two concurrent links of one user take turns (like the NPI);
 * the unique index (tenant_id, user_id) stays as the last word.
 */
export async function assertUserUnlinked(sql: Sql, tenantId: string, userId: string, ownStaffId: string): Promise<void> {
  await sql.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`personnel.user:${tenantId}`]);
  const rows = await sql.query('SELECT 1 FROM personnel.staff WHERE tenant_id = $1 AND user_id = $2 AND id <> $3', [tenantId, userId, ownStaffId]);
  if (rows.length > 0) throw userTaken();
}
