-- The configuration change feed workstations pull (same compacted feed as scheduling, see its
-- 001_appointments.sql): one row per entity, moved to the head (a new seq) on every change.
-- Written only by the admin procedures, in the transaction of the change (FeedWriter).
-- No applied_mutations ledger: workstations never push configuration rows (set-up is edited online,
-- sync-server/sync/online-only.ts), so there is nothing to deduplicate.
CREATE SEQUENCE configuration.change_seq;
CREATE TABLE configuration.changes (
  tenant_id uuid NOT NULL,
  entity text NOT NULL,
  entity_id uuid NOT NULL,
  seq bigint NOT NULL,
  PRIMARY KEY (tenant_id, entity, entity_id)
);
CREATE UNIQUE INDEX changes_tenant_seq ON configuration.changes (tenant_id, seq);
ALTER TABLE configuration.changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE configuration.changes FORCE ROW LEVEL SECURITY;
CREATE POLICY changes_tenant_isolation ON configuration.changes
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
-- Three entities share the feed, each read by its own keyset query (sync/feed-reader.ts mergedFeed).
CREATE INDEX changes_tenant_entity_seq ON configuration.changes (tenant_id, entity, seq);
