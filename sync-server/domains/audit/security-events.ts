import { uuidv7 } from '../../../shared/ids.ts';
import type { DomainDb } from '../../db/domain-db.ts';

export type SecurityEventKind = 'cross_tenant_attempt';

/** Records security events under the org they concern (ids and codes only, never PHI). */
export class SecurityEvents {
  private readonly db: DomainDb;

  constructor(db: DomainDb) {
    this.db = db;
  }

  async record(tenantId: string, kind: SecurityEventKind, detail: Record<string, string>): Promise<void> {
    await this.db.withTenant(tenantId, (sql) =>
      sql.execute('INSERT INTO audit.security_events (tenant_id, id, kind, detail) VALUES ($1, $2, $3, $4::jsonb)', [
        tenantId,
        uuidv7(),
        kind,
        JSON.stringify(detail),
      ]),
    );
  }
}
