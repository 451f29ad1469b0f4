-- Appointments belong to one org. patient_id refers to a master_data patient linked to
-- that org; it is checked by asking the master_data service (no cross-database key).
CREATE TABLE scheduling.appointments (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  patient_id uuid NOT NULL,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('booked', 'checked_in', 'cancelled', 'no_show')),
  reason text NOT NULL,
  practitioner_name text NOT NULL,
  location text NOT NULL,
  field_hlc jsonb NOT NULL DEFAULT '{}',
  version integer NOT NULL DEFAULT 1,
  deleted boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  CHECK (ends_at > starts_at)
);
CREATE INDEX appointments_tenant_start ON scheduling.appointments (tenant_id, starts_at);
ALTER TABLE scheduling.appointments ENABLE ROW LEVEL SECURITY;
ALTER TABLE scheduling.appointments FORCE ROW LEVEL SECURITY;
CREATE POLICY appointments_tenant_isolation ON scheduling.appointments
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- Same compacted feed and idempotency ledger as master_data (see its 002_sync.sql).
CREATE SEQUENCE scheduling.change_seq;
CREATE TABLE scheduling.changes (
  tenant_id uuid NOT NULL,
  entity text NOT NULL,
  entity_id uuid NOT NULL,
  seq bigint NOT NULL,
  PRIMARY KEY (tenant_id, entity, entity_id)
);
CREATE UNIQUE INDEX changes_tenant_seq ON scheduling.changes (tenant_id, seq);
ALTER TABLE scheduling.changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE scheduling.changes FORCE ROW LEVEL SECURITY;
CREATE POLICY changes_tenant_isolation ON scheduling.changes
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

CREATE TABLE scheduling.applied_mutations (
  tenant_id uuid NOT NULL,
  mutation_id uuid NOT NULL,
  entity text NOT NULL,
  entity_id uuid NOT NULL,
  device_id uuid NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, mutation_id)
);
ALTER TABLE scheduling.applied_mutations ENABLE ROW LEVEL SECURITY;
ALTER TABLE scheduling.applied_mutations FORCE ROW LEVEL SECURITY;
CREATE POLICY applied_mutations_tenant_isolation ON scheduling.applied_mutations
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
