-- Sync bookkeeping for clinical: encounters, notes and orders reach every workstation of
-- the org through the same compacted change feed and idempotency ledger as master_data
-- and scheduling (see master_data/002_sync.sql and sync-server/sync/feed-writer.ts).

-- field_hlc: field -> HLC of the value held, as in the other synced domains. Clinical
-- records are ruled by the server (author's drafts, signed notes final, the order state
-- machine), so the server stamps every value it writes with its own clock: a workstation
-- then takes the server's value unless it holds a newer unsent edit of its own.
-- Adding a column does not fire the signed-note trigger; nothing is rewritten row by row.
ALTER TABLE clinical.encounters ADD COLUMN field_hlc jsonb NOT NULL DEFAULT '{}';
ALTER TABLE clinical.notes ADD COLUMN field_hlc jsonb NOT NULL DEFAULT '{}';
ALTER TABLE clinical.orders ADD COLUMN field_hlc jsonb NOT NULL DEFAULT '{}';

CREATE SEQUENCE clinical.change_seq;
CREATE TABLE clinical.changes (
  tenant_id uuid NOT NULL,
  entity text NOT NULL,
  entity_id uuid NOT NULL,
  seq bigint NOT NULL,
  PRIMARY KEY (tenant_id, entity, entity_id)
);
CREATE UNIQUE INDEX changes_tenant_seq ON clinical.changes (tenant_id, seq);
ALTER TABLE clinical.changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinical.changes FORCE ROW LEVEL SECURITY;
CREATE POLICY changes_tenant_isolation ON clinical.changes
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

CREATE TABLE clinical.applied_mutations (
  tenant_id uuid NOT NULL,
  mutation_id uuid NOT NULL,
  entity text NOT NULL,
  entity_id uuid NOT NULL,
  device_id uuid NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, mutation_id)
);
ALTER TABLE clinical.applied_mutations ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinical.applied_mutations FORCE ROW LEVEL SECURITY;
CREATE POLICY applied_mutations_tenant_isolation ON clinical.applied_mutations
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
