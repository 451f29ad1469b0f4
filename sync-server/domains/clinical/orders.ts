import {
  type OrderPlaceInput,
  type OrderStatus,
  type OrderTransitionInput,
  type OrderTransitionView,
  type OrderView,
} from '../../../shared/api/clinical.ts';
import { orderChangeRefusal, orderNotFound, orderPlacementRefusal } from '../../../shared/entities/order.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import type { Sql } from '../../db/sql.ts';
import { assertVersion } from '../lost-update.ts';
import { lockRecord } from './clinical-columns.ts';
import { clinicalTransaction, insertRecord, recordTransition, updateRecord, type ClinicalDeskDeps } from './clinical-writes.ts';
import { encounterNotFound, findEncounter } from './encounters.ts';
import { assertPatientLinked, type ClinicalReferences } from './references.ts';
import { ORDER_SELECT, TRANSITION_SELECT, orderView, transitionView, type OrderRow, type TransitionRow } from './rows.ts';

/**
 * clinical: orders. Status changes follow the state machine of shared/api/clinical.ts
 * (ORDER_TRANSITIONS); any other move is refused with CONFLICT and a sentence naming both
 * statuses. Every move, the first included, is kept in order_transitions. The rules are
 * shared/entities/order.ts, the same ones sync pushes and the workstation's store go through.
 */
export class OrderService {
  private readonly db: DomainDb;
  private readonly refs: Pick<ClinicalReferences, 'linkedPatients'>;
  private readonly deps: ClinicalDeskDeps;

  constructor(db: DomainDb, refs: Pick<ClinicalReferences, 'linkedPatients'>, deps: ClinicalDeskDeps) {
    this.db = db;
    this.refs = refs;
    this.deps = deps;
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
    return clinicalTransaction(this.db, this.deps, tenantId, userId, async (w) => {
      const encounter = await lockRecord(w.sql, tenantId, 'encounter', input.encounterId);
      if (!encounter) throw encounterNotFound();
      const refusal = orderPlacementRefusal(encounter.fields.status, input.status);
      if (refusal) throw refusal;
      await insertRecord(w, 'order', id, { ...input, orderedBy: userId });
      await recordTransition(w, id, null, input.status, null);
      return orderView((await findOrder(w.sql, tenantId, id))!);
    });
  }

  async transition(tenantId: string, userId: string, input: OrderTransitionInput): Promise<OrderView> {
    return clinicalTransaction(this.db, this.deps, tenantId, userId, async (w) => {
      const order = await lockRecord(w.sql, tenantId, 'order', input.id);
      if (!order) throw orderNotFound();
      assertVersion('order', order.version, input.expectedVersion);
      const refusal = orderChangeRefusal(order.fields, ['status'], input.to);
      if (refusal) throw refusal;
      await updateRecord(w, 'order', input.id, { status: input.to });
      await recordTransition(w, input.id, order.fields.status, input.to, input.reason ?? null);
      return orderView((await findOrder(w.sql, tenantId, input.id))!);
    });
  }
}

async function findOrder(sql: Sql, tenantId: string, id: string): Promise<OrderRow | null> {
  const rows = await sql.query<OrderRow>(
    `SELECT ${ORDER_SELECT} FROM clinical.orders o JOIN clinical.encounters e ON e.tenant_id = o.tenant_id AND e.id = o.encounter_id
     WHERE o.tenant_id = $1 AND o.id = $2`,
    [tenantId, id],
  );
  return rows[0] ?? null;
}
