import { AppError } from '../../shared/errors.ts';
import { auditedWork } from '../audit/audited-work.ts';
import type { ClaimedJob } from '../domains/process_automation/job-store.ts';
import type { Services } from '../services.ts';
import { DEFAULT_BACKOFF, retryDelayMs, type Backoff } from './backoff.ts';
import { classifyFailure } from './failure.ts';
import { DEFAULT_JOB_HANDLERS } from './handlers/index.ts';
import type { JobHandlers } from './job-handler.ts';
import { PollingLoop } from './polling-loop.ts';
import { openTenantScope } from './tenant-scope.ts';

export interface JobRunnerOptions {
  handlers?: JobHandlers;
  /** Jobs claimed per round. */
  batchSize?: number;
  /** How long a claim holds a job; a runner that dies leaves it to be claimed again after this. */
  leaseMs?: number;
  /** How often to look for due jobs when nothing woke the runner. */
  pollMs?: number;
  backoff?: Backoff;
}

const TENANT_MISSING = new Set(['TENANT_REQUIRED', 'TENANT_UNKNOWN']);

/**
 * Runs due jobs of every org. Claiming is the one cross-org step (system access, SKIP
 * LOCKED, a lease); each job then runs only inside a tenant scope built from its own
 * tenant_id, and leaves one audit entry (kind 'job', no actor) per execution.
 */
export class JobRunner {
  private readonly services: Services;
  private readonly handlers: JobHandlers;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly backoff: Backoff;
  private readonly loop: PollingLoop;

  constructor(services: Services, options: JobRunnerOptions = {}) {
    this.services = services;
    this.handlers = options.handlers ?? DEFAULT_JOB_HANDLERS;
    this.batchSize = options.batchSize ?? 10;
    this.leaseMs = options.leaseMs ?? 5 * 60_000;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.loop = new PollingLoop({
      name: 'job_runner',
      pollMs: options.pollMs ?? 1_000,
      wakeup: services.automation.jobs.enqueued,
      round: () => this.runOnce(),
      log: services.log,
    });
  }

  /** Claims one batch of due jobs and runs them; returns how many it claimed. */
  async runOnce(): Promise<number> {
    const jobs = await this.services.automation.jobs.claimDue(this.batchSize, this.leaseMs);
    for (const job of jobs) await this.execute(job);
    return jobs.length;
  }

  /** Runs rounds until no job is due (tests and one-off runs). */
  async drain(): Promise<number> {
    let total = 0;
    for (let ran = await this.runOnce(); ran > 0; ran = await this.runOnce()) total += ran;
    return total;
  }

  start(): void {
    this.loop.start();
  }

  /** Stops claiming; resolves when the job in hand has finished. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  private async execute(job: ClaimedJob): Promise<void> {
    const { jobs } = this.services.automation;
    const base = { tenantId: job.tenantId, jobId: job.id, type: job.type, attempt: job.attempt };
    if (job.attempt > job.maxAttempts) {
      // Its last attempt's runner died holding it: nothing ran to completion, nothing left to try.
      await jobs.giveUp(job, 'dead', 'LEASE_EXPIRED');
      this.services.log({ level: 'warn', event: 'job_dead', ...base, code: 'LEASE_EXPIRED' });
      return;
    }
    const started = Date.now();
    try {
      await auditedWork(this.services.audit, { tenantId: job.tenantId, kind: 'job', name: job.type }, async (trail) => {
        trail.note('jobId', job.id);
        trail.note('attempt', job.attempt);
        const scope = await openTenantScope(this.services, job.tenantId).catch((error: unknown) => {
          if (error instanceof AppError && TENANT_MISSING.has(error.code)) {
            // No such org: file the entry in the unattributed chain, not in a chain of an org that does not exist.
            trail.tenantId = null;
            trail.note('claimedTenantId', job.tenantId);
          }
          throw error;
        });
        const handler = this.handlers[job.type];
        if (!handler) throw new AppError('VALIDATION', 'This kind of background job is not known to this server.');
        const payload = handler.payload.safeParse(job.payload);
        if (!payload.success) throw new AppError('VALIDATION', 'The details of this background job are not valid.');
        await handler.run(scope, payload.data, { id: job.id, type: job.type, attempt: job.attempt }, trail);
      });
    } catch (error) {
      await this.recordFailure(job, error);
      return;
    }
    const recorded = await jobs.complete(job);
    this.services.log({ level: recorded ? 'info' : 'warn', event: recorded ? 'job_done' : 'job_claim_lost', ...base, ms: Date.now() - started });
  }

  private async recordFailure(job: ClaimedJob, error: unknown): Promise<void> {
    const { jobs } = this.services.automation;
    const failure = classifyFailure(error);
    let next: 'failed' | 'dead' | 'queued';
    if (failure.permanent) {
      next = 'failed';
      await jobs.giveUp(job, 'failed', failure.code);
    } else if (job.attempt >= job.maxAttempts) {
      next = 'dead';
      await jobs.giveUp(job, 'dead', failure.code);
    } else {
      next = 'queued';
      await jobs.retryLater(job, failure.code, retryDelayMs(job.attempt, this.backoff));
    }
    this.services.log({
      level: next === 'queued' ? 'info' : 'warn',
      event: next === 'queued' ? 'job_retry' : `job_${next}`,
      tenantId: job.tenantId,
      jobId: job.id,
      type: job.type,
      attempt: job.attempt,
      code: failure.code,
    });
  }
}
