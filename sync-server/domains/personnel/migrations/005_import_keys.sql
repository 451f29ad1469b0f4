-- Practice onboarding (sync-server/portability/import/): the staff record each imported
-- FHIR Practitioner became, keyed by "Practitioner/<source id>" (or the bundle entry's
-- fullUrl when the resource has no id), so a second import of the same file finds it.
-- run_id is the import run that last claimed the key (a second claim in one run is a
-- duplicate inside the file).
CREATE TABLE personnel.import_keys (
  tenant_id uuid NOT NULL,
  source_key text NOT NULL CHECK (length(source_key) BETWEEN 1 AND 300),
  staff_id uuid NOT NULL,
  run_id uuid NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, source_key),
  FOREIGN KEY (tenant_id, staff_id) REFERENCES personnel.staff (tenant_id, id)
);
ALTER TABLE personnel.import_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE personnel.import_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY import_keys_tenant_isolation ON personnel.import_keys
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
