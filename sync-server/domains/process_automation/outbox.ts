import { uuidv7 } from '../../../shared/ids.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import { payloadJson, typeNameSchema } from './type-name.ts';
import { Wakeup } from './wakeup.ts';
import { isoTime } from '../../db/timestamps.ts';

export interface NewEvent {
  type: string;
  payload: Record<string, unknown>;
  /** Deterministic ids make emitting idempotent (a retried job emits each event once). */
  id?: string;
}

/** An outbox row as the relay publishes it. */
export interface OutboxEvent {
  id: string;
  tenantId: string;
  type: string;
  occurredAt: string;
  payload: Record<string, unknown>;
}

/**
 * process_automation.outbox: domain events wait here until the relay has handed them to
 * the bus. Writing happens in the producer's tenant context, so an event always carries
 * the org it was produced in (row-level security's WITH CHECK refuses any other).
 */
export class Outbox {
  readonly db: DomainDb;
  /** Notified on emit, so a relay in this process publishes without waiting for its poll. */
  readonly emitted = new Wakeup();

  constructor(db: DomainDb) {
    this.db = db;
  }

  async emit(tenantId: string, event: NewEvent): Promise<{ id: string; created: boolean }> {
    const type = typeNameSchema.parse(event.type);
    const id = event.id ?? uuidv7();
    const created = await this.db.withTenant(tenantId, (sql) =>
      sql.execute(
        `INSERT INTO process_automation.outbox (tenant_id, id, type, payload) VALUES ($1, $2, $3, $4::jsonb)
         ON CONFLICT (tenant_id, id) DO NOTHING`,
        [tenantId, id, type, payloadJson(event.payload)],
      ),
    );
    if (created === 1) this.emitted.notify();
    return { id, created: created === 1 };
  }

  /**
   * Hands unpublished events of every org to `publish`, oldest first, and marks those it
   * accepted. The rows stay locked while publishing, so two relays never publish the same
   * row at the same time; a crash after publishing and before marking publishes it again,
   * which consumers absorb through their processed-event ledger. Returns how many went out
   * and the error that stopped the batch, if one did.
   */
  publishPending(limit: number, publish: (event: OutboxEvent) => Promise<void>): Promise<{ published: number; error: unknown }> {
    return this.db.system('events: relay the outbox of every org', async (sql) => {
      const rows = await sql.query<Omit<OutboxEvent, 'occurredAt'> & { occurredAt: Date | string }>(
        `SELECT tenant_id::text AS "tenantId", id::text AS id, type, payload, created_at AS "occurredAt"
         FROM process_automation.outbox WHERE published_at IS NULL
         ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [limit],
      );
      const published: { tenantId: string; id: string }[] = [];
      let error: unknown = null;
      for (const row of rows) {
        try {
          await publish({ ...row, occurredAt: isoTime(row.occurredAt) });
        } catch (failure) {
          // Stop here but commit: whatever went out before the failure is marked, only the rest is sent again.
          error = failure;
          break;
        }
        published.push({ tenantId: row.tenantId, id: row.id });
      }
      if (published.length > 0) {
        await sql.execute(
          `UPDATE process_automation.outbox o SET published_at = now()
           FROM unnest($1::uuid[], $2::uuid[]) AS p (tenant_id, id)
           WHERE o.tenant_id = p.tenant_id AND o.id = p.id`,
          [published.map((p) => p.tenantId), published.map((p) => p.id)],
        );
      }
      return { published: published.length, error };
    });
  }

  /** Events of the org not yet handed to the bus (operations and tests). */
  async pendingCount(tenantId: string): Promise<number> {
    const rows = await this.db.withTenant(tenantId, (sql) =>
      sql.query<{ n: number }>('SELECT count(*)::int AS n FROM process_automation.outbox WHERE tenant_id = $1 AND published_at IS NULL', [tenantId]),
    );
    return rows[0]?.n ?? 0;
  }
}
