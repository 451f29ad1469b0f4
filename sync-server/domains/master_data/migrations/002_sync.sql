-- Sync bookkeeping for master_data: the per-tenant change feed and the idempotency ledger.

-- The change feed is compacted: one row per (tenant, entity, id) whose seq moves forward
-- on every change, so a page carries each entity's current state once. Feed writes for a
-- tenant are serialised by an advisory lock taken just before the seq is drawn (see
-- sync-server/sync/feed-writer.ts), so seq order equals commit order within a tenant.
CREATE SEQUENCE master_data.change_seq;
CREATE TABLE master_data.changes (
  tenant_id uuid NOT NULL,
  entity text NOT NULL,
  entity_id uuid NOT NULL,
  seq bigint NOT NULL,
  PRIMARY KEY (tenant_id, entity, entity_id)
);
CREATE UNIQUE INDEX changes_tenant_seq ON master_data.changes (tenant_id, seq);
ALTER TABLE master_data.changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE master_data.changes FORCE ROW LEVEL SECURITY;
CREATE POLICY changes_tenant_isolation ON master_data.changes
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

CREATE TABLE master_data.applied_mutations (
  tenant_id uuid NOT NULL,
  mutation_id uuid NOT NULL,
  entity text NOT NULL,
  entity_id uuid NOT NULL,
  device_id uuid NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, mutation_id)
);
ALTER TABLE master_data.applied_mutations ENABLE ROW LEVEL SECURITY;
ALTER TABLE master_data.applied_mutations FORCE ROW LEVEL SECURITY;
CREATE POLICY applied_mutations_tenant_isolation ON master_data.applied_mutations
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- A core identity change must reach the feed of every org linked to the patient, but an
-- org cannot see other orgs' link rows. These two narrow SECURITY DEFINER functions do
-- exactly that and no more: only for patients the calling org is itself linked to, and
-- they return org ids to the server, never rows to a client.
CREATE FUNCTION master_data.linked_tenants(patient_ids uuid[]) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT DISTINCT other.tenant_id
  FROM master_data.tenant_patients other
  WHERE other.patient_id = ANY (patient_ids) AND NOT other.deleted
    AND EXISTS (SELECT 1 FROM master_data.tenant_patients mine
                WHERE mine.patient_id = other.patient_id
                  AND mine.tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
$$;

CREATE FUNCTION master_data.record_core_changes(patient_ids uuid[]) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  INSERT INTO master_data.changes (tenant_id, entity, entity_id, seq)
  SELECT other.tenant_id, 'patient', other.patient_id, nextval('master_data.change_seq')
  FROM master_data.tenant_patients other
  WHERE other.patient_id = ANY (patient_ids) AND NOT other.deleted
    AND EXISTS (SELECT 1 FROM master_data.tenant_patients mine
                WHERE mine.patient_id = other.patient_id
                  AND mine.tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  ON CONFLICT (tenant_id, entity, entity_id) DO UPDATE SET seq = EXCLUDED.seq
$$;
REVOKE ALL ON FUNCTION master_data.linked_tenants(uuid[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION master_data.record_core_changes(uuid[]) FROM PUBLIC;
