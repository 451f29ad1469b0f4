-- Practice onboarding (sync-server/portability/import/): the location or appointment each
-- imported FHIR resource became, keyed by "Location/<source id>" or "Appointment/<source id>"
-- (or the bundle entry's fullUrl when the resource has no id), so a second import of the same
-- file finds it. run_id is the import run that last claimed the key.
CREATE TABLE scheduling.import_keys (
  tenant_id uuid NOT NULL,
  source_key text NOT NULL CHECK (length(source_key) BETWEEN 1 AND 300),
  entity text NOT NULL CHECK (entity IN ('location', 'appointment')),
  target_id uuid NOT NULL,
  run_id uuid NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, source_key)
);
ALTER TABLE scheduling.import_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE scheduling.import_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY import_keys_tenant_isolation ON scheduling.import_keys
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
