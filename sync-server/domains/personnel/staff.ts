import type { StaffCreateInput, StaffUpdateInput, StaffView } from '../../../shared/api/personnel.ts';
import { AppError } from '../../../shared/errors.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import type { Sql } from '../../db/sql.ts';
import { NO_POKE, writeWithFeed, type FeedNotify } from '../../sync/feed-transaction.ts';
import { STAFF_SELECT, staffView, type StaffRow } from './staff-rows.ts';
import { assertOrgUser, assertUserUnlinked, NO_ORG_USERS, type OrgUsers } from './user-link.ts';

/** One answer for an unknown id and another org's id, so nothing can be discovered. */
export const staffNotFound = () => new AppError('NOT_FOUND', 'No such staff member in this organization.');
const npiTaken = () => new AppError('CONFLICT', 'Another staff member of this organization already has this NPI.');
const npiNeedsPractitioner = () => new AppError('VALIDATION', 'Only a practitioner can have an NPI.');

/**
 * personnel: the org's staff and practitioners, with their job roles and the sign-in account
 * each may be linked to (asked of tenant_info through `users`). Every change goes into the
 * personnel feed.
 */
export class PersonnelService {
  private readonly db: DomainDb;
  private readonly notify: FeedNotify;
  private readonly users: OrgUsers;

  constructor(db: DomainDb, notify: FeedNotify = NO_POKE, users: OrgUsers = NO_ORG_USERS) {
    this.db = db;
    this.notify = notify;
    this.users = users;
  }

  async list(tenantId: string, filter: { includeInactive: boolean; practitionersOnly: boolean }): Promise<StaffView[]> {
    const rows = await this.db.withTenant(tenantId, (sql) =>
      sql.query<StaffRow>(
        `SELECT ${STAFF_SELECT} FROM personnel.staff s
         WHERE s.tenant_id = $1 AND ($2 OR s.active) AND (NOT $3 OR s.is_practitioner)
         ORDER BY s.display_name, s.id LIMIT 1000`,
        [tenantId, filter.includeInactive, filter.practitionersOnly],
      ),
    );
    return rows.map(staffView);
  }

  async get(tenantId: string, id: string): Promise<StaffView> {
    const row = await this.db.withTenant(tenantId, (sql) => this.find(sql, tenantId, id));
    if (!row) throw staffNotFound();
    return staffView(row);
  }

  /** For other domains (scheduling, clinical): is this an active practitioner of the org? */
  async practitionerExists(tenantId: string, id: string): Promise<boolean> {
    const rows = await this.db.withTenant(tenantId, (sql) =>
      sql.query('SELECT 1 FROM personnel.staff WHERE tenant_id = $1 AND id = $2 AND is_practitioner AND active', [tenantId, id]),
    );
    return rows.length > 0;
  }

  /** `userId` may be left out by callers that never link an account (the demo seed, benches). */
  async create(tenantId: string, input: Omit<StaffCreateInput, 'userId'> & { userId?: string | null }): Promise<StaffView> {
    const id = uuidv7();
    const userId = input.userId ?? null;
    await assertOrgUser(this.users, tenantId, userId);
    return writeWithFeed(this.db, 'personnel', tenantId, this.notify, async (sql, feed) => {
      feed.touch('staff_member', id);
      if (input.npi !== null) await this.assertNpiFree(sql, tenantId, input.npi, id);
      if (userId !== null) await assertUserUnlinked(sql, tenantId, userId, id);
      await sql.execute(
        `INSERT INTO personnel.staff (tenant_id, id, display_name, job_title, is_practitioner, npi, active, user_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [tenantId, id, input.displayName, input.jobTitle, input.isPractitioner, input.npi, input.active, userId],
      );
      await this.replaceJobRoles(sql, tenantId, id, input.jobRoles);
      return staffView((await this.find(sql, tenantId, id))!);
    });
  }

  async update(tenantId: string, input: StaffUpdateInput): Promise<StaffView> {
    // The account is checked before the staff row, so a made-up staff id with a foreign user
    // id is still NOT_FOUND (both refusals are NOT_FOUND; neither tells which id was wrong).
    await assertOrgUser(this.users, tenantId, input.userId);
    return writeWithFeed(this.db, 'personnel', tenantId, this.notify, async (sql, feed) => {
      const current = await this.find(sql, tenantId, input.id, true);
      if (!current) throw staffNotFound();
      feed.touch('staff_member', input.id);
      const isPractitioner = input.isPractitioner ?? current.isPractitioner;
      const npi = input.npi !== undefined ? input.npi : current.npi;
      if (npi !== null && !isPractitioner) throw npiNeedsPractitioner();
      if (npi !== null && npi !== current.npi) await this.assertNpiFree(sql, tenantId, npi, input.id);
      const userId = input.userId !== undefined ? input.userId : current.userId;
      if (userId !== null && userId !== current.userId) await assertUserUnlinked(sql, tenantId, userId, input.id);
      await sql.execute(
        `UPDATE personnel.staff SET display_name = $3, job_title = $4, is_practitioner = $5, npi = $6, active = $7, user_id = $8,
           version = version + 1, updated_at = now()
         WHERE tenant_id = $1 AND id = $2`,
        [tenantId, input.id, input.displayName ?? current.displayName, input.jobTitle ?? current.jobTitle, isPractitioner, npi, input.active ?? current.active, userId],
      );
      if (input.jobRoles) await this.replaceJobRoles(sql, tenantId, input.id, input.jobRoles);
      return staffView((await this.find(sql, tenantId, input.id))!);
    });
  }

  private async find(sql: Sql, tenantId: string, id: string, lock = false): Promise<StaffRow | null> {
    const rows = await sql.query<StaffRow>(
      `SELECT ${STAFF_SELECT} FROM personnel.staff s WHERE s.tenant_id = $1 AND s.id = $2${lock ? ' FOR UPDATE OF s' : ''}`,
      [tenantId, id],
    );
    return rows[0] ?? null;
  }

  /**
   * Checked before writing so the person at the desk gets a sentence, not a database error.
   * A per-org advisory lock makes two concurrent writers of the same NPI take turns; the
   * unique index (tenant_id, npi) stays as the last word.
   */
  private async assertNpiFree(sql: Sql, tenantId: string, npi: string, ownId: string): Promise<void> {
    await sql.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`personnel.npi:${tenantId}`]);
    const rows = await sql.query('SELECT 1 FROM personnel.staff WHERE tenant_id = $1 AND npi = $2 AND id <> $3', [tenantId, npi, ownId]);
    if (rows.length > 0) throw npiTaken();
  }

  private async replaceJobRoles(sql: Sql, tenantId: string, staffId: string, roles: readonly string[]): Promise<void> {
    await sql.execute('DELETE FROM personnel.staff_job_roles WHERE tenant_id = $1 AND staff_id = $2', [tenantId, staffId]);
    if (roles.length === 0) return;
    await sql.execute(
      `INSERT INTO personnel.staff_job_roles (tenant_id, staff_id, job_role) SELECT $1, $2, unnest($3::text[])`,
      [tenantId, staffId, [...roles]],
    );
  }
}
