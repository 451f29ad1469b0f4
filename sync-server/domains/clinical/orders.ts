import {
  orderTransitionRefusal,
  type OrderPlaceInput,
  type OrderStatus,
  type OrderTransitionInput,
  type OrderTransitionView,
  type OrderView,
} from '../../../shared/api/clinical.ts';
import { AppError } from '../../../shared/errors.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import type { Sql } from '../../db/sql.ts';
import { assertVersion } from '../lost-update.ts';
import { encounterNotFound, findEncounter } from './encounters.ts';
import { assertPatientLinked, type ClinicalReferences } from './references.ts';
import { ORDER_SELECT, TRANSITION_SELECT, orderView, transitionView, type OrderRow, type TransitionRow } from './rows.ts';

const orderNotFound = () => new AppError('NOT_FOUND', 'No such order in this organization.');

/**
 * clinical: orders. Status changes follow the state machine of shared/api/clinical.ts
 * (ORDER_TRANSITIONS); any other move is refused with CONFLICT and a sentence naming both
 * statuses. Every move, the first included, is kept in order_transitions.
 */
export class OrderService {
  private readonly db: DomainDb;
  private readonly refs: Pick<ClinicalReferences, 'linkedPatients'>;

  constructor(db: DomainDb, refs: Pick<ClinicalReferences, 'linkedPatients'>) {
    this.db = db;
    this.refs = refs;
  }

  async list(
    tenantId: string,
    scope: { encounterId?: string | undefined; patientId?: string | undefined; status?: OrderStatus | undefined; limit: number },
  ): Promise<OrderView[]> {
    if (scope.patientId !== undefined) await assertPatientLinked(this.refs, tenantId, scope.patientId);
    const rows = await this.db.withTenant(tenantId, async (sql) => {
      if (scope.encounterId !== undefined && !(await findEncounter(sql, tenantId, scope.encounterId))) throw encounterNotFound();
      return sql.query<OrderRow>(
        `SELECT ${ORDER_SELECT} FROM clinical.orders o JOIN clinical.encounters e ON e.tenant_id = o.tenant_id AND e.id = o.encounter_id
         WHERE o.tenant_id = $1 AND ($2::uuid IS NULL OR o.encounter_id = $2::uuid) AND ($3::uuid IS NULL OR e.patient_id = $3::uuid)
           AND ($4::text IS NULL OR o.status = $4::text)
         ORDER BY o.created_at, o.id LIMIT $5`,
        [tenantId, scope.encounterId ?? null, scope.patientId ?? null, scope.status ?? null, scope.limit],
      );
    });
    return rows.map(orderView);
  }

  /** One order with every status change it went through. */
  async get(tenantId: string, id: string): Promise<OrderView & { history: OrderTransitionView[] }> {
    return this.db.withTenant(tenantId, async (sql) => {
      const order = await findOrder(sql, tenantId, id);
      if (!order) throw orderNotFound();
      const history = await sql.query<TransitionRow>(
        `SELECT ${TRANSITION_SELECT} FROM clinical.order_transitions t WHERE t.tenant_id = $1 AND t.order_id = $2 ORDER BY t.changed_at, t.id`,
        [tenantId, id],
      );
      return { ...orderView(order), history: history.map(transitionView) };
    });
  }

  /** New orders go on open encounters only; a closed encounter is finished documentation. */
  async place(tenantId: string, userId: string, input: OrderPlaceInput): Promise<OrderView> {
    const id = uuidv7();
    return this.db.withTenant(tenantId, async (sql) => {
      const encounter = await findEncounter(sql, tenantId, input.encounterId, true);
      if (!encounter) throw encounterNotFound();
      if (encounter.status !== 'open') throw new AppError('CONFLICT', 'This encounter is closed. Open a new encounter to place an order.');
      await sql.execute(
        `INSERT INTO clinical.orders (tenant_id, id, encounter_id, kind, code, description, status, ordered_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [tenantId, id, input.encounterId, input.kind, input.code, input.description, input.status, userId],
      );
      await recordTransition(sql, tenantId, id, null, input.status, null, userId);
      return orderView((await findOrder(sql, tenantId, id))!);
    });
  }

  async transition(tenantId: string, userId: string, input: OrderTransitionInput): Promise<OrderView> {
    return this.db.withTenant(tenantId, async (sql) => {
      const order = await findOrder(sql, tenantId, input.id, true);
      if (!order) throw orderNotFound();
      assertVersion('order', order.version, input.expectedVersion);
      const refusal = orderTransitionRefusal(order.status, input.to);
      if (refusal) throw new AppError('CONFLICT', refusal);
      await sql.execute(
        `UPDATE clinical.orders SET status = $3, version = version + 1, updated_at = now() WHERE tenant_id = $1 AND id = $2`,
        [tenantId, input.id, input.to],
      );
      await recordTransition(sql, tenantId, input.id, order.status, input.to, input.reason ?? null, userId);
      return orderView((await findOrder(sql, tenantId, input.id))!);
    });
  }
}

async function findOrder(sql: Sql, tenantId: string, id: string, lock = false): Promise<OrderRow | null> {
  const rows = await sql.query<OrderRow>(
    `SELECT ${ORDER_SELECT} FROM clinical.orders o JOIN clinical.encounters e ON e.tenant_id = o.tenant_id AND e.id = o.encounter_id
     WHERE o.tenant_id = $1 AND o.id = $2${lock ? ' FOR UPDATE OF o' : ''}`,
    [tenantId, id],
  );
  return rows[0] ?? null;
}

async function recordTransition(sql: Sql, tenantId: string, orderId: string, from: OrderStatus | null, to: OrderStatus, reason: string | null, userId: string): Promise<void> {
  await sql.execute(
    `INSERT INTO clinical.order_transitions (tenant_id, id, order_id, from_status, to_status, reason, changed_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [tenantId, uuidv7(), orderId, from, to, reason, userId],
  );
}
