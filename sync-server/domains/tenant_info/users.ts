import type { Role } from '../../../shared/sync/auth.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import { hashPassword } from '../../auth/passwords.ts';

export interface UserRecord {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  passwordHash: string;
}

/** The org's users; every query runs in that org's context (its own sign-in namespace). */
export class UserDirectory {
  private readonly db: DomainDb;

  constructor(db: DomainDb) {
    this.db = db;
  }

  async create(tenantId: string, input: { username: string; password: string; displayName: string; role: Role }): Promise<string> {
    const id = uuidv7();
    const passwordHash = await hashPassword(input.password);
    await this.db.withTenant(tenantId, (sql) =>
      sql.execute(
        `INSERT INTO tenant_info.users (tenant_id, id, username, display_name, role, password_hash)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [tenantId, id, input.username.trim().toLowerCase(), input.displayName, input.role, passwordHash],
      ),
    );
    return id;
  }

  async findByUsername(tenantId: string, username: string): Promise<UserRecord | null> {
    const rows = await this.db.withTenant(tenantId, (sql) =>
      sql.query<UserRecord>(
        `SELECT id::text AS id, username, display_name AS "displayName", role, password_hash AS "passwordHash"
         FROM tenant_info.users WHERE tenant_id = $1 AND username = $2`,
        [tenantId, username.trim().toLowerCase()],
      ),
    );
    return rows[0] ?? null;
  }
}
