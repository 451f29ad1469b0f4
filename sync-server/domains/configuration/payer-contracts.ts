import type { PayerContractUpsertInput, PayerContractView } from '../../../shared/api/configuration.ts';
import { AppError } from '../../../shared/errors.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import { assertVersion } from '../lost-update.ts';
import { NO_POKE, writeWithFeed, type FeedNotify } from '../../sync/feed-transaction.ts';
import { isoTime } from '../../db/timestamps.ts';

const CONTRACT_SELECT = `c.id::text AS id, c.payer_name AS "payerName", c.plan_name AS "planName",
  c.effective_from::text AS "effectiveFrom", c.effective_to::text AS "effectiveTo",
  c.fee_schedule_ref AS "feeScheduleRef", c.version, c.updated_at AS "updatedAt"`;

type ContractRow = Omit<PayerContractView, 'updatedAt'> & { updatedAt: Date };

const contractNotFound = () => new AppError('NOT_FOUND', 'No such payer contract in this organization.');
const overlapping = () =>
  new AppError('CONFLICT', 'This organization already has a contract with this payer and plan for part of that period. Change the dates or edit that contract.');

const view = (row: ContractRow): PayerContractView => ({ ...row, updatedAt: isoTime(row.updatedAt) });

/** configuration: the org's contracts with payers (which fee schedule applies when). */
export class PayerContractService {
  private readonly db: DomainDb;
  private readonly notify: FeedNotify;

  constructor(db: DomainDb, notify: FeedNotify = NO_POKE) {
    this.db = db;
    this.notify = notify;
  }

  /** All contracts, or those in force on one day. */
  async list(tenantId: string, activeOn: string | undefined): Promise<PayerContractView[]> {
    const rows = await this.db.withTenant(tenantId, (sql) =>
      sql.query<ContractRow>(
        `SELECT ${CONTRACT_SELECT} FROM configuration.payer_contracts c
         WHERE c.tenant_id = $1 AND ($2::date IS NULL OR (c.effective_from <= $2::date AND (c.effective_to IS NULL OR c.effective_to >= $2::date)))
         ORDER BY c.payer_name, c.plan_name, c.effective_from LIMIT 1000`,
        [tenantId, activeOn ?? null],
      ),
    );
    return rows.map(view);
  }

  async upsert(tenantId: string, userId: string, input: PayerContractUpsertInput): Promise<PayerContractView> {
    const row = await writeWithFeed(this.db, 'configuration', tenantId, this.notify, async (sql, feed) => {
      // One writer of the org's contracts at a time, so two overlapping saves cannot both pass the check.
      await sql.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`configuration.payer_contracts:${tenantId}`]);
      const id = input.id ?? uuidv7();
      feed.touch('payer_contract', id);
      if (input.id) {
        const current = await sql.query<{ version: number }>('SELECT version FROM configuration.payer_contracts WHERE tenant_id = $1 AND id = $2', [tenantId, input.id]);
        if (!current[0]) throw contractNotFound();
        assertVersion('payer contract', current[0].version, input.expectedVersion);
      }
      const clash = await sql.query(
        `SELECT 1 FROM configuration.payer_contracts
         WHERE tenant_id = $1 AND id <> $2 AND lower(payer_name) = lower($3) AND lower(plan_name) = lower($4)
           AND daterange(effective_from, effective_to, '[]') && daterange($5::date, $6::date, '[]')`,
        [tenantId, id, input.payerName, input.planName, input.effectiveFrom, input.effectiveTo],
      );
      if (clash.length > 0) throw overlapping();
      const values = [input.payerName, input.planName, input.effectiveFrom, input.effectiveTo, input.feeScheduleRef];
      const rows = await sql.query<ContractRow>(
        `INSERT INTO configuration.payer_contracts AS c (tenant_id, id, updated_by, payer_name, plan_name, effective_from, effective_to, fee_schedule_ref)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (tenant_id, id) DO UPDATE SET
           updated_by = EXCLUDED.updated_by, payer_name = EXCLUDED.payer_name, plan_name = EXCLUDED.plan_name,
           effective_from = EXCLUDED.effective_from, effective_to = EXCLUDED.effective_to,
           fee_schedule_ref = EXCLUDED.fee_schedule_ref, version = c.version + 1, updated_at = now()
         RETURNING ${CONTRACT_SELECT}`,
        [tenantId, id, userId, ...values],
      );
      return rows[0]!;
    });
    return view(row);
  }
}
