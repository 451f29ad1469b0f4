import type { DomainDb } from '../../db/domain-db.ts';

export type ClaimResult = 'claimed' | 'duplicate' | 'busy';

/**
 * process_automation.processed_events: the per-org ledger that turns at-least-once
 * delivery into handling once per consumer. A delivery claims the event before its
 * handler runs; the claim ends as done or rejected, or is released when the handler
 * failed and the event will come again. A claim older than `leaseMs` belongs to a
 * consumer that died, and the next delivery takes it over.
 */
export class ProcessedEvents {
  readonly db: DomainDb;

  constructor(db: DomainDb) {
    this.db = db;
  }

  async claim(tenantId: string, consumer: string, eventId: string, leaseMs: number): Promise<ClaimResult> {
    return this.db.withTenant(tenantId, async (sql) => {
      const taken = await sql.execute(
        `INSERT INTO process_automation.processed_events (tenant_id, consumer, event_id, outcome) VALUES ($1, $2, $3, 'handling')
         ON CONFLICT (tenant_id, consumer, event_id) DO UPDATE SET claimed_at = now()
         WHERE processed_events.outcome = 'handling' AND processed_events.claimed_at < now() - $4::double precision * interval '1 millisecond'`,
        [tenantId, consumer, eventId, leaseMs],
      );
      if (taken === 1) return 'claimed';
      const rows = await sql.query<{ outcome: string }>(
        'SELECT outcome FROM process_automation.processed_events WHERE tenant_id = $1 AND consumer = $2 AND event_id = $3',
        [tenantId, consumer, eventId],
      );
      return rows[0]?.outcome === 'handling' ? 'busy' : 'duplicate';
    });
  }

  async finish(tenantId: string, consumer: string, eventId: string, outcome: 'done' | 'rejected'): Promise<void> {
    await this.db.withTenant(tenantId, (sql) =>
      sql.execute(
        `UPDATE process_automation.processed_events SET outcome = $4, processed_at = now()
         WHERE tenant_id = $1 AND consumer = $2 AND event_id = $3`,
        [tenantId, consumer, eventId, outcome],
      ),
    );
  }

  /** The handling failed (it will be delivered again) or the org does not exist (keep no rows for it). */
  async release(tenantId: string, consumer: string, eventId: string): Promise<void> {
    await this.db.withTenant(tenantId, (sql) =>
      sql.execute(
        `DELETE FROM process_automation.processed_events WHERE tenant_id = $1 AND consumer = $2 AND event_id = $3 AND outcome = 'handling'`,
        [tenantId, consumer, eventId],
      ),
    );
  }
}
