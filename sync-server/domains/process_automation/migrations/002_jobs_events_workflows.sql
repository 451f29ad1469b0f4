-- Background jobs, workflow runs, the domain-event outbox and the consumers' processed-event
-- ledger. Every row carries the org it belongs to; the job runner and the outbox relay claim
-- rows across orgs with the system role, but every handler runs in the row's own tenant
-- context (sync-server/jobs/job-runner.ts, sync-server/events/event-consumer.ts).

-- queued: waiting for run_at; running: claimed, lease until locked_until (a crashed runner's
-- job is claimed again after that); done; failed: will never succeed (unknown org, type or
-- payload), not retried; dead: retries exhausted (the dead-letter queue, requeued by hand).
CREATE TABLE process_automation.jobs (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  type text NOT NULL CHECK (type ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$' AND length(type) <= 100),
  payload jsonb NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed', 'dead')),
  run_at timestamptz NOT NULL DEFAULT now(),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts integer NOT NULL DEFAULT 5 CHECK (max_attempts BETWEEN 1 AND 100),
  -- A code only (AppError code, SQLSTATE or error class), never an error message: messages can quote data.
  last_error_code text CHECK (last_error_code ~ '^[A-Za-z0-9_]{1,40}$'),
  locked_until timestamptz,
  -- The claim that holds the lease; a runner whose lease ran out cannot record an outcome over a newer claim.
  locked_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX jobs_due ON process_automation.jobs (run_at) WHERE status IN ('queued', 'running');
ALTER TABLE process_automation.jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE process_automation.jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY jobs_tenant_isolation ON process_automation.jobs
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- One run of a multi-step process about one entity of the org (subject_id: an id, never PHI).
CREATE TABLE process_automation.workflow_runs (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  workflow text NOT NULL CHECK (workflow ~ '^[a-z][a-z0-9_]*$'),
  subject_id uuid,
  state text NOT NULL CHECK (state IN ('open', 'done', 'cancelled')),
  step text NOT NULL CHECK (step ~ '^[a-z][a-z0-9_]*$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
-- At most one open run of a workflow per subject (a redelivered event cannot open a second).
CREATE UNIQUE INDEX workflow_runs_one_open ON process_automation.workflow_runs (tenant_id, workflow, subject_id) WHERE state = 'open';
ALTER TABLE process_automation.workflow_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE process_automation.workflow_runs FORCE ROW LEVEL SECURITY;
CREATE POLICY workflow_runs_tenant_isolation ON process_automation.workflow_runs
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- Domain events, written in the producer's tenant context and published by the relay.
-- The payload holds ids and codes only: it travels over the bus and is kept by JetStream.
CREATE TABLE process_automation.outbox (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  type text NOT NULL CHECK (type ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$' AND length(type) <= 100),
  payload jsonb NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX outbox_unpublished ON process_automation.outbox (created_at) WHERE published_at IS NULL;
ALTER TABLE process_automation.outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE process_automation.outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY outbox_tenant_isolation ON process_automation.outbox
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- Which events each consumer has handled, per org: the bus delivers at least once, this
-- makes handling happen once. 'handling' is a claim taken before the handler runs (since
-- claimed_at), so a second delivery arriving meanwhile waits instead of handling it too.
CREATE TABLE process_automation.processed_events (
  tenant_id uuid NOT NULL,
  consumer text NOT NULL CHECK (consumer ~ '^[a-z][a-z0-9_-]*$'),
  event_id uuid NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('handling', 'done', 'rejected')),
  claimed_at timestamptz NOT NULL DEFAULT now(),
  processed_at timestamptz,
  PRIMARY KEY (tenant_id, consumer, event_id)
);
ALTER TABLE process_automation.processed_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE process_automation.processed_events FORCE ROW LEVEL SECURITY;
CREATE POLICY processed_events_tenant_isolation ON process_automation.processed_events
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
