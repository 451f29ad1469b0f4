import type { AuditEntry, AuditLog } from '../../audit/audit-trail.ts';
import type { DomainDb } from '../../db/domain-db.ts';

/** TEMPORARY (being replaced in this change by the hash-chained audit log). */
export class AuditEvents implements AuditLog {
  private readonly db: DomainDb;
  constructor(db: DomainDb) {
    this.db = db;
  }
  async record(entry: AuditEntry): Promise<void> {
    void this.db;
    void entry;
  }
}
