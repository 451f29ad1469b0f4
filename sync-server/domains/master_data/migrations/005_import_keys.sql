-- Practice onboarding (sync-server/portability/import/): where each imported patient came
-- from, so importing the same file again finds the rows it made instead of duplicating them.
-- source_key is "mrn:<MRN upper-cased>" (the org's own MRN, the patient's key in a roster and
-- in FHIR) or "Patient/<source id>" (what the source's appointments reference). run_id is
-- the import run that last claimed the key: a key already claimed by the running import is a
-- duplicate inside the file. No foreign key to patients: the mapping goes with the org's rows.
CREATE TABLE master_data.import_keys (
  tenant_id uuid NOT NULL,
  source_key text NOT NULL CHECK (length(source_key) BETWEEN 1 AND 300),
  patient_id uuid NOT NULL,
  run_id uuid NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, source_key)
);
ALTER TABLE master_data.import_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE master_data.import_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY import_keys_tenant_isolation ON master_data.import_keys
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- An import looks its rows up by the org's MRN, a batch at a time.
CREATE INDEX tenant_patients_mrn ON master_data.tenant_patients (tenant_id, upper(mrn)) WHERE NOT deleted;
CREATE INDEX patients_birth_date ON master_data.patients (birth_date);

-- A weak hint for the import report, never a link: is there a patient the calling org is NOT
-- linked to (but some org is) with the same birth date and the same given or family name,
-- or holding one of these identifier values? Returns a boolean only, never an id or a row;
-- the import then creates a new patient and says "possible match not linked". Linking
-- stays with match_patient_by_identifier (strong evidence, 003). NOT LEAKPROOF; callable
-- only from a tenant context.
CREATE FUNCTION master_data.possible_patient_match(p_given text, p_family text, p_birth date, p_values text[])
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT nullif(current_setting('app.tenant_id', true), '') IS NOT NULL AND EXISTS (
    SELECT 1 FROM master_data.patients p
    WHERE ((p.birth_date = p_birth AND (lower(p.given_name) = lower(p_given) OR lower(p.family_name) = lower(p_family)))
           OR p.id IN (SELECT i.patient_id FROM master_data.patient_identifiers i WHERE i.value = ANY (p_values)))
      AND EXISTS (SELECT 1 FROM master_data.tenant_patients other WHERE other.patient_id = p.id AND NOT other.deleted)
      AND NOT EXISTS (SELECT 1 FROM master_data.tenant_patients mine
                      WHERE mine.patient_id = p.id
                        AND mine.tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid))
$$;
REVOKE ALL ON FUNCTION master_data.possible_patient_match(text, text, date, text[]) FROM PUBLIC;
