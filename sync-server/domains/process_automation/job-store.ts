import { uuidv7 } from '../../../shared/ids.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import { payloadJson, typeNameSchema } from './type-name.ts';
import { Wakeup } from './wakeup.ts';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'dead';

export interface NewJob {
  type: string;
  payload: Record<string, unknown>;
  /** Deterministic ids make enqueueing idempotent (a redelivered event enqueues once). */
  id?: string;
  runAt?: Date;
  maxAttempts?: number;
}

/** A job as the runner holds it after claiming: `claim` proves it still holds the lease. */
export interface ClaimedJob {
  tenantId: string;
  id: string;
  type: string;
  payload: unknown;
  /** Counting this one. */
  attempt: number;
  maxAttempts: number;
  claim: string;
}

export interface JobState {
  id: string;
  type: string;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  lastErrorCode: string | null;
}

const STATE_COLUMNS = `id::text AS id, type, status, attempts, max_attempts AS "maxAttempts", last_error_code AS "lastErrorCode"`;

/**
 * process_automation.jobs. Jobs are written and their outcomes recorded in the job's own
 * tenant context; only claiming due jobs looks across orgs, as explicit system access.
 */
export class JobStore {
  readonly db: DomainDb;
  /** Notified on enqueue, so a runner in this process starts without waiting for its poll. */
  readonly enqueued = new Wakeup();

  constructor(db: DomainDb) {
    this.db = db;
  }

  /** Row-level security's WITH CHECK makes a job for another org impossible to write here. */
  async enqueue(tenantId: string, job: NewJob): Promise<{ id: string; created: boolean }> {
    const type = typeNameSchema.parse(job.type);
    const id = job.id ?? uuidv7();
    const created = await this.db.withTenant(tenantId, (sql) =>
      sql.execute(
        `INSERT INTO process_automation.jobs (tenant_id, id, type, payload, run_at, max_attempts)
         VALUES ($1, $2, $3, $4::jsonb, COALESCE($5::timestamptz, now()), $6)
         ON CONFLICT (tenant_id, id) DO NOTHING`,
        [tenantId, id, type, payloadJson(job.payload), job.runAt?.toISOString() ?? null, job.maxAttempts ?? 5],
      ),
    );
    if (created === 1) this.enqueued.notify();
    return { id, created: created === 1 };
  }

  /**
   * Takes up to `limit` due jobs of any org: queued ones whose time has come, and running
   * ones whose lease ran out (their runner died). SKIP LOCKED lets replicas claim side by
   * side without waiting on or taking each other's rows.
   */
  async claimDue(limit: number, leaseMs: number): Promise<ClaimedJob[]> {
    const claim = uuidv7();
    const rows = await this.db.system('jobs: claim due jobs of every org', (sql) =>
      sql.query<Omit<ClaimedJob, 'claim'>>(
        `WITH due AS (
           SELECT tenant_id, id FROM process_automation.jobs
           WHERE (status = 'queued' AND run_at <= now()) OR (status = 'running' AND locked_until <= now())
           ORDER BY run_at, id
           LIMIT $1
           FOR UPDATE SKIP LOCKED),
         claimed AS (
           UPDATE process_automation.jobs j
           SET status = 'running', attempts = j.attempts + 1, locked_by = $2,
               locked_until = now() + $3::double precision * interval '1 millisecond', updated_at = now()
           FROM due WHERE j.tenant_id = due.tenant_id AND j.id = due.id
           RETURNING j.tenant_id::text AS "tenantId", j.id::text AS id, j.type, j.payload, j.attempts AS attempt,
                     j.max_attempts AS "maxAttempts", j.run_at)
         SELECT "tenantId", id, type, payload, attempt, "maxAttempts" FROM claimed ORDER BY run_at, id`,
        [limit, claim, leaseMs],
      ),
    );
    return rows.map((job) => ({ ...job, claim }));
  }

  complete(job: ClaimedJob): Promise<boolean> {
    return this.finish(job, "status = 'done', last_error_code = NULL", []);
  }

  /** Never succeeds by trying again (`failed`), or out of attempts (`dead`). */
  giveUp(job: ClaimedJob, status: 'failed' | 'dead', errorCode: string): Promise<boolean> {
    return this.finish(job, 'status = $4, last_error_code = $5', [status, errorCode]);
  }

  retryLater(job: ClaimedJob, errorCode: string, delayMs: number): Promise<boolean> {
    return this.finish(
      job,
      "status = 'queued', last_error_code = $4, run_at = now() + $5::double precision * interval '1 millisecond'",
      [errorCode, delayMs],
    );
  }

  /** Puts a failed or dead job back in the queue with fresh attempts (operators, after a fix). */
  async requeue(tenantId: string, id: string): Promise<boolean> {
    const changed = await this.db.withTenant(tenantId, (sql) =>
      sql.execute(
        `UPDATE process_automation.jobs SET status = 'queued', attempts = 0, run_at = now(), locked_by = NULL, locked_until = NULL, updated_at = now()
         WHERE tenant_id = $1 AND id = $2 AND status IN ('failed', 'dead')`,
        [tenantId, id],
      ),
    );
    if (changed === 1) this.enqueued.notify();
    return changed === 1;
  }

  async get(tenantId: string, id: string): Promise<JobState | null> {
    const rows = await this.db.withTenant(tenantId, (sql) =>
      sql.query<JobState>(`SELECT ${STATE_COLUMNS} FROM process_automation.jobs WHERE tenant_id = $1 AND id = $2`, [tenantId, id]),
    );
    return rows[0] ?? null;
  }

  /** The org's jobs in a state, oldest first (operations: the dead-letter queue is status 'dead'). */
  list(tenantId: string, status: JobStatus, limit = 100): Promise<JobState[]> {
    return this.db.withTenant(tenantId, (sql) =>
      sql.query<JobState>(
        `SELECT ${STATE_COLUMNS} FROM process_automation.jobs WHERE tenant_id = $1 AND status = $2 ORDER BY created_at, id LIMIT $3`,
        [tenantId, status, limit],
      ),
    );
  }

  /**
   * Records an outcome in the job's tenant context, only while this claim still holds the
   * job: a runner that outlived its lease cannot overwrite the newer claim's outcome.
   */
  private async finish(job: ClaimedJob, set: string, params: unknown[]): Promise<boolean> {
    const changed = await this.db.withTenant(job.tenantId, (sql) =>
      sql.execute(
        `UPDATE process_automation.jobs SET ${set}, locked_by = NULL, locked_until = NULL, updated_at = now()
         WHERE tenant_id = $1 AND id = $2 AND locked_by = $3 AND status = 'running'`,
        [job.tenantId, job.id, job.claim, ...params],
      ),
    );
    return changed === 1;
  }
}
