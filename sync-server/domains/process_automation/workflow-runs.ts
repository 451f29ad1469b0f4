import { uuidv7 } from '../../../shared/ids.ts';
import type { DomainDb } from '../../db/domain-db.ts';

export type WorkflowState = 'open' | 'done' | 'cancelled';

export interface WorkflowRun {
  id: string;
  workflow: string;
  subjectId: string | null;
  state: WorkflowState;
  step: string;
}

const COLUMNS = `id::text AS id, workflow, subject_id::text AS "subjectId", state, step`;

/** process_automation.workflow_runs, always in one org's tenant context. */
export class WorkflowRuns {
  readonly db: DomainDb;

  constructor(db: DomainDb) {
    this.db = db;
  }

  /**
   * Opens a run unless one is already open for the same workflow and subject (or this id
   * exists): a redelivered event opens nothing twice. Returns the open run's id.
   */
  async open(tenantId: string, run: { workflow: string; subjectId: string; step: string; id?: string }): Promise<{ id: string; created: boolean }> {
    return this.db.withTenant(tenantId, async (sql) => {
      const id = run.id ?? uuidv7();
      const inserted = await sql.execute(
        `INSERT INTO process_automation.workflow_runs (tenant_id, id, workflow, subject_id, state, step)
         VALUES ($1, $2, $3, $4, 'open', $5) ON CONFLICT DO NOTHING`,
        [tenantId, id, run.workflow, run.subjectId, run.step],
      );
      if (inserted === 1) return { id, created: true };
      const open = await sql.query<{ id: string }>(
        `SELECT id::text AS id FROM process_automation.workflow_runs
         WHERE tenant_id = $1 AND workflow = $2 AND subject_id = $3 AND state = 'open'`,
        [tenantId, run.workflow, run.subjectId],
      );
      return { id: open[0]?.id ?? id, created: false };
    });
  }

  /** Ends the open run of the workflow for the subject, if there is one. Returns its id. */
  async close(tenantId: string, run: { workflow: string; subjectId: string; state: 'done' | 'cancelled'; step: string }): Promise<string | null> {
    const rows = await this.db.withTenant(tenantId, (sql) =>
      sql.query<{ id: string }>(
        `UPDATE process_automation.workflow_runs SET state = $4, step = $5, updated_at = now()
         WHERE tenant_id = $1 AND workflow = $2 AND subject_id = $3 AND state = 'open'
         RETURNING id::text AS id`,
        [tenantId, run.workflow, run.subjectId, run.state, run.step],
      ),
    );
    return rows[0]?.id ?? null;
  }

  list(tenantId: string, workflow: string): Promise<WorkflowRun[]> {
    return this.db.withTenant(tenantId, (sql) =>
      sql.query<WorkflowRun>(
        `SELECT ${COLUMNS} FROM process_automation.workflow_runs WHERE tenant_id = $1 AND workflow = $2 ORDER BY created_at, id`,
        [tenantId, workflow],
      ),
    );
  }
}
