-- The personnel change feed workstations pull (same compacted feed as scheduling, see its
-- 001_appointments.sql): one row per entity, moved to the head (a new seq) on every change.
-- Written only by the admin procedures, in the transaction of the change (FeedWriter).
-- No applied_mutations ledger: workstations never push personnel rows (set-up is edited online,
-- sync-server/sync/online-only.ts), so there is nothing to deduplicate.
CREATE SEQUENCE personnel.change_seq;
CREATE TABLE personnel.changes (
  tenant_id uuid NOT NULL,
  entity text NOT NULL,
  entity_id uuid NOT NULL,
  seq bigint NOT NULL,
  PRIMARY KEY (tenant_id, entity, entity_id)
);
CREATE UNIQUE INDEX changes_tenant_seq ON personnel.changes (tenant_id, seq);
ALTER TABLE personnel.changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE personnel.changes FORCE ROW LEVEL SECURITY;
CREATE POLICY changes_tenant_isolation ON personnel.changes
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
