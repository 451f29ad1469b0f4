import type { LicenceAddInput, LicenceView } from '../../../shared/api/personnel.ts';
import { AppError } from '../../../shared/errors.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import type { Sql } from '../../db/sql.ts';
import { staffNotFound } from './staff.ts';

const LICENCE_SELECT = `l.id::text AS id, l.staff_id::text AS "staffId", l.kind, l.number, l.jurisdiction, l.expires_on::text AS "expiresOn"`;

/** personnel: the licences and certifications of the org's staff. */
export class LicenceService {
  private readonly db: DomainDb;

  constructor(db: DomainDb) {
    this.db = db;
  }

  async list(tenantId: string, staffId: string): Promise<LicenceView[]> {
    return this.db.withTenant(tenantId, async (sql) => {
      await assertStaff(sql, tenantId, staffId, false);
      return sql.query<LicenceView>(
        `SELECT ${LICENCE_SELECT} FROM personnel.licences l WHERE l.tenant_id = $1 AND l.staff_id = $2 ORDER BY l.expires_on, l.id`,
        [tenantId, staffId],
      );
    });
  }

  async add(tenantId: string, input: LicenceAddInput): Promise<LicenceView> {
    const id = uuidv7();
    return this.db.withTenant(tenantId, async (sql) => {
      // Locking the staff row serialises two adds of the same licence, so the unique key
      // (which starts with tenant_id) is never the one to answer.
      await assertStaff(sql, tenantId, input.staffId, true);
      const duplicate = await sql.query(
        'SELECT 1 FROM personnel.licences WHERE tenant_id = $1 AND staff_id = $2 AND kind = $3 AND jurisdiction = $4 AND number = $5',
        [tenantId, input.staffId, input.kind, input.jurisdiction, input.number],
      );
      if (duplicate.length > 0) throw new AppError('CONFLICT', 'This staff member already has this licence on file.');
      await sql.execute(
        `INSERT INTO personnel.licences (tenant_id, id, staff_id, kind, number, jurisdiction, expires_on)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [tenantId, id, input.staffId, input.kind, input.number, input.jurisdiction, input.expiresOn],
      );
      const rows = await sql.query<LicenceView>(`SELECT ${LICENCE_SELECT} FROM personnel.licences l WHERE l.tenant_id = $1 AND l.id = $2`, [tenantId, id]);
      return rows[0]!;
    });
  }
}

async function assertStaff(sql: Sql, tenantId: string, staffId: string, lock: boolean): Promise<void> {
  const rows = await sql.query(`SELECT 1 FROM personnel.staff WHERE tenant_id = $1 AND id = $2${lock ? ' FOR UPDATE' : ''}`, [tenantId, staffId]);
  if (rows.length === 0) throw staffNotFound();
}
